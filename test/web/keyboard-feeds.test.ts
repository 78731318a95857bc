// A local administrator's staff feeds by keyboard alone: a file chosen, the dry run's report read,
// applied; a held run found in the feeds page's list and approved; a possible re-hire linked. These
// pages' accessibility is checked by admin.test.ts.
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { createSync } from '../../src/sync/runs.js';
import { ritaLeftRxb, staffCsv } from '../helpers/feeds.js';
import {
  chooseFile,
  chooseOption,
  chromiumMissing,
  enter,
  mainText,
  newPage,
  sharedBrowser,
  signInByKeyboard,
  tabTo,
  texts,
  webFixture,
  webPasswords,
} from './browser.js';

const browser = sharedBrowser(t);
// A real browser on a machine that may be busy: a generous bound for the file (nothing asserts a time).
t.setTimeout(900_000);

const rxa = Array.from(
  { length: 10 },
  (_, i) => `F${i},Feed,Person${String.fromCharCode(97 + i)},,RXA,Nurse,Ward ${i},,,,,,,,`,
);

t.test('a feed, its dry run, applied; a held run approved; a re-hire linked', { skip: chromiumMissing }, async (t) => {
  const { base, dir } = await webFixture(t);
  // Rita Return left RXB earlier: a feed of RXB made her, the next one (held, approved) a leaver.
  const sync = createSync(dir, 0.1);
  await ritaLeftRxb(sync);

  const { page } = await newPage(t, await browser(), base);
  await signInByKeyboard(page, 'ann.admin@nhs.net', webPasswords.admin);
  await tabTo(page, 'a.nhsuk-header__navigation-link[href="/organisations/RXA/people"]');
  await enter(page, '**/organisations/RXA/people');
  /** From a page that links to the feeds page (the people page, a report): there, a file checked. */
  const upload = async (csv: string) => {
    await tabTo(page, 'main a[href="/organisations/RXA/feeds"]');
    await enter(page, '**/organisations/RXA/feeds');
    await chooseFile(page, '#file', { name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await chooseOption(page, '#connector', 'CSV');
    await tabTo(page, 'form[action="/organisations/RXA/feeds"] button');
    await Promise.all([page.waitForSelector('#run-status'), page.keyboard.press('Enter')]);
  };

  await upload(staffCsv(...rxa, 'F99,,,,RXA,,,,,,,,,,'));
  t.match(await page.textContent('#run-status'), /Dry run/);
  t.match(await mainText(page), /Joiners\s*10.*Bad rows\s*1/);
  t.match(await texts(page, '#bad-rows tbody td'), ['12', /name/i], 'the bad row by its line');
  t.equal(await dir.getPerson(systemActor, 'feed.persona').catch(() => null), null, 'the dry run made nobody');
  await tabTo(page, '#apply');
  await enter(page, '**/sync-runs/*');
  t.match(await page.textContent('#run-status'), /Applied/);
  t.equal((await dir.getPerson(systemActor, 'feed.persona')).status, 'active', 'applied, by keyboard');

  // Six of ten leave at once: held; found again in the feeds page's list and approved there.
  await upload(staffCsv(...rxa.slice(0, 4)));
  t.match(await mainText(page), /It would be held/);
  await tabTo(page, '#apply');
  await enter(page, '**/sync-runs/*');
  t.match(await page.textContent('#run-status'), /Held for approval/);
  const held = new URL(page.url()).pathname;
  t.equal((await dir.getPerson(systemActor, 'feed.personj')).status, 'active', 'held: nobody has left yet');
  await tabTo(page, 'main a[href="/organisations/RXA/feeds"]');
  await enter(page, '**/organisations/RXA/feeds');
  t.match(await mainText(page), /Held runs waiting for approval/);
  await tabTo(page, `a[href="${held}"]`);
  await enter(page, `**${held}`);
  await tabTo(page, '#approve');
  await Promise.all([page.waitForSelector('#run-status:has-text("Applied")'), page.keyboard.press('Enter')]);
  t.equal((await dir.getPerson(systemActor, 'feed.personj')).status, 'leaver', 'approved, by keyboard');

  // A possible re-hire: Rita, who left RXB, in RXA's feed; linked to her earlier record.
  await upload(staffCsv(...rxa.slice(0, 4), 'A9,Rita,Return,,RXA,Sister,,,,,,,,qq 12 34 56 a,1970-01-31'));
  t.match(await page.textContent('#changes'), /Possible re-hire/);
  await tabTo(page, '#apply');
  await enter(page, '**/sync-runs/*');
  await tabTo(page, 'a.nhsuk-header__navigation-link[href="/review"]');
  await enter(page, '**/review');
  t.match(await mainText(page), /Rita Return \(RXA\).*Earlier record: rita\.return@nhs\.net in RXB/);
  await tabTo(page, 'form[action^="/review/"]:has(input[value="link"]) button');
  await enter(page, '**/people/rita.return');
  t.match(await mainText(page), /Rita Return.*Email address rita\.return@nhs\.net.*Job title Sister/);
  t.match(
    await dir.getPerson(systemActor, 'rita.return'),
    { status: 'active', orgCode: 'RXA' },
    'linked, by keyboard: active in RXA',
  );
});

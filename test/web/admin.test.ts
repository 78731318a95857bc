// A local administrator in the browser: a joiner (the page shows the address allocated), a leaver
// behind a confirmation page, restored; a staff feed uploaded, its dry run read, applied; a held run
// approved from the page; a possible re-hire linked. axe-core on every page.
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { createSync } from '../../src/sync/runs.js';
import { ritaLeftRxb, staffCsv } from '../helpers/feeds.js';
import {
  checkAccessibility,
  clickThrough,
  chromiumMissing,
  mainText,
  newPage,
  sharedBrowser,
  signIn,
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

t.test(
  'a local administrator: joiner, leaver, restore, feed, dry run, apply, held run, re-hire',
  { skip: chromiumMissing },
  async (t) => {
    const { base, dir } = await webFixture(t);
    // Rita Return left RXB earlier: a feed of RXB made her, the next one (held, approved) a leaver.
    const sync = createSync(dir, 0.1);
    await ritaLeftRxb(sync);

    const { page } = await newPage(t, await browser(), base);
    await signIn(page, 'ann.admin@nhs.net', webPasswords.admin);
    await page.click('a.nhsuk-header__navigation-link:has-text("RXA people")');
    await page.waitForURL('**/organisations/RXA/people');
    t.match(await mainText(page), /Jane Smith.*Staff Nurse/);
    await checkAccessibility(t, page);
    await page.check('#status-leaver');
    await Promise.all([page.waitForURL(/status=leaver/), page.click('button:has-text("Show")')]);
    t.match(await page.$$eval('#people tbody tr', (r) => r.map((x) => x.textContent!.replace(/\s+/g, ' ').trim())), [
      /Lee Leaver.*Leaver/,
    ]);
    await checkAccessibility(t, page, '/organisations/RXA/people (leavers)');

    // A joiner: the page shows the address the directory allocated.
    await page.goto('/organisations/RXA/people');
    await Promise.all([page.waitForURL('**/joiners/new'), page.click('text=Add a joiner')]);
    await checkAccessibility(t, page);
    await page.click('button:has-text("Add joiner")');
    await page.waitForSelector('.nhsuk-error-summary');
    t.match(
      await page.textContent('.nhsuk-error-summary'),
      /Enter a given name.*Enter a family name/s,
      'the error summary',
    );
    t.ok(await page.$('.nhsuk-form-group--error #given_name'), 'the failing field is marked');
    await checkAccessibility(t, page, 'the joiner form with errors');
    await page.fill('#given_name', 'Wendy');
    await page.fill('#family_name', 'Web');
    await page.fill('#title', 'Ward Clerk');
    await Promise.all([page.waitForURL('**/people/wendy.web?joined=1'), page.click('button:has-text("Add joiner")')]);
    t.match(await page.textContent('#joined'), /Their email address is\s*wendy\.web@nhs\.net/);
    await checkAccessibility(t, page);

    // Edit.
    await Promise.all([page.waitForURL('**/edit'), page.click('text=Change details')]);
    await checkAccessibility(t, page);
    await page.fill('#department', 'Outpatients');
    await Promise.all([page.waitForURL('**/people/wendy.web'), page.click('button:has-text("Save changes")')]);
    t.match(await mainText(page), /Department Outpatients/);

    // A leaver, behind a confirmation page; then restored.
    await Promise.all([page.waitForURL('**/leaver'), page.click('text=Mark as a leaver')]);
    t.match(await mainText(page), /Are you sure Wendy Web .* has left\?/);
    await checkAccessibility(t, page);
    await Promise.all([page.waitForURL('**/people/wendy.web'), page.click('#confirm-leaver')]);
    t.match(await mainText(page), /Leaver/);
    t.equal((await dir.getPerson(systemActor, 'wendy.web')).status, 'leaver');
    await checkAccessibility(t, page, '/people/wendy.web (leaver)');
    await clickThrough(page, '#restore');
    await page.waitForSelector('text=Change details');
    t.equal((await dir.getPerson(systemActor, 'wendy.web')).status, 'active', 'restored');
    t.equal((await dir.getPerson(systemActor, 'wendy.web')).mail, 'wendy.web@nhs.net', 'with the same address');

    // Quotas.
    await page.goto('/organisations/RXA/quotas');
    t.match(await page.$$eval('#quotas tbody tr', (r) => r.map((x) => x.textContent!.replace(/\s+/g, ' ').trim())), [
      /^50 MB No limit \d+ No limit$/,
      /^200 MB No limit/,
      /^500 MB 1 \(3%\) 0 1$/,
      /^1024 MB 1 \(2%\) 0 1$/,
    ]);
    await checkAccessibility(t, page);

    // A staff feed: the dry run's report (joiners, a bad row by its line), then applied.
    await page.goto('/organisations/RXA/feeds');
    await checkAccessibility(t, page);
    const upload = async (csv: string) => {
      await page.goto('/organisations/RXA/feeds');
      await page.setInputFiles('#file', { name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await Promise.all([page.waitForSelector('#run-status'), page.click('button:has-text("Check the feed")')]);
    };
    await upload(staffCsv(...rxa, 'F99,,,,RXA,,,,,,,,,,'));
    t.match(await page.textContent('#run-status'), /Dry run/);
    t.match(await mainText(page), /Joiners\s*10.*Bad rows\s*1/);
    t.match(
      await page.$$eval('#bad-rows tbody td', (tds) => tds.map((td) => td.textContent!.trim())),
      ['12', /name/i],
      'the bad row by its line',
    );
    t.match(await page.textContent('#changes'), /Joiner\s+feed\.persona@nhs\.net/);
    await checkAccessibility(t, page, 'the dry run report');
    t.equal(await dir.getPerson(systemActor, 'feed.persona').catch(() => null), null, 'the dry run made nobody');
    await Promise.all([page.waitForURL('**/sync-runs/*'), page.click('#apply')]);
    t.match(await page.textContent('#run-status'), /Applied/);
    t.equal((await dir.getPerson(systemActor, 'feed.persona')).status, 'active', 'applied');
    await checkAccessibility(t, page);

    // Six of ten leave at once: held; approved from the page.
    await upload(staffCsv(...rxa.slice(0, 4)));
    t.match(await mainText(page), /It would be held/);
    await Promise.all([page.waitForURL('**/sync-runs/*'), page.click('#apply')]);
    t.match(await page.textContent('#run-status'), /Held for approval/);
    t.match(await mainText(page), /Why it is held.*6 of/);
    await checkAccessibility(t, page, 'a held run');
    const held = new URL(page.url()).pathname;
    await page.goto('/organisations/RXA/feeds');
    t.match(await mainText(page), /Held runs waiting for approval/);
    await Promise.all([page.waitForURL(`**${held}`), page.click(`a[href="${held}"] >> nth=0`)]);
    await clickThrough(page, '#approve');
    await page.waitForSelector('#run-status:has-text("Applied")');
    t.equal((await dir.getPerson(systemActor, 'feed.personj')).status, 'leaver', 'the approved run made the leavers');

    // A possible re-hire: Rita, who left RXB, in RXA's feed; linked to her earlier record.
    await upload(staffCsv(...rxa.slice(0, 4), 'A9,Rita,Return,,RXA,Sister,,,,,,,,qq 12 34 56 a,1970-01-31'));
    t.match(await page.textContent('#changes'), /Possible re-hire/);
    await Promise.all([page.waitForURL('**/sync-runs/*'), page.click('#apply')]);
    await page.click('a.nhsuk-header__navigation-link:has-text("Re-hires")');
    await page.waitForURL('**/review');
    t.match(await mainText(page), /Rita Return \(RXA\).*Earlier record: rita\.return@nhs\.net in RXB/);
    t.notMatch(await page.content(), /QQ123456A/i, 'no NI number on the page');
    await checkAccessibility(t, page);
    await Promise.all([page.waitForURL('**/people/rita.return'), page.click('button:has-text("Link to rita.return")')]);
    t.match(await mainText(page), /Rita Return.*Email address rita\.return@nhs\.net.*Job title Sister/);
    const rita = await dir.getPerson(systemActor, 'rita.return');
    t.match(
      { status: rita.status, orgCode: rita.orgCode },
      { status: 'active', orgCode: 'RXA' },
      'linked: active in RXA',
    );

    // The history and the audit log.
    await page.goto('/organisations/RXA/feeds');
    t.ok((await page.$$('#runs tbody tr')).length >= 4, 'the sync-run history');
    await page.goto('/organisations/RXA/audit');
    t.match(await mainText(page), /person:ann\.admin person\.create wendy\.web/);
    await checkAccessibility(t, page);
  },
);

// A local administrator's other tasks by keyboard alone (keyboard.test.ts has the joiner, leaver
// and restore; keyboard-feeds.test.ts the staff feeds): a mover, quotas (one given, one refused,
// the error summary's link to the field), a generic mailbox. axe-core on the pages admin.test.ts
// does not reach.
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import {
  checkAccessibility,
  chooseOption,
  chromiumMissing,
  enter,
  mainText,
  newPage,
  sharedBrowser,
  signInByKeyboard,
  tabTo,
  texts,
  typeIn,
  webFixture,
  webPasswords,
} from './browser.js';

const browser = sharedBrowser(t);
// A real browser on a machine that may be busy: a generous bound for the file (nothing asserts a time).
t.setTimeout(900_000);

t.test('a mover, quotas and a generic mailbox by keyboard alone', { skip: chromiumMissing }, async (t) => {
  const { base, dir } = await webFixture(t);
  // RXB's Jane Smith has left RXB: RXA may take her on at once. Bob Builder is still active in RXB.
  await dir.markLeaver(systemActor, 'jane.smith2');
  const { page } = await newPage(t, await browser(), base);
  await signInByKeyboard(page, 'ann.admin@nhs.net', webPasswords.admin);
  const toOrganisation = async () => {
    await tabTo(page, 'a.nhsuk-header__navigation-link[href="/organisations/RXA/people"]');
    await enter(page, '**/organisations/RXA/people');
    await tabTo(page, 'main a[href="/organisations/RXA"]');
    await enter(page, '**/organisations/RXA');
  };

  // A mover: someone still active elsewhere is asked for; a leaver of another organisation comes at once.
  await toOrganisation();
  await tabTo(page, 'a[href="/organisations/RXA/movers/new"]');
  await enter(page, '**/movers/new');
  await checkAccessibility(t, page);
  await typeIn(page, '#uid', 'bob.builder@nhs.net');
  await tabTo(page, 'form[action="/organisations/RXA/movers"] button');
  await Promise.all([page.waitForSelector('#requested'), page.keyboard.press('Enter')]);
  t.match(await page.textContent('#requested'), /bob\.builder is active in RXB: they move when it lets them go/);
  t.equal((await dir.getPerson(systemActor, 'bob.builder')).orgCode, 'RXB', 'Bob stays in RXB until it lets him go');
  t.match(await dir.listMoveRequests(systemActor, { org: 'RXA' }), [{ uid: 'bob.builder', toOrg: 'RXA' }]);
  await checkAccessibility(t, page, 'the mover form (asked for)');
  await typeIn(page, '#uid', 'jane.smith2');
  await typeIn(page, '#title', 'Ward Sister');
  await tabTo(page, 'form[action="/organisations/RXA/movers"] button');
  await enter(page, '**/people/jane.smith2');
  t.match(await mainText(page), /Job title Ward Sister.*Organisation Alpha Hospitals NHS Trust \(RXA\)/);
  t.match(
    await dir.getPerson(systemActor, 'jane.smith2'),
    { status: 'active', orgCode: 'RXA', mail: 'jane.smith2@nhs.net', title: 'Ward Sister' },
    'moved to RXA, by keyboard, keeping her address',
  );

  // Quotas: the largest mailbox for her, chosen with the arrow keys.
  await tabTo(page, 'a[href="/people/jane.smith2/edit"]');
  await enter(page, '**/people/jane.smith2/edit');
  await chooseOption(page, '#quota_mb', '1024 MB');
  await tabTo(page, 'form[action="/people/jane.smith2/edit"] button');
  await enter(page, '**/people/jane.smith2');
  t.equal((await dir.getPerson(systemActor, 'jane.smith2')).quotaMb, 1024, 'a quota, by keyboard');

  // A generic mailbox of 500 MB, owned by Jane Smith of RXA.
  await toOrganisation();
  await tabTo(page, 'a[href="/organisations/RXA/mailboxes/new"]');
  await enter(page, '**/mailboxes/new');
  await checkAccessibility(t, page);
  await typeIn(page, '#name', 'Ward 7 Pharmacy');
  await typeIn(page, '#owner_uid', 'jane.smith');
  await chooseOption(page, '#quota_mb', '500 MB');
  await tabTo(page, 'form[action="/organisations/RXA/mailboxes"] button');
  await enter(page, /\/mailboxes\/[^/]+$/);
  t.match(await mainText(page), /Ward 7 Pharmacy.*Owner\s*jane\.smith\s*Quota\s*500 MB/);
  const mailbox = await dir.getMailbox(systemActor, new URL(page.url()).pathname.split('/').pop()!);
  t.match(mailbox, { displayName: 'Ward 7 Pharmacy', ownerUid: 'jane.smith', quotaMb: 500, orgCode: 'RXA' });

  // The allowance used and left.
  await toOrganisation();
  await tabTo(page, 'a[href="/organisations/RXA/quotas"]');
  await enter(page, '**/organisations/RXA/quotas');
  t.match(await texts(page, '#quotas tbody tr'), [
    /^50 MB/,
    /^200 MB/,
    /^500 MB 1 \(3%\) 1 0$/,
    /^1024 MB 1 \(2%\) 1 0$/,
  ]);

  // A second 1024 MB mailbox is refused: the error summary takes focus; its link leads to the field.
  await tabTo(page, 'a.nhsuk-header__navigation-link[href="/organisations/RXA/people"]');
  await enter(page, '**/organisations/RXA/people');
  await tabTo(page, '#people a[href="/people/john.smithson"]');
  await enter(page, '**/people/john.smithson');
  await tabTo(page, 'a[href="/people/john.smithson/edit"]');
  await enter(page, '**/people/john.smithson/edit');
  await chooseOption(page, '#quota_mb', '1024 MB');
  await tabTo(page, 'form[action="/people/john.smithson/edit"] button');
  await Promise.all([page.waitForSelector('.nhsuk-error-summary'), page.keyboard.press('Enter')]);
  t.match(await page.textContent('.nhsuk-error-summary'), /1024/);
  t.ok(await page.$('.nhsuk-form-group--error #quota_mb'), 'the failing field is marked');
  await checkAccessibility(t, page, 'the edit form with a quota refused');
  await tabTo(page, '.nhsuk-error-summary a[href="#quota_mb"]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'quota_mb');
  t.pass("Enter on the summary's link puts the focus on the field");
  t.equal((await dir.getPerson(systemActor, 'john.smithson')).quotaMb, 200, 'the refused quota changed nothing');
});

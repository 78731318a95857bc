// Every task by keyboard alone: Tab to each control, type, Enter or Space. A user signs in, searches,
// opens a person, saves a mobile number, adds and removes a delegate of the generic mailbox she owns
// and signs out; an administrator adds a joiner, marks them a leaver through the confirmation page
// and restores them. The administrator's other tasks: keyboard-admin.test.ts and keyboard-national.test.ts.
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import {
  chooseOption,
  chromiumMissing,
  enter,
  mainText,
  newPage,
  sharedBrowser,
  signInByKeyboard,
  tabTo,
  typeIn,
  webFixture,
  webPasswords,
} from './browser.js';

const browser = sharedBrowser(t);
// A real browser on a machine that may be busy: a generous bound for the file (nothing asserts a time).
t.setTimeout(900_000);

t.test('every task by keyboard alone', { skip: chromiumMissing }, async (t) => {
  const { base, dir } = await webFixture(t);
  const { page } = await newPage(t, await browser(), base);

  await signInByKeyboard(page, 'jane.smith@nhs.net', webPasswords.jane);
  t.equal(new URL(page.url()).pathname, '/search');

  await typeIn(page, '#q', 'john');
  await enter(page, /q=john/);
  await tabTo(page, '#results a');
  await enter(page, '**/people/john.smithson');
  t.match(await mainText(page), /John Smithson/);

  await tabTo(page, 'a.nhsuk-header__navigation-link[href="/me"]');
  await enter(page, '**/me');
  await typeIn(page, '#mobile', '07700 900555');
  await tabTo(page, 'form[action="/me"] button');
  await enter(page, '**/me?done=details');
  t.equal((await dir.getPerson(systemActor, 'jane.smith')).mobile, '07700 900555', 'the mobile number, by keyboard');

  // The generic mailbox she owns: a delegate added (the permission chosen with the arrow keys), removed.
  await typeIn(page, '#mailbox', 'alpha.pharmacy@nhs.net');
  await enter(page, '**/mailboxes/alpha.pharmacy');
  await typeIn(page, '#person_uid', 'john.smithson');
  await chooseOption(page, '#permission', 'Send on behalf');
  await tabTo(page, 'form[action$="/delegates"] button');
  await Promise.all([page.waitForSelector('#delegates'), page.keyboard.press('Enter')]);
  t.same(await page.$$eval('#delegates tbody td', (tds) => tds.slice(0, 2).map((td) => td.textContent!.trim())), [
    'john.smithson',
    'Send on behalf',
  ]);
  t.same(
    (await dir.getMailbox(systemActor, 'alpha.pharmacy')).delegates,
    [{ uid: 'john.smithson', permission: 'send_on_behalf' }],
    'a delegate, by keyboard',
  );
  // Back up the page to the delegate's Remove button.
  await tabTo(page, '#delegates button', { back: true });
  await Promise.all([page.waitForSelector('text=No one else uses this mailbox'), page.keyboard.press('Enter')]);
  t.same((await dir.getMailbox(systemActor, 'alpha.pharmacy')).delegates, [], 'the delegate removed, by keyboard');

  await tabTo(page, '#sign-out');
  await enter(page, /sign-in\?reason=out/);

  await signInByKeyboard(page, 'ann.admin', webPasswords.admin);
  await tabTo(page, 'a.nhsuk-header__navigation-link[href="/organisations/RXA/people"]');
  await enter(page, '**/organisations/RXA/people');
  await tabTo(page, 'a[href="/organisations/RXA/joiners/new"]');
  await enter(page, '**/joiners/new');
  await typeIn(page, '#given_name', 'Kay');
  await typeIn(page, '#family_name', 'Board');
  await tabTo(page, 'form[action="/organisations/RXA/joiners"] button');
  await enter(page, '**/people/kay.board?joined=1');
  t.match(await page.textContent('#joined'), /kay\.board@nhs\.net/);
  await tabTo(page, 'a[href$="/leaver"]');
  await enter(page, '**/people/kay.board/leaver');
  await tabTo(page, '#confirm-leaver');
  await enter(page, '**/people/kay.board');
  t.equal((await dir.getPerson(systemActor, 'kay.board')).status, 'leaver', 'a leaver, by keyboard');
  await tabTo(page, '#restore');
  await Promise.all([page.waitForSelector('text=Change details'), page.keyboard.press('Enter')]);
  t.equal((await dir.getPerson(systemActor, 'kay.board')).status, 'active', 'restored, by keyboard');
});

// Sign-in and sessions in the browser: five wrong passwords lock the account and the page says so; a
// form posted without its CSRF token (or with another session's) is refused; a leaver's session ends
// at once. One browser for the file; axe-core on the pages shown.
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import {
  checkAccessibility,
  clickThrough,
  chromiumMissing,
  sharedBrowser,
  LOCKOUT_ATTEMPTS,
  mainText,
  newPage,
  signIn,
  webFixture,
  webPasswords,
} from './browser.js';

const browser = sharedBrowser(t);
// A real browser on a machine that may be busy: a generous bound for the file (nothing asserts a time).
t.setTimeout(900_000);

t.test('five wrong passwords lock the account, and the page says so', { skip: chromiumMissing }, async (t) => {
  const { base } = await webFixture(t);
  const { page } = await newPage(t, await browser(), base);
  await page.goto('/sign-in');
  for (let i = 0; i < LOCKOUT_ATTEMPTS; i++) {
    await page.fill('#username', 'jane.smith@nhs.net');
    await page.fill('#password', `wrong-${i}`);
    await clickThrough(page, 'button:has-text("Sign in")');
    await page.waitForSelector('.nhsuk-error-summary');
  }
  await page.fill('#username', 'jane.smith@nhs.net');
  await page.fill('#password', webPasswords.jane);
  await clickThrough(page, 'button:has-text("Sign in")');
  await page.waitForSelector('.nhsuk-error-summary');
  t.equal(new URL(page.url()).pathname, '/sign-in', 'the right password no longer signs in');
  await checkAccessibility(t, page, '/sign-in (refused)');
  t.match(
    await page.textContent('.nhsuk-error-summary'),
    /locked.*After 5 wrong passwords in a row an account is locked for 15 minutes/s,
  );
  t.ok(await page.$('.nhsuk-form-group--error #username'), 'the field is marked');
});

t.test('a form posted without its CSRF token is refused', { skip: chromiumMissing }, async (t) => {
  const { base, dir } = await webFixture(t);
  const { page } = await newPage(t, await browser(), base);
  await signIn(page, 'jane.smith@nhs.net', webPasswords.jane);
  await page.goto('/me');
  await page.fill('#mobile', '07700 900999');
  await page.$$eval('form[action="/me"] input[name="_csrf"]', (inputs) => inputs.forEach((i) => i.remove()));
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/me') && r.request().method() === 'POST'),
    page.click('button:has-text("Save numbers")'),
  ]);
  t.equal(response.status(), 403);
  await page.waitForSelector('h1:has-text("This form has expired")');
  await checkAccessibility(t, page, 'the refused form');
  t.equal((await dir.getPerson(systemActor, 'jane.smith')).mobile, '07700 900001', 'nothing changed');
  // A token from another session does not do either.
  const other = await newPage(t, await browser(), base);
  await signIn(other.page, 'ann.admin@nhs.net', webPasswords.admin);
  await other.page.goto('/me');
  const foreign = await other.page.getAttribute('form[action="/me"] input[name="_csrf"]', 'value');
  await page.goto('/me');
  await page.$eval('form[action="/me"] input[name="_csrf"]', (i, v) => ((i as HTMLInputElement).value = v!), foreign);
  const [again] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/me') && r.request().method() === 'POST'),
    page.click('button:has-text("Save numbers")'),
  ]);
  t.equal(again.status(), 403, "another session's token is refused");
});

t.test("a leaver's session stops working at once", { skip: chromiumMissing }, async (t) => {
  const { base, dir } = await webFixture(t);
  const { page } = await newPage(t, await browser(), base);
  await signIn(page, 'jane.smith@nhs.net', webPasswords.jane);
  await page.goto('/me');
  t.match(await mainText(page), /My details/);
  await dir.markLeaver(systemActor, 'jane.smith');
  await page.goto('/me');
  t.equal(new URL(page.url()).pathname, '/sign-in', 'the next page asks to sign in');
  t.match(await mainText(page), /Your session has ended/);
  await page.fill('#username', 'jane.smith@nhs.net');
  await page.fill('#password', webPasswords.jane);
  await clickThrough(page, 'button:has-text("Sign in")');
  await page.waitForSelector('.nhsuk-error-summary');
  t.equal(new URL(page.url()).pathname, '/sign-in', 'and a leaver cannot sign in again');
});

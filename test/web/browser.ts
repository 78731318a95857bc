// The web pages in a real browser: Debian's Chromium (no browser download) driven by playwright-core,
// against the real HTTP server and LDAP server over one test directory (PGlite, or PostgreSQL when
// DATABASE_URL is set). axe-core checks each page at WCAG 2.2 AA. Tests wait on conditions only.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { systemActor } from '../../src/directory/actor.js';
import { createDirectory } from '../../src/directory/directory.js';
import { Dit } from '../../src/ldap/mapping.js';
import { startLdapServer } from '../../src/ldap/server.js';
import { openTestDatabase } from '../helpers/db.js';
import { testSettings } from '../helpers/directory.js';
import { passwords, seed } from '../helpers/ldap.js';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumMissing = !existsSync(CHROMIUM) && 'needs Chromium (Debian package chromium; .ci/run installs it)';

/** The lockout the issue describes: five wrong passwords in a row. */
export const LOCKOUT_ATTEMPTS = 5;

export const webPasswords = { ...passwords, bob: 'bob-admin-password', nat: 'national-admin-password' };

/**
 * The seeded directory (test/helpers/ldap.ts: Jane Smith, Ann Admin of RXA, ...), plus Bob Builder as
 * local administrator of RXB and Nia National, a national administrator; served over HTTP and LDAP.
 */
export async function webFixture(t: Test) {
  const database = await openTestDatabase();
  const dir = createDirectory(database, { ...testSettings, lockoutAttempts: LOCKOUT_ATTEMPTS });
  const unwatch = await dir.watchChanges();
  await seed(dir);
  await dir.grantRole(systemActor, { uid: 'bob.builder' }, { role: 'local_admin', orgCode: 'RXB' });
  await dir.setPassword(systemActor, 'bob.builder', { newPassword: webPasswords.bob });
  const nia = await dir.createJoiner(systemActor, { givenName: 'Nia', familyName: 'National', orgCode: 'RXB' });
  await dir.grantRole(systemActor, { uid: nia.uid }, { role: 'national_admin' });
  await dir.setPassword(systemActor, nia.uid, { newPassword: webPasswords.nat });
  const app = await buildApp(dir, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const ldap = await startLdapServer({
    directory: dir,
    dit: new Dit('o=nhs'),
    anonymous: false,
    sizeCap: 500,
    vendorVersion: 'test',
    host: '127.0.0.1',
    port: 0,
    idleSeconds: 60,
    log: pino({ level: 'silent' }),
  });
  t.teardown(async () => {
    await ldap.close();
    await app.close();
    await unwatch?.();
    await database.close();
  });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { dir, app, base, ldapUrl: `ldap://127.0.0.1:${ldap.port}` };
}

/** One browser for a test file: launched when first asked for, closed when the file's tests end. */
export function sharedBrowser(t: Test): () => Promise<Browser> {
  let browser: Promise<Browser> | undefined;
  return () => (browser ??= launch(t));
}

async function launch(t: Test): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  t.teardown(() => browser.close());
  return browser;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const wcag = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

interface AxeResult {
  violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
}

/** axe-core on the page as it is now: the test fails with each violation at WCAG 2.2 AA. */
export async function checkAccessibility(t: Test, page: Page, what = new URL(page.url()).pathname) {
  await page.waitForLoadState('load');
  // Evaluated by the browser's debugger protocol, not as a page script: the CSP forbids inline script.
  await page.evaluate(axeSource);
  const result = await page.evaluate(
    (tags) =>
      (globalThis as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<unknown> } }).axe.run(document, {
        runOnly: { type: 'tag', values: tags },
      }),
    wcag,
  );
  const violations = (result as AxeResult).violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  t.same(violations, [], `no WCAG 2.2 AA violations on ${what}`);
}

/** A page in a fresh browser context (its own cookies), every page it opens checked by axe. */
export async function newPage(
  t: Test,
  browser: Browser,
  base: string,
): Promise<{ page: Page; context: BrowserContext }> {
  const context = await browser.newContext({ baseURL: base, acceptDownloads: true });
  // Generous: the machine may be busy. These bound waits for conditions; nothing asserts a time.
  context.setDefaultTimeout(120_000);
  t.teardown(() => context.close());
  const page = await context.newPage();
  return { page, context };
}

/** Sign in through the form; waits for the page after it. */
export async function signIn(page: Page, username: string, password: string) {
  await page.goto('/sign-in');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/sign-in')),
    page.click('button:has-text("Sign in")'),
  ]);
}

/** The text of the main content, whitespace collapsed. */
export const mainText = async (page: Page) => ((await page.textContent('main')) ?? '').replace(/\s+/g, ' ').trim();

/** The text of each element `selector` matches (table rows, cells), whitespace collapsed. */
export const texts = (page: Page, selector: string) =>
  page.$$eval(selector, (els) => els.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()));

// Keyboard alone: Tab and Shift+Tab to a control, type, Enter or Space. No clicks, no fill().

/** Press Tab (Shift+Tab when `back`) until the focused element matches `selector`, at most `max` times. */
export async function tabTo(page: Page, selector: string, { back = false, max = 80 } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`${back ? 'Shift+Tab' : 'Tab'} never reached ${selector}`);
}

/**
 * Do what leads to another page and wait for that page to load. The new document is awaited:
 * waiting for a URL or a load state alone returns at once when the page left already matches
 * (an address checked twice, a refusal shown again), before the answer has come.
 */
async function toNewPage(page: Page, act: () => Promise<void>) {
  const navigated = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  await act();
  await navigated;
  await page.waitForLoadState('load');
}

/** Activate the focused control with Enter and wait for the page it leads to. */
export async function enter(page: Page, url: Parameters<Page['waitForURL']>[0]) {
  await toNewPage(page, () => page.keyboard.press('Enter'));
  await page.waitForURL(url);
}

/** Click a control that submits a form or follows a link, and wait for the page it leads to. */
export async function clickThrough(page: Page, selector: string) {
  await toNewPage(page, () => page.click(selector));
}

/** Tab to a text field and type into it, replacing what it held (Control+A selects it first). */
export async function typeIn(page: Page, selector: string, text: string, options: { back?: boolean } = {}) {
  await tabTo(page, selector, options);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

/** Tab to a drop-down and move through it with the arrow keys (as a user does) to the option labelled `label`. */
export async function chooseOption(page: Page, selector: string, label: string) {
  await tabTo(page, selector);
  const chosen = () => page.$eval(selector, (s) => (s as HTMLSelectElement).selectedOptions[0]?.text.trim());
  const count = await page.$eval(selector, (s) => (s as HTMLSelectElement).options.length);
  await page.keyboard.press('Home');
  for (let i = 0; i < count; i++) {
    if ((await chosen()) === label) return;
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`${selector} has no option ${label} (at ${await chosen()})`);
}

/**
 * Tab to a file input and open it with Space. The native file dialog cannot be driven, so the file
 * is handed to the dialog Playwright intercepts: everything up to choosing the file is the keyboard's.
 */
export async function chooseFile(
  page: Page,
  selector: string,
  file: { name: string; mimeType: string; buffer: Buffer },
) {
  // Waited for before the Tabs: Playwright turns on intercepting the dialog when a listener is
  // added, and a Space pressed in the same moment could reach the page first (a CI run waited two
  // minutes for a dialog that had opened unintercepted).
  const chooser = page.waitForEvent('filechooser');
  chooser.catch(() => {}); // awaited below; handled here too, should the Tabs fail first
  await tabTo(page, selector);
  await page.keyboard.press('Space');
  await (await chooser).setFiles(file);
}

/** Sign in through the form by keyboard: from the skip link to the fields, Enter on the password. */
export async function signInByKeyboard(page: Page, username: string, password: string) {
  await page.goto('/sign-in');
  await tabTo(page, '.nhsuk-skip-link');
  await typeIn(page, '#username', username);
  await typeIn(page, '#password', password);
  await enter(page, (u) => !u.pathname.startsWith('/sign-in'));
}

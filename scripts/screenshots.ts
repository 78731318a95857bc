// `npm run screenshots`: the main web pages in Chromium, saved under docs/screenshots/ for the README.
// The same browser helper and directory as the browser tests (test/web/browser.ts), on PGlite.
import { mkdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import t from 'tap';
import { systemActor } from '../src/directory/actor.js';
import { createSync } from '../src/sync/runs.js';
import { staffCsv } from '../test/helpers/feeds.js';
import { newPage, sharedBrowser, signIn, webFixture, webPasswords } from '../test/web/browser.js';

const out = new URL('../docs/screenshots/', import.meta.url);
mkdirSync(out, { recursive: true });
t.setTimeout(900_000);

t.test('screenshots', async (t) => {
  const { base, dir } = await webFixture(t);
  const rows = Array.from(
    { length: 10 },
    (_, i) => `F${i},Feed,Person${String.fromCharCode(97 + i)},,RXA,Nurse,,,,,,,,,`,
  );
  const sync = createSync(dir, 0.1);
  const csv = Buffer.from(staffCsv(...rows));
  await sync.runFeed(systemActor, {
    connector: 'csv',
    kind: 'staff',
    orgCode: 'RXA',
    source: { stream: Readable.from([csv]) },
  });
  const { page } = await newPage(t, await sharedBrowser(t)(), base);
  await page.setViewportSize({ width: 1100, height: 800 });
  const shot = async (name: string) => {
    await page.waitForLoadState('load');
    await page.screenshot({ path: new URL(`${name}.png`, out).pathname, fullPage: true });
  };
  await page.goto('/sign-in');
  await shot('sign-in');
  await signIn(page, 'ann.admin@nhs.net', webPasswords.admin);
  await page.goto('/search?q=smith&org=');
  await shot('search');
  await page.goto('/people/jane.smith');
  await shot('person');
  await page.goto('/organisations/RXA');
  await shot('organisation');
  await page.goto('/me');
  await shot('my-details');
  await page.goto('/organisations/RXA/people');
  await shot('people');
  await page.goto('/organisations/RXA/joiners/new');
  await page.click('button:has-text("Add joiner")');
  await page.waitForSelector('.nhsuk-error-summary');
  await shot('joiner-errors');
  await page.goto('/organisations/RXA/feeds');
  await page.setInputFiles('#file', {
    name: 'staff.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(staffCsv(...rows.slice(0, 8), 'F20,Nina,New,,RXA,Porter,,,,,,,,,', 'F21,,,,RXA,,,,,,,,,,')),
  });
  await Promise.all([page.waitForSelector('#run-status'), page.click('button:has-text("Check the feed")')]);
  await shot('feed-dry-run');
  await page.goto('/organisations/RXA/quotas');
  await shot('quotas');
  t.pass('screenshots saved under docs/screenshots/');
});

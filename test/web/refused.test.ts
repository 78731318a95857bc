// Another organisation's administrator in the browser: Bob Builder (local administrator of RXB) is
// refused each of RXA's tasks, by the pages and when he posts their forms anyway (with a valid form
// token of his own session); nothing changes in RXA.
import type { Page } from 'playwright-core';
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { createReview } from '../../src/sync/review.js';
import { createSync } from '../../src/sync/runs.js';
import { csvFeed, ritaLeftRxb, staffCsv } from '../helpers/feeds.js';
import {
  checkAccessibility,
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

const rxa = Array.from({ length: 10 }, (_, i) => `F${i},Feed,Person${String.fromCharCode(97 + i)},,RXA,Nurse,,,,,,,,,`);

/** Post a form to `action` from the page, with the page's own form token, as a browser would. */
async function post(page: Page, action: string, fields: Record<string, string> = {}) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === action && r.request().method() === 'POST'),
    page.waitForURL((u) => u.pathname === action),
    page.evaluate(
      ({ action, fields }) => {
        const token = (document.querySelector('input[name="_csrf"]') as HTMLInputElement).value;
        const form = document.createElement('form');
        form.method = 'post';
        form.action = action;
        for (const [name, value] of Object.entries({ ...fields, _csrf: token })) {
          const input = document.createElement('input');
          input.type = 'hidden';
          input.name = name;
          input.value = value;
          form.append(input);
        }
        document.body.append(form);
        form.submit();
      },
      { action, fields },
    ),
  ]);
  return response.status();
}

t.test("another organisation's administrator is refused each of RXA's tasks", { skip: chromiumMissing }, async (t) => {
  const { base, dir } = await webFixture(t);
  const sync = createSync(dir, 0.1);
  await ritaLeftRxb(sync);
  await csvFeed(sync, 'RXA', staffCsv(...rxa, 'A9,Rita,Return,,RXA,Sister,,,,,,,,qq 12 34 56 a,1970-01-31'));
  const held = await csvFeed(sync, 'RXA', staffCsv(...rxa.slice(0, 4)));
  t.equal(held.status, 'held');
  const [item] = await createReview(dir).listReview(systemActor, { limit: 10 });
  t.equal(item.orgCode, 'RXA');

  const { page } = await newPage(t, await browser(), base);
  await signIn(page, 'bob.builder@nhs.net', webPasswords.bob);
  const refusedPage = async (path: string, status = 403) => {
    const response = await page.goto(path);
    t.equal(response!.status(), status, `GET ${path} is refused`);
    t.match(await mainText(page), status === 403 ? /You cannot do that/ : /Page not found/);
  };
  await refusedPage('/organisations/RXA/people');
  await checkAccessibility(t, page, 'the 403 page');
  await refusedPage('/organisations/RXA/joiners/new');
  await refusedPage('/people/john.smithson/leaver');
  await refusedPage('/people/john.smithson/edit');
  await refusedPage('/organisations/RXA/feeds');
  await refusedPage('/organisations/RXA/audit');
  await refusedPage(`/sync-runs/${held.run_id}`, 404);
  await checkAccessibility(t, page, 'the 404 page');
  await refusedPage('/people/lee.leaver', 404);

  await page.goto('/me');
  t.equal(
    await post(page, '/organisations/RXA/joiners', { given_name: 'Sneaky', family_name: 'Joiner' }),
    403,
    'joiner',
  );
  await page.goto('/me');
  t.equal(await post(page, '/people/john.smithson/leaver'), 403, 'leaver');
  await page.goto('/me');
  t.equal(await post(page, '/people/lee.leaver/restore'), 404, 'restore: the leaver is not even visible');
  await page.goto('/me');
  t.equal(await post(page, `/sync-runs/${held.run_id}/approve`), 404, 'approving the held run');
  await page.goto('/me');
  t.equal(await post(page, `/review/${item.id}`, { action: 'link' }), 403, 'linking the re-hire');
  await page.goto('/review');
  t.notMatch(await mainText(page), /Rita/, "RXA's review queue is not shown");

  // The feed form of his own organisation, sent to RXA's address.
  await page.goto('/organisations/RXB/feeds');
  await page.setInputFiles('#file', { name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(staffCsv(...rxa)) });
  await page.$eval('form[enctype]', (f) => ((f as HTMLFormElement).action = '/organisations/RXA/feeds'));
  const [upload] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/organisations/RXA/feeds') && r.request().method() === 'POST'),
    page.click('button:has-text("Check the feed")'),
  ]);
  t.equal(upload.status(), 403, 'uploading a feed');

  t.equal((await dir.getPerson(systemActor, 'john.smithson')).status, 'active', 'John is still active');
  t.equal(await dir.getPerson(systemActor, 'sneaky.joiner').catch(() => null), null, 'no joiner was made');
  t.equal((await sync.getRun(systemActor, held.run_id)).status, 'held', 'the run is still held');
  t.equal((await createReview(dir).listReview(systemActor, { limit: 10 })).length, 1, 'the re-hire still waits');
});

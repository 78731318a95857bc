// Attacker's pass on the web pages: each test states what should happen and fails while the hole is open.
// Plain HTTP against the real server (no browser needed).
import t from 'tap';
import { pendingLimits } from '../../src/web/feeds.routes.js';
import { staffCsv } from '../helpers/feeds.js';
import { webFixture, webPasswords } from './browser.js';

/** A cookie jar of one: name=value pairs from Set-Cookie, sent back as Cookie. */
class Jar {
  cookies = new Map<string, string>();
  take(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const value = pair.slice(i + 1);
      if (value === '') this.cookies.delete(pair.slice(0, i));
      else this.cookies.set(pair.slice(0, i), value);
    }
  }
  get header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function formToken(base: string, jar: Jar, path: string) {
  const res = await fetch(base + path, { headers: { cookie: jar.header }, redirect: 'manual' });
  jar.take(res);
  const html = await res.text();
  return /name="_csrf" value="([^"]+)"/.exec(html)![1];
}

async function post(base: string, jar: Jar, path: string, form: Record<string, string>) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { cookie: jar.header, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
  jar.take(res);
  return res;
}

async function signIn(base: string, username: string, password: string, next = '/search') {
  const jar = new Jar();
  const _csrf = await formToken(base, jar, '/sign-in');
  const res = await post(base, jar, '/sign-in', { _csrf, username, password, next });
  return { jar, res };
}

t.test('sign-in never sends the browser to another site (tab in next)', async (t) => {
  const { base } = await webFixture(t);
  for (const next of ['/\t/evil.example/x', '/\n/evil.example/x', '/\r/evil.example/x']) {
    const { res } = await signIn(base, 'jane.smith@nhs.net', webPasswords.jane, next);
    // A newline in next: seen 500 (the Location header cannot hold it) after the session was made.
    t.equal(res.status, 303, `next=${JSON.stringify(next)}: signed in and redirected, not an error page`);
    const location = res.headers.get('location') ?? '';
    // Browsers strip ASCII tab and newlines from a URL before resolving it (WHATWG URL parser).
    const resolved = new URL(location.replace(/[\t\n\r]/g, ''), base);
    t.equal(resolved.origin, new URL(base).origin, `next=${JSON.stringify(next)} stays on this site: ${location}`);
  }
});

t.test('a multipart body from someone not signed in is not read into memory', async (t) => {
  const { base } = await webFixture(t);
  const big = new Blob([new Uint8Array(8 * 1024 * 1024)]);
  for (const path of ['/sign-in', '/sign-out', '/me']) {
    const form = new FormData();
    form.append('file', big, 'x.csv');
    const res = await fetch(base + path, { method: 'POST', body: form, redirect: 'manual' });
    await res.arrayBuffer();
    // Expected: refused before the body is buffered (413, as the form bodyLimit of 64 KiB does for
    // urlencoded bodies). Seen: the whole body is buffered by @fastify/multipart's preValidation hook
    // (up to 64 MiB per file plus 1000 parts of 1 MiB) before the session or CSRF check, then 303/403.
    t.equal(res.status, 413, `${path}: an 8 MiB multipart body without a session is refused as too large`);
  }
});

t.test('an address-book format named after an Object property is a 400, not a 500', async (t) => {
  const { base } = await webFixture(t);
  const { jar } = await signIn(base, 'jane.smith@nhs.net', webPasswords.jane);
  for (const format of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
    const res = await fetch(`${base}/organisations/RXA/address-book?format=${format}`, {
      headers: { cookie: jar.header, accept: 'text/html' },
    });
    await res.arrayBuffer();
    t.equal(res.status, 400, `format=${format}`);
  }
});

t.test('a sign-in notice named after an Object property shows no notice', async (t) => {
  const { base } = await webFixture(t);
  for (const reason of ['constructor', 'toString', '__proto__']) {
    const res = await fetch(`${base}/sign-in?reason=${reason}`, { headers: { accept: 'text/html' } });
    t.equal(res.status, 200, `reason=${reason}`);
    const html = await res.text();
    t.match(html, /<title>Sign in – NHS Directory<\/title>/);
    t.notMatch(html, /nhsuk-inset-text/, `reason=${reason}: no notice (seen: the text of Object's ${reason})`);
  }
});

t.test('only the owner or an administrator of its organisation sees the add-delegate form', async (t) => {
  const { base } = await webFixture(t);
  const who = [
    ['jane.smith@nhs.net', webPasswords.jane, true], // the owner
    ['ann.admin@nhs.net', webPasswords.admin, true], // local administrator of RXA
    ['bob.builder@nhs.net', webPasswords.bob, false], // administrator of RXB only
  ] as const;
  for (const [user, password, sees] of who) {
    const { jar } = await signIn(base, user, password);
    const res = await fetch(`${base}/mailboxes/alpha.pharmacy`, { headers: { cookie: jar.header } });
    t.equal(res.status, 200, `${user} may read the mailbox`);
    const html = await res.text();
    t.equal(html.includes('Add a delegate'), sees, `${user} ${sees ? 'sees' : 'does not see'} the form`);
  }
});

/** A dry run of a staff feed from the feeds page of RXA, as the one signed in through `jar`. */
async function dryRun(base: string, jar: Jar, csv: string) {
  const _csrf = await formToken(base, jar, '/organisations/RXA/feeds');
  const form = new FormData();
  form.append('_csrf', _csrf);
  form.append('connector', 'csv');
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'staff.csv');
  const res = await fetch(`${base}/organisations/RXA/feeds`, {
    method: 'POST',
    headers: { cookie: jar.header },
    body: form,
    redirect: 'manual',
  });
  jar.take(res);
  return { status: res.status, html: await res.text() };
}

t.test('dry runs waiting to be applied: one per session, within a budget, never dropping another', async (t) => {
  const { base } = await webFixture(t);
  const csv = staffCsv('F01,Feed,Persona,,RXA,,,,,,,,,,');
  const before = pendingLimits.bytes;
  pendingLimits.bytes = Buffer.byteLength(csv) + 10; // room for one upload
  t.teardown(() => void (pendingLimits.bytes = before));
  const ann = (await signIn(base, 'ann.admin@nhs.net', webPasswords.admin)).jar;
  const nia = (await signIn(base, 'nia.national@nhs.net', webPasswords.nat)).jar;

  const first = await dryRun(base, ann, csv);
  t.equal(first.status, 200, 'the first dry run is shown');
  t.match(first.html, /id="apply"/, 'and can be applied');
  const again = await dryRun(base, ann, csv);
  t.equal(again.status, 200, 'a second dry run of the same session replaces the first');
  t.match(again.html, /id="apply"/);

  const other = await dryRun(base, nia, csv);
  t.equal(other.status, 503, 'another session is refused while the budget is full');
  t.match(other.html, /Too many uploads are waiting/);
  t.notMatch(other.html, /id="apply"/);

  // Ann's upload was not dropped for Nia's: she can still apply it.
  const applyId = /name="upload" value="([^"]+)"/.exec(again.html)![1];
  const _csrf = await formToken(base, ann, '/organisations/RXA/feeds');
  const applied = await post(base, ann, '/organisations/RXA/feeds/apply', { _csrf, upload: applyId });
  t.equal(applied.status, 303, 'the waiting upload is applied');
  t.match(applied.headers.get('location'), /^\/sync-runs\/\d+$/);

  const after = await dryRun(base, nia, csv);
  t.equal(after.status, 200, 'once applied, the budget has room again');
  t.equal((await dryRun(base, ann, csv)).status, 503, "Nia's upload now fills it");

  // Signing out forgets the session's waiting upload.
  const out = await post(base, nia, '/sign-out', { _csrf: await formToken(base, nia, '/search') });
  t.equal(out.status, 303, 'Nia signs out');
  t.equal((await dryRun(base, ann, csv)).status, 200, "then Ann's dry run fits");
});

t.test('a query parameter given twice is answered as a page, never an internal error', async (t) => {
  const { base } = await webFixture(t);
  const { jar } = await signIn(base, 'bob.builder@nhs.net', webPasswords.bob);
  // Seen: 500 (`.trim` of an array) for the search page's new organisation code field, and for q.
  for (const path of [
    '/search?q=jane&org=RXA&org=RXB',
    '/search?q=jane&q=smith',
    '/search?q=jane&after=a&after=b',
    '/organisations/RXB/people?q=bob&q=jane',
  ]) {
    const res = await fetch(base + path, { headers: { cookie: jar.header, accept: 'text/html' } });
    const html = await res.text();
    t.equal(res.status, 200, `${path}: a page`);
    t.match(html, /<h1[^>]*>/, `${path}: with its heading`);
  }
  const res = await fetch(`${base}/search?q=smith&org=RXB&org=RXA`, { headers: { cookie: jar.header } });
  const html = await res.text();
  t.match(html, /value="RXB"/, 'the first code given is the one searched and shown');
  t.match(html, /jane\.smith2/, "RXB's Jane Smith is found");
  t.notMatch(html, /href="\/people\/jane\.smith"/, "RXA's is not");
});

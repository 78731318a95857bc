// npm run bench:http — the REST API against a bare fastify route (the floor), in one run, on the
// people of the LDAP benchmark (PostgreSQL, DATABASE_URL), measured with autocannon at 10
// connections; and a 20,000-person vCard download: time and the server's peak memory.
// --smoke: the 2,000-person data set, 1 s a measurement. --national: the 1,500,000 people of
// `bench:ldap -- --national` (made here if missing), no download. BENCH_SECONDS: seconds a measurement.
// BENCH_BASELINE: a checkout of older code (with its node_modules) measured beside ours, side by side.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import { identifierHmac } from '../../src/directory/secrets.js';
import { memoryMb } from '../proc.js';
import { prefixes } from '../ldap/names.js';
import { chooseDataset, openDataset, sampleQueries } from '../ldap/seed.js';
import { withSteal } from '../steal.js';

const argv = process.argv.slice(2);
const smoke = argv.includes('--smoke'),
  national = argv.includes('--national');
const ds = chooseDataset(argv);
const seconds = Number(process.env.BENCH_SECONDS ?? (smoke ? 1 : 10));
const warmSeconds = smoke ? 1 : 2;
const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const work = join(process.cwd(), 'bench', '.work');
mkdirSync(work, { recursive: true });
const ADMIN_PASSWORD = 'bench-admin-password';
// The data sets are databases on the PostgreSQL server that every checkout shares, so the servers
// get one constant key (bench:sync's and bench:ldap's), not each checkout's DATA_DIR key file: a key
// differing from the one a database recorded stops the server ("IDENTIFIER_KEY differs").
const IDENTIFIER_KEY = 'bench-identifier-key-0123456789abcdef0';

const { url, db } = await openDataset(server, ds);
// The bench people carry no NI-number or date-of-birth HMACs, so recording this key's check (over
// whatever key a server of another checkout recorded before) loses nothing.
await db.query(
  `insert into settings (key, value) values ('identifier_key_check', $1)
   on conflict (key) do update set value = excluded.value`,
  [identifierHmac(IDENTIFIER_KEY, 'ni', 'key-check')],
);
// One organisation for the download (20,000 people; 2,000 in the smoke), not in the national set.
const bigSize = smoke ? 2_000 : 20_000;
if (!national) {
  await db.query(`insert into organisations (code, name) values ('BIG', 'Big Bench NHS Trust') on conflict do nothing`);
  await db.query(
    `
    insert into people (uid, mail, given_name, family_name, cn, display_name, org_code, title, department, telephone)
    select 'big.person' || i, 'big.person' || i || '@nhs.net', 'Big', 'Person' || i, 'Big Person' || i,
      'Big Person' || i || ' (Big Bench NHS Trust)', 'BIG', 'Staff Nurse', 'Cardiology', '0113 496 0000'
    from generate_series(1, $1::int) i on conflict do nothing`,
    [bigSize],
  );
}
const sample = (
  await db.query<{ uid: string }>('select uid from people where org_code <> $1 order by id limit 1000', ['BIG'])
).map((r) => r.uid);
// Prefixes cut from the names of 5,000 people across the directory, as often as those names occur.
const manyPrefixes = (await sampleQueries(db)).prefixes;
await db.close();

const children: ChildProcess[] = [];
// Whatever ends this process (an error, ^C), the servers it started end with it.
process.on('exit', () => {
  for (const c of children) c.kill('SIGTERM');
});
process.on('SIGINT', () => process.exit(130));
/** Each process's output goes to bench/.work/http-<port>.log, to say why it ended if it did. */
const logOf = (port: number) => join(work, `http-${port}.log`);
const start = (port: number, args: string[], env: Record<string, string> = {}, cwd = '.') => {
  const fd = openSync(logOf(port), 'w');
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH!, ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  children.push(child);
  return child;
};
// Ours as configured by default (or with ENTRY_CACHE_SIZE as given), as bench:ldap runs it.
const serve = (httpPort: number, ldapPort: number, cache: string | undefined, cwd = '.') =>
  start(
    httpPort,
    ['bin/nhsdir.js', 'serve'],
    {
      DATABASE_URL: url,
      DEMO: 'false',
      HTTP_PORT: String(httpPort),
      LDAP_PORT: String(ldapPort),
      DATA_DIR: join(work, 'data'),
      IDENTIFIER_KEY, // the baseline's too: the same database, so the same key
      LOG_LEVEL: 'warn',
      ADMIN_PASSWORD,
      ...(cache ? { ENTRY_CACHE_SIZE: cache } : {}),
    },
    cwd,
  );
const ours = serve(3980, 3990, process.env.ENTRY_CACHE_SIZE);
// The same with the entry cache off: what a search costs when its people are read for the first time.
const uncached = serve(3982, 3992, '0');
const floor = start(3981, ['--import', 'tsx', 'bench/http/floor.ts', '3981']);
const baselineDir = process.env.BENCH_BASELINE;
const baseline = baselineDir ? serve(3983, 3993, process.env.ENTRY_CACHE_SIZE, baselineDir) : null;
/** Waits until `u` answers; gives up at once, with the end of its log, if `child` has exited. */
const waitFor = async (u: string, child: ChildProcess) => {
  const port = Number(new URL(u).port);
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = readFileSync(logOf(port), 'utf8').trimEnd().split('\n').slice(-10).join('\n');
      throw new Error(
        `the process for ${u} exited (${child.exitCode ?? child.signalCode}) before answering; ` +
          `the end of bench/.work/http-${port}.log:\n${tail}`,
      );
    }
    try {
      await fetch(u);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`no answer from ${u}`);
};
await waitFor('http://127.0.0.1:3980/healthz', ours);
await waitFor('http://127.0.0.1:3981/', floor);
await waitFor('http://127.0.0.1:3982/healthz', uncached);
if (baseline) await waitFor('http://127.0.0.1:3983/healthz', baseline);
const login = await fetch('http://127.0.0.1:3980/api/v1/auth/token', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
});
const { access_token: token } = (await login.json()) as { access_token: string };
const headers = { authorization: `Bearer ${token}` };

// The search page (issue 14) as a signed-in person: a password set over REST, then the sign-in
// form with its CSRF token, as a browser would; the session cookie goes with each page request.
const benchUid = sample[0];
await fetch(`http://127.0.0.1:3980/api/v1/people/${benchUid}/password`, {
  method: 'PUT',
  headers: { ...headers, 'content-type': 'application/json' },
  body: JSON.stringify({ new_password: ADMIN_PASSWORD }),
});
const form = await fetch('http://127.0.0.1:3980/sign-in');
const csrfCookie = (form.headers.getSetCookie().find((c) => c.startsWith('nhsd_csrf=')) ?? '').split(';')[0];
const csrfToken = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
const signedIn = await fetch('http://127.0.0.1:3980/sign-in', {
  method: 'POST',
  redirect: 'manual',
  headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
  body: new URLSearchParams({ _csrf: csrfToken, username: benchUid, password: ADMIN_PASSWORD, next: '/search' }),
});
const sessionCookie = (signedIn.headers.getSetCookie().find((c) => c.startsWith('nhsd_session=')) ?? '').split(';')[0];
if (!sessionCookie) throw new Error(`signing in to the web pages answered ${signedIn.status}`);
// A browser sends back every cookie it was given: the session's and the CSRF secret's.
const pageHeaders = { cookie: `${sessionCookie}; ${csrfCookie}`, accept: 'text/html' };

type Cannon = { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
const run = (
  name: string,
  target: string,
  paths: () => string,
  duration: number,
  as: Record<string, string> = headers,
) =>
  new Promise<Record<string, number | string>>((resolve, reject) => {
    autocannon(
      {
        url: target,
        connections: 10,
        duration,
        headers: as,
        requests: [{ setupRequest: (req: { path: string }) => ({ ...req, path: paths() }) }],
      },
      (err: Error | null, r: Cannon) =>
        err
          ? reject(err)
          : resolve({
              name,
              perSecond: Math.round(r.requests.average),
              p50: r.latency.p50,
              p99: r.latency.p99,
              non2xx: r.non2xx,
              errors: r.errors,
            }),
    );
  });
// Each after a warm-up, as the LDAP benchmark does (connections, prepared statements, the entry
// cache): the cold case is measured on its own, with the entry cache off.
const load = async (name: string, target: string, paths: () => string, as: Record<string, string> = headers) => {
  await run(name, target, paths, warmSeconds, as);
  return withSteal(() => run(name, target, paths, seconds, as));
};
let n = 0;
const common = () => `/api/v1/people?q=${prefixes[n++ % prefixes.length]}`;
const byUid = () => `/api/v1/people/${sample[n++ % sample.length]}`;
const results = [
  await load('floor: bare fastify, constant', 'http://127.0.0.1:3981', () => '/'),
  await load('person by uid', 'http://127.0.0.1:3980', byUid),
  ...(baselineDir ? [await load('person by uid, baseline', 'http://127.0.0.1:3983', byUid)] : []),
  await load('search by prefix (q=, limit 50)', 'http://127.0.0.1:3980', common),
  ...(baselineDir ? [await load('search by prefix, baseline', 'http://127.0.0.1:3983', common)] : []),
  await load('search by prefix, entry cache off', 'http://127.0.0.1:3982', common),
  await load(
    'search page (HTML, web session)',
    'http://127.0.0.1:3980',
    () => `/search?q=${prefixes[n++ % prefixes.length]}`,
    pageHeaders,
  ),
  await load(
    'search by prefix, many names',
    'http://127.0.0.1:3980',
    () => `/api/v1/people?q=${manyPrefixes[(n++ * 7919) % manyPrefixes.length]}`,
  ),
];
const afterLoad = memoryMb(ours.pid!);

// The download, five times: time to the last byte (the median is quoted), and the server's resident
// memory, sampled every 10 ms. Not in the national run, which has no BIG organisation.
const rss = () => memoryMb(ours.pid!).rssMb;
const before = rss();
let peak = before;
const times: number[] = [];
let body = '';
if (!national) {
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss());
  }, 10);
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const res = await fetch('http://127.0.0.1:3980/api/v1/organisations/BIG/address-book?format=vcard', { headers });
    body = await res.text();
    times.push(performance.now() - t0);
  }
  clearInterval(sampler);
}
const downloadMs = [...times].sort((a, b) => a - b)[2];
const cards = (body.match(/BEGIN:VCARD/g) ?? []).length;

for (const c of children) c.kill('SIGTERM');
await once(ours, 'exit');
const download = national
  ? null
  : {
      cards,
      bytes: body.length,
      ms: Math.round(downloadMs),
      runsMs: times.map(Math.round),
      rssBeforeMb: Math.round(before),
      rssPeakMb: Math.round(peak),
    };
writeFileSync(
  join(work, `http-${ds.database}.json`),
  JSON.stringify(
    { at: new Date().toISOString(), dataset: ds, seconds, results, memoryAfterLoad: afterLoad, download },
    null,
    2,
  ),
);
console.log(
  `${ds.label}: ${ds.people.toLocaleString('en-GB')} people in ${ds.orgs.toLocaleString('en-GB')} ` +
    `organisations; 10 connections, ${seconds} s a measurement\n`,
);
console.log('| measure | requests/s | p50 ms | p99 ms | non-2xx | steal % |\n|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.name} | ${r.perSecond} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.stealPercent} |`);
}
console.log(`\nserver resident memory after the searches: ${afterLoad.rssMb} MB (peak ${afterLoad.peakMb} MB)`);
if (download) {
  console.log(
    `\n${bigSize.toLocaleString('en-GB')}-person vCard download: ${cards} cards, ` +
      `${(body.length / 1e6).toFixed(1)} MB in ${download.ms} ms (median of ${download.runsMs.join(', ')}); ` +
      `server RSS ${download.rssBeforeMb} MB before, ${download.rssPeakMb} MB at peak`,
  );
}

// npm run bench:http — the REST API against a bare fastify route (the floor), in one run, on the
// 100,000 people of the LDAP benchmark (PostgreSQL, DATABASE_URL), measured with autocannon; and a
// 20,000-person vCard download: time and the server's peak memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import pg from 'pg';
import { openPostgres } from '../../src/db/client.js';
import { prefixes } from '../ldap/names.js';
import { PEOPLE, seedPeople } from '../ldap/seed.js';
import { withSteal } from '../steal.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const work = join(process.cwd(), 'bench', '.work');
mkdirSync(work, { recursive: true });

const admin = new pg.Client({ connectionString: server });
await admin.connect();
if (!(await admin.query(`select 1 from pg_database where datname = 'nhsdir_bench'`)).rowCount) await admin.query('create database nhsdir_bench');
await admin.end();
const url = new URL(server);
url.pathname = '/nhsdir_bench';
const db = await openPostgres(url.toString());
await db.migrate();
await seedPeople(db, PEOPLE);
// One organisation of 20,000 for the download.
await db.query(`insert into organisations (code, name) values ('BIG', 'Big Bench NHS Trust') on conflict do nothing`);
await db.query(`insert into people (uid, mail, given_name, family_name, cn, display_name, org_code, title, department, telephone)
  select 'big.person' || i, 'big.person' || i || '@nhs.net', 'Big', 'Person' || i, 'Big Person' || i, 'Big Person' || i || ' (Big Bench NHS Trust)', 'BIG', 'Staff Nurse', 'Cardiology', '0113 496 0000'
  from generate_series(1, 20000) i on conflict do nothing`);
const sample = (await db.query<{ uid: string }>('select uid from people where org_code <> $1 order by id limit 1000', ['BIG'])).map((r) => r.uid);
await db.close();

const children: ChildProcess[] = [];
const start = (args: string[], env: Record<string, string> = {}) => {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH!, ...env }, stdio: 'ignore' });
  children.push(child);
  return child;
};
const serve = (httpPort: number, ldapPort: number, cache: string) => start(['bin/nhsdir.js', 'serve'], { DATABASE_URL: url.toString(), DEMO: 'false', HTTP_PORT: String(httpPort), LDAP_PORT: String(ldapPort), DATA_DIR: join(work, 'data'), LOG_LEVEL: 'warn', ADMIN_PASSWORD: 'bench-admin-password', ENTRY_CACHE_SIZE: cache });
const ours = serve(3980, 3990, '100000');
// The same with the entry cache off: what a search costs when its people are read for the first time.
serve(3982, 3992, '0');
start(['--import', 'tsx', 'bench/http/floor.ts', '3981']);
const waitFor = async (u: string) => { for (let i = 0; i < 300; i++) { try { await fetch(u); return; } catch { await new Promise((r) => setTimeout(r, 200)); } } throw new Error(`no answer from ${u}`); };
await waitFor('http://127.0.0.1:3980/healthz');
await waitFor('http://127.0.0.1:3981/');
await waitFor('http://127.0.0.1:3982/healthz');
const login = await fetch('http://127.0.0.1:3980/api/v1/auth/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'bench-admin-password' }) });
const { access_token: token } = await login.json() as { access_token: string };
const headers = { authorization: `Bearer ${token}` };

const run = (name: string, target: string, paths: () => string, duration: number) => new Promise<Record<string, number | string>>((resolve, reject) => {
  autocannon({ url: target, connections: 10, duration, headers, requests: [{ setupRequest: (req: { path: string }) => ({ ...req, path: paths() }) }] }, (err: Error | null, r: { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number }) =>
    err ? reject(err) : resolve({ name, perSecond: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors }));
});
// Each after a two-second warm-up, as the LDAP benchmark does (connections, prepared statements,
// the entry cache): the cold case is measured on its own, with the entry cache off.
const load = async (name: string, target: string, paths: () => string) => {
  await run(name, target, paths, 2);
  return withSteal(() => run(name, target, paths, seconds));
};
let n = 0;
const results = [
  await load('floor: bare fastify, constant', 'http://127.0.0.1:3981', () => '/'),
  await load('person by uid', 'http://127.0.0.1:3980', () => `/api/v1/people/${sample[n++ % sample.length]}`),
  await load('search by prefix (q=, limit 50)', 'http://127.0.0.1:3980', () => `/api/v1/people?q=${prefixes[n++ % prefixes.length]}`),
  await load('search by prefix, entry cache off', 'http://127.0.0.1:3982', () => `/api/v1/people?q=${prefixes[n++ % prefixes.length]}`),
];

// The download, five times: time to the last byte (the median is quoted), and the server's resident
// memory, sampled every 10 ms.
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${ours.pid}/status`, 'utf8'))![1]) / 1024;
const before = rss();
let peak = before;
const sampler = setInterval(() => { peak = Math.max(peak, rss()); }, 10);
const times: number[] = [];
let body = '';
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const res = await fetch('http://127.0.0.1:3980/api/v1/organisations/BIG/address-book?format=vcard', { headers });
  body = await res.text();
  times.push(performance.now() - t0);
}
clearInterval(sampler);
const downloadMs = [...times].sort((a, b) => a - b)[2];
const cards = (body.match(/BEGIN:VCARD/g) ?? []).length;

for (const c of children) c.kill('SIGTERM');
await once(ours, 'exit');
const out = { at: new Date().toISOString(), seconds, results, download: { cards, bytes: body.length, ms: Math.round(downloadMs), runsMs: times.map(Math.round), rssBeforeMb: Math.round(before), rssPeakMb: Math.round(peak) } };
writeFileSync(join(work, 'http.json'), JSON.stringify(out, null, 2));
console.log('| measure | requests/s | p50 ms | p99 ms | non-2xx | steal % |\n|---|---|---|---|---|---|');
for (const r of results) console.log(`| ${r.name} | ${r.perSecond} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.stealPercent} |`);
console.log(`\n20,000-person vCard download: ${cards} cards, ${(body.length / 1e6).toFixed(1)} MB in ${Math.round(downloadMs)} ms (median of ${times.map(Math.round).join(', ')}); server RSS ${Math.round(before)} MB before, ${Math.round(peak)} MB at peak`);

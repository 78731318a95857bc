// npm run bench:ldap — our LDAP server and OpenLDAP slapd, side by side in one run, on the same
// 100,000 people, under the same load generator (bench/ldap/load.ts).
// DATABASE_URL: the PostgreSQL server to use (a database nhsdir_bench is made on it and kept).
// BENCH_SECONDS: seconds per measurement (default 10); --smoke: 2,000 people and 1 s each.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgres } from '../../src/db/client.js';
import { withSteal } from '../steal.js';
import { PEOPLE, seedPeople, writeLdif } from './seed.js';

const smoke = process.argv.includes('--smoke');
const seconds = smoke ? 1 : Number(process.env.BENCH_SECONDS ?? 10);
const people = smoke ? 2_000 : PEOPLE;
const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = smoke ? 'nhsdir_bench_smoke' : 'nhsdir_bench';
const work = join(process.cwd(), 'bench', '.work');
mkdirSync(work, { recursive: true });

async function ensureDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [dbName]);
  if (!rowCount) await admin.query(`create database ${dbName}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${dbName}`;
  return url.toString();
}

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}`))));
  });
}

async function waitForPort(port: number) {
  for (let i = 0; i < 300; i++) {
    try {
      await run('ldapsearch', ['-x', '-H', `ldap://127.0.0.1:${port}`, '-b', '', '-s', 'base', '(objectClass=*)', '1.1']);
      return;
    } catch { await new Promise((r) => setTimeout(r, 200)); }
  }
  throw new Error(`nothing answers on ${port}`);
}

const url = await ensureDatabase();
const db = await openPostgres(url);
await db.migrate();
console.error(`seeding ${people} people (once)...`);
await seedPeople(db, people);
const ldif = join(work, 'people.ldif');
await writeLdif(db, ldif);
await db.close();

// Ours twice: as it runs (entries kept in memory between searches), and with that cache off, which
// is what every search costs the first time its entries are read.
const serve = (ldapPort: number, httpPort: number, cache: string): ChildProcess => spawn(process.execPath, ['bin/nhsdir.js', 'serve'], {
  env: { PATH: process.env.PATH!, DATABASE_URL: url, DEMO: 'false', LDAP_ANONYMOUS: 'true', LDAP_PORT: String(ldapPort), HTTP_PORT: String(httpPort), DATA_DIR: join(work, 'data'), LOG_LEVEL: 'warn', ADMIN_PASSWORD: 'bench-admin-password', ENTRY_CACHE_SIZE: cache },
  stdio: 'ignore',
});
const ours = serve(3890, 3880, '100000');
const uncached = serve(3892, 3882, '0');
console.error('starting slapd...');
const slapdPid = Number((await run('bash', ['bench/ldap/slapd.sh', ldif, '3891', join(work, 'slapd')])).trim());
try {
  await waitForPort(3890);
  await waitForPort(3891);
  await waitForPort(3892);
  const results: Record<string, unknown>[] = [];
  for (const [conns, depth] of [[8, 8], [1, 1]]) {
    for (const kind of ['thunderbird', 'outlook']) {
      for (const [name, port] of [['nhs-directory', 3890], ['nhs-directory, entry cache off', 3892], ['slapd', 3891]] as const) {
        // Warm-up: connections, prepared statements, slapd's pages and our entry cache (the cold
        // case is measured on its own, by the server with the entry cache off).
        await run('npx', ['tsx', 'bench/ldap/load.ts', '127.0.0.1', String(port), String(conns), String(depth), smoke ? '1' : '3', kind]);
        const r = await withSteal(async () => JSON.parse(await run('npx', ['tsx', 'bench/ldap/load.ts', '127.0.0.1', String(port), String(conns), String(depth), String(seconds), kind])));
        results.push({ server: name, load: `${conns}x${depth}`, filter: kind, ...r });
        console.error(JSON.stringify(results[results.length - 1]));
      }
    }
  }
  const rssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${ours.pid}/status`, 'utf8'))![1]) / 1024;
  console.log(`nhs-directory resident memory after the run (entry cache full): ${Math.round(rssMb)} MB`);
  const machine = `${cpus().length} x ${cpus()[0].model}, Node ${process.version}, PostgreSQL ${execFileSync('psql', ['--version']).toString().trim()}`;
  writeFileSync(join(work, smoke ? 'ldap-smoke.json' : 'ldap.json'), JSON.stringify({ at: new Date().toISOString(), machine, people, seconds, results }, null, 2));
  console.log(`| load | filter | server | searches/s | p50 ms | p99 ms | entries/search | errors | steal % |\n|---|---|---|---|---|---|---|---|---|`);
  for (const r of results as { load: string; filter: string; server: string; perSecond: number; p50: number; p99: number; entriesPerSearch: number; errors: number; stealPercent: number }[]) {
    console.log(`| ${r.load} | ${r.filter} | ${r.server} | ${r.perSecond} | ${r.p50} | ${r.p99} | ${r.entriesPerSearch} | ${r.errors} | ${r.stealPercent} |`);
  }
} finally {
  ours.kill('SIGTERM');
  uncached.kill('SIGTERM');
  try { process.kill(slapdPid); } catch { /* already gone */ }
  await Promise.all([once(ours, 'exit'), once(uncached, 'exit')]);
}

// `npm run bench:sync`: staff feeds on PostgreSQL against a plain COPY of the same rows (the floor).
// 20,000 rows for one organisation: first load, the same file again, a file with 1% changes; then a
// national feed (BENCH_NATIONAL_ORGS files of 20,000 rows, default 75 = 1,500,000 rows), one run each.
// Each scenario runs in its own process (bench/sync/one.ts) so that peak memory is its own.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { feedText, header, row } from './feed.js';

const server = process.env.BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';
const dbName = 'nhsdir_bench_sync';
const url = `${server}/${dbName}`;
const ROWS = 20_000;
const ORGS = Number(process.env.BENCH_NATIONAL_ORGS ?? 75);
const work = fileURLToPath(new URL('../.work/sync/', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
mkdirSync(work, { recursive: true });

const write = (name: string, rows: string[]) => {
  const path = join(work, name);
  writeFileSync(path, feedText(rows));
  return path;
};

async function sql(text: string, database = 'postgres') {
  const c = new pg.Client({ connectionString: `${server}/${database}` });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

async function freshDatabase() {
  await sql(`drop database if exists ${dbName} with (force)`);
  await sql(`create database ${dbName}`);
  const env = {
    ...process.env,
    DATABASE_URL: url,
    DEMO: 'false',
    IDENTIFIER_KEY: 'bench-identifier-key-0123456789abcdef0',
    LOG_LEVEL: 'warn',
  };
  execFileSync(process.execPath, [join(root, 'bin/nhsdir.js'), 'migrate'], { env, stdio: 'inherit' });
  return env;
}

function scenario(env: NodeJS.ProcessEnv, org: string, files: string[]) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'bench/sync/one.ts'), org, ...files], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  return {
    runs: lines.slice(0, -1) as { ms: number; status: string; counts: Record<string, number> }[],
    maxRssMb: lines[lines.length - 1].maxRssMb as number,
  };
}

/** The floor: psql's \copy of the same file into a bare table with the same columns, in ms. */
function copyFloor(files: string[]) {
  execFileSync('psql', [
    url,
    '-qc',
    `drop table if exists bare; create table bare (${header
      .split(',')
      .map((c) => `${c} text`)
      .join(', ')})`,
  ]);
  const t0 = performance.now();
  for (const f of files) execFileSync('psql', [url, '-qc', `\\copy bare from '${f}' csv header`]);
  return Math.round(performance.now() - t0);
}

async function createOrgs(codes: string[]) {
  await sql(
    `insert into organisations (code, name) select c, 'Benchmark Trust ' || c from unnest(array[${codes.map((c) => `'${c}'`).join(',')}]) c`,
    dbName,
  );
}

const org = 'RBEN';
const base = Array.from({ length: ROWS }, (_, i) => row(org, i));
const first = write('staff-20k.csv', base);
// 1%: 100 new titles, 50 leavers (absent), 50 joiners.
const changed = base.slice(50).map((r, i) => (i % 199 === 0 ? r.replace(/,RBEN,[^,]+,/, ',RBEN,Ward Sister,') : r));
const onePercent = write('staff-20k-1pct.csv', [
  ...changed,
  ...Array.from({ length: 50 }, (_, i) => row(org, ROWS + i)),
]);

const env = await freshDatabase();
await createOrgs([org]);
const floor20k = copyFloor([first]);
const single = scenario(env, org, [first, first, onePercent]);

const national = Array.from({ length: ORGS }, (_, k) => `RBEN${String(k).padStart(2, '0')}`);
const nationalFiles = national.map((code) =>
  write(
    `${code}.csv`,
    Array.from({ length: ROWS }, (_, i) => row(code, i)),
  ),
);
await createOrgs(national);
const floorNational = copyFloor(nationalFiles);
const nationalRun = scenario(env, '-', nationalFiles);
const nationalMs = nationalRun.runs.reduce((s, r) => s + r.ms, 0);

const pgVersion = (await sql('show server_version')).rows[0].server_version;
const results = {
  machine: `${(await import('node:os')).cpus().length} cores, ${(await import('node:os')).cpus()[0].model.trim()}, Node ${process.version}, PostgreSQL ${pgVersion}`,
  single: {
    copyFloorMs: floor20k,
    firstLoadMs: single.runs[0].ms,
    sameFileMs: single.runs[1].ms,
    onePercentMs: single.runs[2].ms,
    maxRssMb: single.maxRssMb,
    counts: single.runs.map((r) => r.counts),
  },
  national: {
    rows: ORGS * ROWS,
    files: ORGS,
    copyFloorMs: floorNational,
    totalMs: nationalMs,
    medianPerFileMs: nationalRun.runs.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(ORGS / 2)],
    maxRssMb: nationalRun.maxRssMb,
    statuses: [...new Set(nationalRun.runs.map((r) => r.status))],
  },
};
console.log(JSON.stringify(results, null, 2));
await sql(`drop database if exists ${dbName} with (force)`);

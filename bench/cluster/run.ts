// npm run bench:cluster — issue 15's measures, in one run, on PostgreSQL 15 servers of its own
// (scripts/pg-cluster.ts: a primary and a streaming hot standby in a temporary folder, with fsync
// on, as a server runs) and three `nhsdir serve` nodes on free ports:
//   search    mail-client searches (bench/ldap/load.ts, 8 connections x 8 outstanding) through one
//             node on the primary, one node reading from the standby (DATABASE_READ_URL), and two
//             nodes sharing the primary, each under that load at once (their sum, the worse p99)
//   lag       the standby's replay lag, asked of the primary (pg_stat_replication) every 100 ms,
//             while a 20,000-row staff feed for a new organisation is applied through a node, and
//             the time from the feed's answer until the standby has replayed all of it
//   failover  back-to-back REST writes through the node on the primary and the node with the
//             standby: the primary stopped (-m immediate), the time to each node's first refused
//             write; the primary started again, the time from its return (pg_ctl start answered)
//             to the first accepted one
// The people are bench/ldap's data set (chooseDataset: 100,000; --smoke 2,000; --national),
// seeded on the cluster's primary each run. --smoke: 2,000 people, a 500-row feed, 1 s a search
// measurement. BENCH_SECONDS: seconds a search measurement (default 10).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { freePort, startCluster, waitUntil, type Cluster } from '../../scripts/pg-cluster.js';
import { chooseDataset, openDataset } from '../ldap/seed.js';
import { feedText, row } from '../sync/feed.js';
import { withSteal } from '../steal.js';

const argv = process.argv.slice(2);
const smoke = argv.includes('--smoke');
const ds = chooseDataset(argv);
const seconds = Number(process.env.BENCH_SECONDS ?? (smoke ? 1 : 10));
const warmSeconds = smoke ? 1 : 3;
const feedRows = smoke ? 500 : 20_000;
const work = join(process.cwd(), 'bench', '.work', 'cluster');
mkdirSync(work, { recursive: true });
const ADMIN_PASSWORD = 'bench-admin-password';
const IDENTIFIER_KEY = 'bench-identifier-key-0123456789abcdef0';

type Row = { section: string; measure: string; [k: string]: any };
const results: Row[] = [];
const push = (r: Row) => {
  results.push(r);
  console.error(JSON.stringify(r));
};
const ms = (from: number, to: number | undefined) => (to === undefined ? null : Math.round(to - from));

interface Node {
  name: string;
  child: ChildProcess;
  ldapPort: number;
  http: string;
  log: string;
}

const nodes: Node[] = [];
async function startNode(name: string, env: Record<string, string>): Promise<Node> {
  const [ldapPort, httpPort] = [await freePort(), await freePort()];
  const log = join(work, `node-${name}.log`);
  const fd = openSync(log, 'w');
  const child = spawn(process.execPath, ['bin/nhsdir.js', 'serve'], {
    env: {
      PATH: process.env.PATH!,
      DEMO: 'false',
      LDAP_ANONYMOUS: 'true', // load.ts searches without binding
      LDAP_PORT: String(ldapPort),
      HTTP_PORT: String(httpPort),
      DATA_DIR: join(work, `data-${name}`),
      IDENTIFIER_KEY,
      ADMIN_PASSWORD,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const node = { name, child, ldapPort, http: `http://127.0.0.1:${httpPort}`, log };
  nodes.push(node);
  return node;
}

/** Until the node answers /readyz with 200 (and, with a standby, reads from it). */
async function ready(node: Node, standby = false) {
  await waitUntil(async () => {
    if (node.child.exitCode !== null)
      throw new Error(`node ${node.name} exited: ${readFileSync(node.log, 'utf8').slice(-2000)}`);
    const res = await fetch(`${node.http}/readyz`);
    const body = (await res.json()) as { databases?: { configured: string; in_reads: boolean }[] };
    return res.ok && (!standby || !!body.databases?.some((d) => d.configured === 'standby' && d.in_reads));
  }, `node ${node.name} to be ready`);
}

/** bench/ldap/load.ts against a node; its last line is its result. */
async function load(node: Node, secs: number, kind: string): Promise<Record<string, any>> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/ldap/load.ts', '127.0.0.1', String(node.ldapPort), '8', '8', String(secs), kind],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const [code] = await once(child, 'close');
  if (code !== 0) throw new Error(`load.ts against ${node.name} exited ${code}`);
  return JSON.parse(out.trim().split('\n').pop()!);
}

async function searchSection(p: Node, p2: Node, s: Node) {
  for (const kind of ['thunderbird', 'outlook']) {
    const setups: [string, Node[]][] = [
      ['one node on the primary', [p]],
      ['one node reading from the standby', [s]],
      ['two nodes sharing the primary', [p, p2]],
    ];
    for (const [server, on] of setups) {
      await Promise.all(on.map((n) => load(n, warmSeconds, kind)));
      const r = await withSteal(async () => {
        const each = await Promise.all(on.map((n) => load(n, seconds, kind)));
        return {
          perSecond: each.reduce((a, e) => a + e.perSecond, 0),
          p50: Math.max(...each.map((e) => e.p50)),
          p99: Math.max(...each.map((e) => e.p99)),
          errors: each.reduce((a, e) => a + e.errors, 0),
          ...(each.length > 1 ? { perNode: each.map((e) => ({ perSecond: e.perSecond, p99: e.p99 })) } : {}),
        };
      });
      push({ section: 'search', measure: `8x8 ${kind}`, server, ...r });
    }
  }
}

async function token(node: Node): Promise<string> {
  const res = await fetch(`${node.http}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  if (!res.ok) throw new Error(`no token from ${node.name}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function lagSection(cluster: Cluster, node: Node, bearer: string) {
  const org = 'RCLU';
  await cluster.primary.query(
    `insert into organisations (code, name) values ($1, 'Cluster Bench Trust') on conflict do nothing`,
    [org],
    ds.database,
  );
  const body = feedText(Array.from({ length: feedRows }, (_, i) => row(org, i)));
  const lsn = async () =>
    (await cluster.primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn', [], ds.database))[0].lsn;
  const before = await lsn();
  const samples: { bytes: number; seconds: number }[] = [];
  let applying = true;
  const sampling = (async () => {
    while (applying) {
      const [r] = await cluster.primary.query<{ bytes: number; seconds: number }>(
        `select pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 as bytes,
          coalesce(extract(epoch from replay_lag), 0)::float8 as seconds from pg_stat_replication`,
        [],
        'postgres',
      );
      if (r) samples.push(r);
      await new Promise((res) => setTimeout(res, 100));
    }
  })();
  const t0 = performance.now();
  const res = await fetch(`${node.http}/api/v1/organisations/${org}/feeds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'text/csv' },
    body,
  });
  const answered = performance.now();
  const report = (await res.json()) as { status?: string; counts?: Record<string, number> };
  const after = await lsn();
  // From the feed's answer until the standby has replayed everything it wrote.
  await waitUntil(async () => {
    const [r] = await cluster.standby.query<{ ok: boolean }>(
      'select pg_last_wal_replay_lsn() >= $1::pg_lsn as ok',
      [after],
      ds.database,
    );
    return r.ok;
  }, 'the standby to replay the feed');
  const caughtUp = performance.now();
  applying = false;
  await sampling;
  const [wal] = await cluster.primary.query<{ bytes: number }>(
    'select pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::float8 as bytes',
    [after, before],
    ds.database,
  );
  const sorted = (k: 'bytes' | 'seconds') => samples.map((s) => s[k]).sort((a, b) => a - b);
  const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;
  push({
    section: 'lag',
    measure: `a ${feedRows.toLocaleString('en-GB')}-row staff feed through ${node.name}`,
    status: report.status ?? res.status,
    feedMs: ms(t0, answered),
    walMb: +(wal.bytes / 1048576).toFixed(1),
    samples: samples.length,
    maxLagSeconds: +pct(sorted('seconds'), 100).toFixed(3),
    p50LagSeconds: +pct(sorted('seconds'), 50).toFixed(3),
    maxLagKb: Math.round(pct(sorted('bytes'), 100) / 1024),
    p50LagKb: Math.round(pct(sorted('bytes'), 50) / 1024),
    replayedAfterAnswerMs: ms(answered, caughtUp),
  });
}

/** Back-to-back REST writes through a node until stopped: when each was answered, and how. */
function writer(node: Node, bearer: string, uid: string) {
  const answers: { at: number; status: number }[] = [];
  let running = true;
  const done = (async () => {
    for (let i = 0; running; i++) {
      let status = 0; // no answer within 10 s, or none at all
      try {
        const res = await fetch(`${node.http}/api/v1/people/${uid}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
          body: JSON.stringify({ title: `Failover ${i}` }),
          signal: AbortSignal.timeout(10_000),
        });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        /* counted as 0 */
      }
      answers.push({ at: performance.now(), status });
    }
  })();
  return {
    answers,
    /** The first answer at or after `from` with a status that `want` accepts. */
    first: (from: number, want: (s: number) => boolean) => answers.find((a) => a.at >= from && want(a.status)),
    stop: async () => {
      running = false;
      await done;
    },
  };
}

async function failoverSection(cluster: Cluster, on: Node[], bearers: string[], uid: string) {
  const writers = on.map((n, i) => writer(n, bearers[i], uid));
  const refused = (s: number) => s === 503;
  await waitUntil(() => writers.every((w) => w.answers.some((a) => a.status === 200)), 'writes to be accepted');
  const lost = performance.now();
  await cluster.primary.stop('immediate');
  const stopped = performance.now();
  await waitUntil(() => writers.every((w) => w.first(lost, refused)), 'writes to be refused', 120_000);
  const restarting = performance.now();
  await cluster.primary.start();
  const back = performance.now();
  await waitUntil(() => writers.every((w) => w.first(back, (s) => s === 200)), 'writes to be accepted again', 120_000);
  for (const w of writers) await w.stop();
  on.forEach((n, i) => {
    const w = writers[i];
    const during = w.answers.filter((a) => a.at >= lost && a.at < w.first(back, (s) => s === 200)!.at);
    push({
      section: 'failover',
      measure: 'the primary stopped (-m immediate), then started again',
      server: n.name,
      stopCommandMs: ms(lost, stopped),
      lossToFirstRefusedMs: ms(lost, w.first(lost, refused)?.at),
      restartCommandMs: ms(restarting, back),
      returnToFirstAcceptedMs: ms(back, w.first(back, (s) => s === 200)?.at),
      // Between the stop and the first write accepted again, by status (0: no answer within 10 s).
      answersMeanwhile: during.reduce<Record<string, number>>(
        (n, a) => ({ ...n, [a.status]: (n[a.status] ?? 0) + 1 }),
        {},
      ),
    });
  });
}

let cluster: Cluster | undefined;
async function cleanUp() {
  for (const n of nodes) if (n.child.exitCode === null) n.child.kill('SIGTERM');
  await Promise.all(nodes.map((n) => (n.child.exitCode === null ? once(n.child, 'exit') : undefined)));
  await cluster?.destroy();
}
process.on('SIGINT', () => void cleanUp().finally(() => process.exit(130)));

try {
  const t0 = Date.now();
  cluster = await startCluster({
    settings: ['shared_buffers = 128MB', 'fsync = on', 'full_page_writes = on', 'max_wal_size = 1GB'],
  });
  const { db } = await openDataset(cluster.primary.url('postgres'), ds);
  await db.close();
  await cluster.caughtUp(ds.database);
  console.error(`cluster and ${ds.label} data set (${ds.people} people) ready in ${Date.now() - t0} ms`);

  const url = cluster.primary.url(ds.database);
  const p = await startNode('primary-1', { DATABASE_URL: url });
  const p2 = await startNode('primary-2', { DATABASE_URL: url });
  const s = await startNode('standby-reads', {
    DATABASE_URL: url,
    DATABASE_READ_URL: cluster.standby.url(ds.database),
  });
  await Promise.all([ready(p), ready(p2), ready(s, true)]);

  await searchSection(p, p2, s);
  const bearerS = await token(s);
  await lagSection(cluster, s, bearerS);
  const [{ uid }] = await cluster.primary.query<{ uid: string }>(
    `select uid from people where org_code = 'B0001' and kind = 'person' order by id limit 1`,
    [],
    ds.database,
  );
  await failoverSection(cluster, [p, s], [await token(p), bearerS], uid);

  const [{ server_version }] = await cluster.primary.query<{ server_version: string }>('show server_version');
  console.log(
    JSON.stringify(
      {
        machine: `${cpus().length} cores, ${cpus()[0].model.trim()}, Node ${process.version}, PostgreSQL ${server_version}`,
        dataset: ds.label,
        people: ds.people,
        seconds,
        results,
      },
      null,
      2,
    ),
  );
} finally {
  await cleanUp();
}

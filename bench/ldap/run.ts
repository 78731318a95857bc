// npm run bench:ldap — our LDAP server and OpenLDAP slapd, side by side in one run, on the same
// people, under the same load generators (each load a process of its own: bench/ldap/load.ts,
// clients.ts and writer.ts). Sections (--only=search,binds,day,flood; by default all of them, and
// with --national search and day; --only=seed makes the data set and slapd's database, no more):
//   search  mail-client searches at 8x8 and 1x1 with nothing written: Thunderbird and Outlook with
//           the common names' prefixes (as since 2026-11), and the day's mix (both, and whole
//           addresses) cut from 5,000 people's names; ours also with its entry cache off
//   binds   each person's first bind, the same credentials again and again on 8 connections, and a
//           new connection for every bind (connect, bind, unbind), as an autocomplete does
//   day     8x8 bound mail clients with the day's mix, without and then with a writer changing
//           people at 20/s (REST PATCH for us, LDAP modify for slapd)
//   flood   one bound client searching one at a time, alone and then during a flood of wrong-password
//           binds at 8 connections from another address; the server's CPU for a flood alone, and
//           during it (the client's share estimated and taken off)
// DATABASE_URL: the PostgreSQL server (a database per data set is made on it and kept).
// --smoke: 2,000 people, 1 s a measurement. --national: 1,500,000 people in 7,000 organisations
// (with --smoke: 20,000 in 700). BENCH_SECONDS (default 10), BENCH_FLOOD_SECONDS (default 30),
// BENCH_WRITE_RATE (default 20), BENCH_ROUNDS (default 1; with more, each figure is the median).
// BENCH_BASELINE: a checkout of older code (with its node_modules), served beside ours in the search
// and day sections as "baseline", so that a change is measured side by side with the code before it.
// BENCH_NODE_ARGS: node's options for the servers (--trace-gc, --cpu-prof); their logs are in bench/.work.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cpuSeconds, memoryMb, postgresCpuSeconds } from '../proc.js';
import { identifierHmac } from '../../src/directory/secrets.js';
import { withSteal } from '../steal.js';
import { benchPeople, chooseDataset, ldifFor, openDataset, sampleQueries } from './seed.js';

const argv = process.argv.slice(2);
const smoke = argv.includes('--smoke'),
  national = argv.includes('--national');
const ds = chooseDataset(argv);
const seconds = Number(process.env.BENCH_SECONDS ?? (smoke ? 1 : 10));
const warmSeconds = smoke ? 1 : 3;
// A flood is measured longer than the rest: a throttle lets the first failures of each minute through.
const floodSeconds = Number(process.env.BENCH_FLOOD_SECONDS ?? (smoke ? 2 : 30));
const writeRate = Number(process.env.BENCH_WRITE_RATE ?? 20);
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
const only = argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const sections = new Set(only ?? (national ? ['search', 'day'] : ['search', 'binds', 'day', 'flood']));
const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const work = join(process.cwd(), 'bench', '.work');
mkdirSync(work, { recursive: true });
const ADMIN_PASSWORD = 'bench-admin-password';
// The data sets are databases on the PostgreSQL server that every checkout shares, so the servers
// get one constant key (bench:sync's), not each checkout's DATA_DIR key file: a key differing from
// the one a database recorded stops the server ("IDENTIFIER_KEY differs").
const IDENTIFIER_KEY = 'bench-identifier-key-0123456789abcdef0';
const OURS = 3890,
  OURS_HTTP = 3880,
  UNCACHED = 3892,
  SLAPD = 3891,
  BASELINE = 3893;
const baselineDir = process.env.BENCH_BASELINE;

// The data set, and what the load generators read: bench people with passwords and sampled names.
const { url, db } = await openDataset(server, ds);
// The bench people carry no NI-number or date-of-birth HMACs, so recording this key's check (over
// whatever key a server of another checkout recorded before) loses nothing.
await db.query(
  `insert into settings (key, value) values ('identifier_key_check', $1)
   on conflict (key) do update set value = excluded.value`,
  [identifierHmac(IDENTIFIER_KEY, 'ni', 'key-check')],
);
const people = await benchPeople(db, smoke ? 16 : 32);
const peopleFile = join(work, `${ds.database}-people.json`);
writeFileSync(peopleFile, JSON.stringify(people));
const sample = await sampleQueries(db);
const queriesFile = join(work, `${ds.database}-queries.json`);
writeFileSync(queriesFile, JSON.stringify(sample));
console.error(
  `${people.pool.length + people.fresh.length} people with passwords; the day's searches cut from ` +
    `${sample.distinctNames} names (${sample.distinctPrefixes} different prefixes) and ${sample.addresses.length} ` +
    'addresses',
);
const ldif = await ldifFor(db, join(work, `${ds.database}.ldif`));
await db.close();

// --only=seed: make the data set, its LDIF and slapd's database (minutes at national size), no more.
const slapdDir = join(work, `slapd-${ds.database}`);
const startSlapd = () =>
  Number(
    execFileSync('bash', ['bench/ldap/slapd.sh', ldif, String(SLAPD), slapdDir])
      .toString()
      .trim(),
  );
if (sections.has('seed') && sections.size === 1) {
  const t0 = Date.now();
  process.kill(startSlapd());
  console.error(`slapd's database ready in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  process.exit(0);
}

const children: ChildProcess[] = [];
let slapdPid = 0;
// Whatever ends this process (an error, ^C), the servers it started end with it.
process.on('exit', () => {
  for (const c of children) c.kill('SIGTERM');
  if (slapdPid)
    try {
      process.kill(slapdPid);
    } catch {
      /* already gone */
    }
});
process.on('SIGINT', () => process.exit(130));
const serve = (ldapPort: number, httpPort: number, extra: Record<string, string> = {}, cwd = '.'): ChildProcess => {
  // The server's own log is kept: what it warned of under load is part of the result.
  const fd = openSync(join(work, `server-${ldapPort}.log`), 'w');
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, 'bin/nhsdir.js', 'serve'], {
    cwd,
    env: {
      PATH: process.env.PATH!,
      DATABASE_URL: url,
      DEMO: 'false',
      LDAP_ANONYMOUS: 'true',
      LDAP_PORT: String(ldapPort),
      HTTP_PORT: String(httpPort),
      DATA_DIR: join(work, 'data'),
      IDENTIFIER_KEY, // the baseline's too: the same database, so the same key
      LOG_LEVEL: 'warn',
      ADMIN_PASSWORD,
      ...(process.env.ENTRY_CACHE_SIZE ? { ENTRY_CACHE_SIZE: process.env.ENTRY_CACHE_SIZE } : {}),
      ...extra,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  children.push(child);
  return child;
};

interface Tool {
  ready: Promise<void>;
  go: () => void;
  result: Promise<Record<string, any>>;
}
// No load runs for ever: its own bound is its seconds; this is the bound on everything else.
const toolLimitMs = (Math.max(seconds, floodSeconds) + 600) * 1000;
/** A load generator in a process of its own; its last line of output is its result, as JSON. */
function tool(file: string, args: string[], env: Record<string, string> = {}): Tool {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const limit = setTimeout(() => child.kill('SIGKILL'), toolLimitMs);
  let last = '';
  let isReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    isReady = resolve;
  });
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (l === 'ready') isReady();
    else if (l.trim()) last = l;
  });
  const result = new Promise<Record<string, any>>((resolve, reject) =>
    child.on('close', (code) => {
      clearTimeout(limit);
      if (code === 0) resolve(JSON.parse(last));
      else reject(new Error(`${file} ${args.join(' ')} exited ${code}`));
    }),
  );
  const ended = result.then(() => {
    throw new Error(`${file} ended before it was ready`);
  });
  const readyOrEnded = Promise.race([ready, ended]);
  readyOrEnded.catch(() => {}); // only loads run with --sync are waited for
  return { ready: readyOrEnded, go: () => child.stdin!.write('go\n'), result };
}

const clients = (mode: string, port: number, secs: number, conns: number, depth: number, more: string[] = []) =>
  tool('bench/ldap/clients.ts', [
    `--mode=${mode}`,
    `--port=${port}`,
    `--seconds=${secs}`,
    `--conns=${conns}`,
    `--depth=${depth}`,
    `--people=${peopleFile}`,
    `--queries=${queriesFile}`,
    ...more,
  ]);
const load = (port: number, conns: number, depth: number, secs: number, kind: string) =>
  tool('bench/ldap/load.ts', ['127.0.0.1', String(port), String(conns), String(depth), String(secs), kind]);

/** The last lines of a server's log, to say why it ended. */
const logTail = (port: number) =>
  readFileSync(join(work, `server-${port}.log`), 'utf8')
    .trimEnd()
    .split('\n')
    .slice(-10)
    .join('\n');

/** Waits until `port` answers LDAP; gives up at once, with the end of its log, if `child` has exited. */
async function waitForPort(port: number, child?: ChildProcess) {
  for (let i = 0; i < 600; i++) {
    if (child && child.exitCode !== null) {
      throw new Error(
        `the server for ${port} exited (status ${child.exitCode}) before answering; ` +
          `the end of bench/.work/server-${port}.log:\n${logTail(port)}`,
      );
    }
    if (child && child.signalCode !== null) throw new Error(`the server for ${port} ended (${child.signalCode})`);
    try {
      execFileSync(
        'ldapsearch',
        ['-x', '-H', `ldap://127.0.0.1:${port}`, '-b', '', '-s', 'base', '(objectClass=*)', '1.1'],
        { stdio: 'ignore' },
      );
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`nothing answers on ${port}`);
}

type Row = { round: number; section: string; measure: string; server: string; [k: string]: any };
const results: Row[] = [];
const push = (row: Row) => {
  results.push(row);
  console.error(JSON.stringify(row));
};

async function searchSection(round: number) {
  const servers = [
    ['nhs-directory', OURS],
    ...(baselineDir ? ([['baseline', BASELINE]] as const) : []),
    ['nhs-directory, entry cache off', UNCACHED],
    ['slapd', SLAPD],
  ] as const;
  for (const [conns, depth] of [
    [8, 8],
    [1, 1],
  ]) {
    for (const kind of ['thunderbird', 'outlook', 'day mix']) {
      for (const [server, port] of servers) {
        const run = (secs: number) =>
          kind === 'day mix'
            ? clients('search', port, secs, conns, depth, ['--mix=day'])
            : load(port, conns, depth, secs, kind);
        // Warm-up: connections, prepared statements, slapd's pages and our entry cache (the cold
        // case is measured on its own, by the server with the entry cache off).
        await run(warmSeconds).result;
        const r = await withSteal(() => run(seconds).result);
        push({ round, section: 'search', measure: `${conns}x${depth} ${kind}`, server, ...r });
      }
    }
  }
}

async function bindsSection(round: number) {
  const share = Math.floor(people.fresh.length / rounds);
  for (const [server, port] of pairs) {
    // People bound for the first time since the server started: for us, a password check each.
    const first = await withSteal(() => clients('first-bind', port, seconds, 8, 1, [`--skip=${round * share}`]).result);
    push({ round, section: 'binds', measure: 'first bind of each person, 8 connections', server, ...first });
    // The warm pool bound once each (not measured): what a mail client's user did this morning.
    const t0 = Date.now();
    await clients('bind', port, 300, 8, 1, ['--once']).result;
    console.error(`${server}: the ${people.pool.length} people of the warm pool bound once in ${Date.now() - t0} ms`);
    await clients('bind', port, warmSeconds, 8, 1).result;
    const again = await withSteal(() => clients('bind', port, seconds, 8, 1).result);
    push({ round, section: 'binds', measure: 'the same credentials again, 8 connections', server, ...again });
    await clients('connect-bind', port, warmSeconds, 8, 1).result;
    const each = await withSteal(() => clients('connect-bind', port, seconds, 8, 1).result);
    push({ round, section: 'binds', measure: 'a new connection for every bind, 8 at once', server, ...each });
  }
}

async function daySection(round: number, token: string) {
  const day = ['--bound', '--mix=day'];
  // The baseline, when there is one, between ours and slapd: written through its own REST port.
  const servers = [pairs[0], ...(baseline ? [['baseline', BASELINE] as const] : []), pairs[1]];
  const httpPort = new Map([
    [OURS, OURS_HTTP],
    [BASELINE, BASELINE_HTTP],
  ]);
  for (const [server, port] of servers) {
    const writer = (secs: number, sync: string[] = []) =>
      tool(
        'bench/ldap/writer.ts',
        [
          httpPort.has(port) ? '--target=rest' : '--target=ldap',
          `--port=${httpPort.get(port) ?? port}`,
          `--rate=${writeRate}`,
          `--seconds=${secs}`,
          `--uids=${queriesFile}`,
          ...sync,
        ],
        { BENCH_TOKEN: token },
      );
    // Both loads are warmed up before they are measured: the searches, and the writes (a server's
    // first writes on a connection pay for loading the people table's indexes into that backend).
    await Promise.all([clients('search', port, warmSeconds, 8, 8, day).result, writer(warmSeconds).result]);
    const alone = await withSteal(() => clients('search', port, seconds, 8, 8, day).result);
    push({ round, section: 'day', measure: '8x8 bound, day mix, no writes', server, ...alone });
    const searchers = clients('search', port, seconds, 8, 8, [...day, '--sync']);
    const writes = writer(seconds, ['--sync']);
    await Promise.all([searchers.ready, writes.ready]);
    const both = await withSteal(async () => {
      searchers.go();
      writes.go();
      const [s, w] = await Promise.all([searchers.result, writes.result]);
      return {
        ...s,
        writesAsked: w.asked,
        writesPerSecond: w.perSecond,
        writeP50: w.p50,
        writeP99: w.p99,
        writesFailed: w.failed,
        writesNotSent: w.notSent,
        writeFailures: w.firstFailures,
      };
    });
    push({ round, section: 'day', measure: `8x8 bound, day mix, writes at ${writeRate}/s`, server, ...both });
  }
}

/** Server CPU (cores) over the measurement, and over its second half alone. */
async function cpuOver(pid: number, ms: number, measured: () => Promise<void>) {
  const cores = (cpu: number, over: number) => +(cpu / (over / 1000)).toFixed(2);
  const cpu0 = cpuSeconds(pid),
    t0 = Date.now();
  let cpuMid = NaN,
    tMid = NaN;
  // The second half apart: a throttle that lets each minute's first failures through costs most early.
  const mid = setTimeout(() => {
    cpuMid = cpuSeconds(pid);
    tMid = Date.now();
  }, ms / 2);
  await measured();
  clearTimeout(mid);
  const cpu1 = cpuSeconds(pid),
    t1 = Date.now();
  return { cpu: cpu1 - cpu0, cores: cores(cpu1 - cpu0, t1 - t0), secondHalf: cores(cpu1 - cpuMid, t1 - tMid) };
}

// Each flood comes from a loopback address of its own (another machine, to the server): its
// per-address allowance starts whole, and the well-behaved client's address is not the flood's.
let floodSources = 1;
const floodFrom = () => `--from=127.0.0.${++floodSources}`;

async function floodSection(round: number) {
  const day = ['--bound', '--mix=day'];
  for (const [server, port, pid] of pairs) {
    // The client alone first (after a warm-up): its searches cost the server CPU too, and that is
    // not the flood's.
    await clients('search', port, warmSeconds, 1, 1, day).result;
    const lone = clients('search', port, seconds, 1, 1, [...day, '--sync']);
    await lone.ready;
    const cpuA = cpuSeconds(pid);
    const alone = await withSteal(() => {
      lone.go();
      return lone.result;
    });
    const perSearch = (cpuSeconds(pid) - cpuA) / Math.max(1, alone.ops);
    // The flood alone: the server's CPU then is the flood's, measured directly.
    const lonely = clients('flood', port, floodSeconds, 8, 1, ['--sync', floodFrom()]);
    await lonely.ready;
    const floodAlone = await withSteal(async () => {
      const cpu = await cpuOver(pid, floodSeconds * 1000, async () => {
        lonely.go();
        await lonely.result;
      });
      return { cores: cpu.cores, secondHalf: cpu.secondHalf };
    });
    // The well-behaved client binds before the flood begins; then both start at one moment.
    const watcher = clients('search', port, floodSeconds, 1, 1, [...day, '--sync']);
    const flood = clients('flood', port, floodSeconds, 8, 1, ['--sync', floodFrom()]);
    await Promise.all([watcher.ready, flood.ready]);
    const r = await withSteal(async () => {
      const pg0 = postgresCpuSeconds(ds.database);
      let f!: Awaited<typeof flood.result>;
      const cpu = await cpuOver(pid, floodSeconds * 1000, async () => {
        watcher.go();
        flood.go();
        f = await flood.result;
      });
      const pg1 = postgresCpuSeconds(ds.database);
      const w = await watcher.result;
      // The client's searches at what each cost alone, taken off (in the second half, half of them).
      // Searches cost more beside a flood than alone, so this overstates the flood's share.
      const clientCpu = perSearch * w.ops;
      const cores = (x: number) => +(x / floodSeconds).toFixed(2);
      return {
        clientSearches: w.ops,
        perSecond: w.perSecond,
        p50: w.p50,
        p99: w.p99,
        clientErrors: w.errors,
        floodBinds: f.ops,
        floodPerSecond: f.perSecond,
        floodP50: f.p50,
        floodP99: f.p99,
        floodCodes: f.codes,
        floodErrors: f.errors,
        floodReconnects: f.reconnects,
        serverCpuCores: cpu.cores,
        clientAloneCpuCores: +((perSearch * alone.ops) / seconds).toFixed(2),
        floodCpuCores: cores(cpu.cpu - clientCpu),
        floodCpuCoresSecondHalf: +(cpu.secondHalf - clientCpu / floodSeconds).toFixed(2),
        floodAloneCpuCores: floodAlone.cores,
        floodAloneCpuCoresSecondHalf: floodAlone.secondHalf,
        floodAloneSteal: floodAlone.stealPercent,
        // Ours only (slapd has no database); a backend that ends meanwhile takes its CPU time with it.
        postgresCpuCores: pid === ours.pid ? cores(Math.max(0, pg1 - pg0)) : undefined,
      };
    });
    push({
      round,
      section: 'flood',
      measure: `1x1 bound client, flood of bad binds at 8 connections, ${floodSeconds} s`,
      server,
      ...r,
      clientAloneP50: alone.p50,
      clientAloneP99: alone.p99,
      clientAloneSteal: alone.stealPercent,
    });
  }
}

const ours = serve(OURS, OURS_HTTP);
const uncached = sections.has('search') ? serve(UNCACHED, 3882, { ENTRY_CACHE_SIZE: '0' }) : null;
const BASELINE_HTTP = 3883;
const baseline =
  baselineDir && (sections.has('search') || sections.has('day'))
    ? serve(BASELINE, BASELINE_HTTP, {}, baselineDir)
    : null;
console.error('starting slapd (slapadd first, if its LDIF changed)...');
const slapdStart = Date.now();
slapdPid = startSlapd();
console.error(`slapd started in ${((Date.now() - slapdStart) / 1000).toFixed(0)} s`);
const pairs = [
  ['nhs-directory', OURS, ours.pid!],
  ['slapd', SLAPD, slapdPid],
] as const;
try {
  await waitForPort(OURS, ours);
  await waitForPort(SLAPD);
  if (uncached) await waitForPort(UNCACHED, uncached);
  if (baseline) await waitForPort(BASELINE, baseline);
  // The national administrator's token for the day's writer, taken before any flood (a throttled
  // address could not sign in) and good for hours.
  let token = '';
  if (sections.has('day')) {
    const res = await fetch(`http://127.0.0.1:${OURS_HTTP}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    token = ((await res.json()) as { access_token: string }).access_token;
    if (!token) throw new Error(`no token for admin: ${res.status}`);
  }
  for (let round = 0; round < rounds; round++) {
    if (sections.has('search')) await searchSection(round);
    if (sections.has('binds')) await bindsSection(round);
    if (sections.has('day')) await daySection(round, token);
    if (sections.has('flood')) {
      await floodSection(round);
      // A throttle by address holds for a minute: the next round's first binds must not meet it.
      if (round + 1 < rounds) {
        console.error("waiting 61 s for the flood's throttle to lapse...");
        await new Promise((r) => setTimeout(r, 61_000));
      }
    }
  }
  report();
} finally {
  for (const c of children) c.kill('SIGTERM');
  try {
    process.kill(slapdPid);
  } catch {
    /* already gone */
  }
  await Promise.all(children.map((c) => (c.exitCode === null ? once(c, 'exit') : null)));
}

function report() {
  // Each figure beside slapd's of the same round, then medians over the rounds.
  for (const r of results) {
    const s = results.find(
      (x) => x.round === r.round && x.section === r.section && x.measure === r.measure && x.server === 'slapd',
    );
    if (s && r.server !== 'slapd' && r.section !== 'flood') r.ratio = +(r.perSecond / s.perSecond).toFixed(2);
  }
  const median = (xs: number[]) => {
    const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
    return v.length ? v[(v.length - 1) >> 1] : NaN;
  };
  const rows = results
    .filter((x) => x.round === rounds - 1)
    .map((r) => {
      const same = results.filter((x) => x.section === r.section && x.measure === r.measure && x.server === r.server);
      return Object.fromEntries(
        Object.entries(r).map(([k, v]) => [
          k,
          typeof v === 'number' && k !== 'round' ? median(same.map((x) => x[k])) : v,
        ]),
      ) as Row;
    });
  const memory = memoryMb(ours.pid!);
  const machine =
    `${cpus().length} x ${cpus()[0].model.trim()}, Node ${process.version}, ` +
    `${execFileSync('psql', ['--version']).toString().trim()}`;
  writeFileSync(
    join(work, `ldap-${ds.database}.json`),
    JSON.stringify(
      { at: new Date().toISOString(), machine, dataset: ds, seconds, floodSeconds, rounds, results, memory },
      null,
      2,
    ),
  );

  const fmt = (v: unknown) =>
    typeof v === 'number' ? (Number.isFinite(v) ? v.toLocaleString('en-GB') : '—') : v === undefined ? '' : String(v);
  const codes = (c: Record<string, number> | undefined) =>
    Object.entries(c ?? {})
      .map(([k, n]) => `${k}:${n}`)
      .join(' ');
  const table = (head: string[], body: unknown[][]) =>
    console.log(
      `\n| ${head.join(' | ')} |\n` +
        `|${head.map(() => '---').join('|')}|\n${body.map((r) => `| ${r.map(fmt).join(' | ')} |`).join('\n')}`,
    );
  const of = (section: string) => rows.filter((r) => r.section === section);
  console.log(
    `\n${ds.label}: ${ds.people.toLocaleString('en-GB')} people in ${ds.orgs.toLocaleString('en-GB')} ` +
      `organisations; ${seconds} s a measurement${rounds > 1 ? `; medians of ${rounds} rounds` : ''}; ${machine}`,
  );
  if (of('search').length) {
    table(
      ['load', 'server', 'searches/s', 'p50 ms', 'p99 ms', 'entries/search', 'errors', 'ratio to slapd', 'steal %'],
      of('search').map((r) => [
        r.measure,
        r.server,
        r.perSecond,
        r.p50,
        r.p99,
        r.entriesPerSearch ?? r.entriesPerOp,
        r.errors,
        r.ratio,
        r.stealPercent,
      ]),
    );
  }
  if (of('binds').length) {
    table(
      ['binds', 'server', 'binds/s', 'p50 ms', 'p99 ms', 'result codes', 'errors', 'ratio to slapd', 'steal %'],
      of('binds').map((r) => [
        r.measure,
        r.server,
        r.perSecond,
        r.p50,
        r.p99,
        `${codes(r.codes)}${r.exhausted ? ' (ran out of people before the time was up)' : ''}`,
        r.errors,
        r.ratio,
        r.stealPercent,
      ]),
    );
  }
  if (of('day').length) {
    table(
      [
        'day',
        'server',
        'searches/s',
        'p50 ms',
        'p99 ms',
        'ratio to slapd',
        'writes/s',
        'write p50 ms',
        'write p99 ms',
        'writes failed',
        'steal %',
      ],
      of('day').map((r) => [
        r.measure,
        r.server,
        r.perSecond,
        r.p50,
        r.p99,
        r.ratio,
        r.writesPerSecond,
        r.writeP50,
        r.writeP99,
        r.writesFailed === undefined ? '' : `${r.writesFailed} (+${r.writesNotSent} not sent)`,
        r.stealPercent,
      ]),
    );
    for (const r of of('day').filter((x) => x.writeFailures?.length)) {
      console.log(`\n${r.server}: writes failed, e.g. ${r.writeFailures.join('; ')}`);
    }
  }
  if (of('flood').length) {
    table(
      [
        'flood',
        'server',
        'client p50 / p99 ms alone',
        'client p50 / p99 ms in the flood',
        'flood binds/s',
        'flood answers',
        'server CPU, cores: alone / in the flood',
        "the flood's own, estimated (second half)",
        'the flood alone, server CPU (second half)',
        'its postgres CPU, cores',
        'steal % (alone)',
      ],
      of('flood').map((r) => [
        r.measure,
        r.server,
        `${fmt(r.clientAloneP50)} / ${fmt(r.clientAloneP99)}`,
        `${fmt(r.p50)} / ${fmt(r.p99)}${r.clientErrors ? `, ${r.clientErrors} errors` : ''}`,
        r.floodPerSecond,
        `${codes(r.floodCodes)}${r.floodErrors ? `, ${r.floodErrors} errors` : ''}`,
        `${fmt(r.clientAloneCpuCores)} / ${fmt(r.serverCpuCores)}`,
        `${fmt(r.floodCpuCores)} (${fmt(r.floodCpuCoresSecondHalf)})`,
        `${fmt(r.floodAloneCpuCores)} (${fmt(r.floodAloneCpuCoresSecondHalf)})`,
        r.postgresCpuCores,
        `${fmt(r.stealPercent)} (${fmt(r.clientAloneSteal)})`,
      ]),
    );
  }
  console.log(`\nnhs-directory resident memory after the run: ${memory.rssMb} MB (peak ${memory.peakMb} MB)`);
  // What the servers said under load (their log level is warn), but for the key-file warning, which a
  // server given IDENTIFIER_KEY (as these are) no longer prints.
  for (const port of [OURS, ...(uncached ? [UNCACHED] : [])]) {
    const lines = readFileSync(join(work, `server-${port}.log`), 'utf8')
      .split('\n')
      .filter((l) => l && !l.includes('IDENTIFIER_KEY is unset'));
    if (!lines.length) continue;
    console.log(
      `\nserver on ${port} logged ${lines.length} lines (bench/.work/server-${port}.log):\n` +
        lines.slice(0, 5).join('\n'),
    );
  }
}

// PostgreSQL 15 clusters of the tests' own (Debian's binaries): a primary and a streaming hot
// standby on free ports in a temporary folder, stopped and removed in t.teardown whatever happens.
// Tests run as root here, and initdb refuses root: the binaries run as the `postgres` user then.
import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Test } from 'tap';
import { Client } from 'ldapts';
import { openPostgres } from '../../src/db/client.js';
import { createDirectory } from '../../src/directory/directory.js';
import { freePort, run, type Running } from './process.js';

const bin = '/usr/lib/postgresql/15/bin';
/** Whether the tests can start clusters of their own (the binaries are installed). */
export const haveClusterBinaries = existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_basebackup'));

const exec = promisify(execFile);
const asRoot = process.getuid?.() === 0;
/** The `postgres` account's uid and gid (Debian's package makes it). */
function postgresIds() {
  const ids = /^postgres:[^:]*:(\d+):(\d+):/.exec(execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }));
  if (!ids) throw new Error('no postgres user to run PostgreSQL as');
  return { uid: Number(ids[1]), gid: Number(ids[2]) };
}

/** Run one of the PostgreSQL binaries (as `postgres` when we are root). */
async function pgbin(name: string, args: string[]): Promise<string> {
  const [file, argv] = asRoot
    ? ['/usr/sbin/runuser', ['-u', 'postgres', '--', join(bin, name), ...args]]
    : [join(bin, name), args];
  try {
    const { stdout } = await exec(file, argv, { timeout: 120_000, env: { PATH: process.env.PATH ?? '', LANG: 'C' } });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${name} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`, {
      cause: err,
    });
  }
}

export interface Server {
  port: number;
  dir: string;
  /** postgres://postgres@127.0.0.1:port/<db> */
  url(db?: string): string;
  /** `pg_ctl stop -m <mode>` (immediate: as if the machine were lost). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** `pg_ctl promote`: a standby becomes a primary. */
  promote(): Promise<void>;
  /** One statement on this server's `db` (default nhsdir). */
  query<R = Record<string, unknown>>(text: string, params?: unknown[], db?: string): Promise<R[]>;
}

export interface Cluster {
  primary: Server;
  standby: Server;
  /** Until the standby has replayed everything the primary has written so far. */
  caughtUp(): Promise<void>;
}

function server(root: string, name: string, port: number): Server {
  const dir = join(root, name);
  const url = (db = 'nhsdir') => `postgres://postgres@127.0.0.1:${port}/${db}`;
  const self: Server = {
    port,
    dir,
    url,
    async stop(mode = 'fast') {
      await pgbin('pg_ctl', ['stop', '-D', dir, '-m', mode, '-w']);
    },
    async start() {
      await pgbin('pg_ctl', ['start', '-D', dir, '-l', join(root, `${name}.log`), '-w', '-t', '120']);
    },
    async promote() {
      await pgbin('pg_ctl', ['promote', '-D', dir, '-w']);
    },
    async query(text, params, db) {
      const client = new pg.Client({ connectionString: url(db), connectionTimeoutMillis: 10_000 });
      client.on('error', () => {});
      await client.connect();
      try {
        return (await client.query(text, params as unknown[])).rows;
      } finally {
        await client.end().catch(() => {});
      }
    },
  };
  return self;
}

/**
 * A primary (wal_level=replica) with a database `nhsdir`, and a hot standby streaming from it
 * (`pg_basebackup -R`). Both are stopped and their folder removed when `t` ends.
 */
export async function startCluster(t: Test, opts: { standby?: boolean } = {}): Promise<Cluster> {
  const root = mkdtempSync(join(tmpdir(), 'nhsdir-cluster-'));
  let servers: Server[] = [];
  t.teardown(async () => {
    for (const s of servers) await s.stop('immediate').catch(() => {});
    rmSync(root, { recursive: true, force: true });
  });
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(root, uid, gid);
  }
  chmodSync(root, 0o700);
  const primary = server(root, 'primary', await freePort());
  await pgbin('initdb', ['-D', primary.dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // Small and fast: a test's data is thrown away, so nothing needs to reach the disk.
  appendFileSync(
    join(primary.dir, 'postgresql.conf'),
    [
      `port = ${primary.port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${root}'`,
      'wal_level = replica',
      'max_wal_senders = 5',
      'hot_standby = on',
      'max_connections = 200',
      'shared_buffers = 16MB',
      'fsync = off',
      'full_page_writes = off',
      // A standby's query is never cancelled for a conflict with replay in these tests.
      'max_standby_streaming_delay = -1',
      '',
    ].join('\n'),
  );
  servers = [primary];
  await primary.start();
  await primary.query('CREATE DATABASE nhsdir', [], 'postgres');

  const standby = server(root, 'standby', await freePort());
  if (opts.standby === false) return { primary, standby, caughtUp: async () => {} };
  await pgbin('pg_basebackup', [
    '-h',
    '127.0.0.1',
    '-p',
    String(primary.port),
    '-U',
    'postgres',
    '-D',
    standby.dir,
    '-R',
    '-X',
    'stream',
    '-c',
    'fast',
    '--no-sync',
  ]);
  appendFileSync(join(standby.dir, 'postgresql.conf'), `port = ${standby.port}\n`);
  servers = [standby, primary];
  await standby.start();
  const cluster: Cluster = {
    primary,
    standby,
    async caughtUp() {
      const [{ lsn }] = await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
      await waitUntil(async () => {
        const [{ ok }] = await standby.query<{ ok: boolean }>('select pg_last_wal_replay_lsn() >= $1::pg_lsn as ok', [
          lsn,
        ]);
        return ok;
      }, 'the standby to replay the primary');
    },
  };
  return cluster;
}

/** Poll `check` until it is true (errors count as not yet), or fail after `ms`. */
export async function waitUntil(check: () => Promise<boolean> | boolean, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Reply = { status: number; body: any; headers: Headers };

/** One `nhsdir serve` process: its ports, a REST call and LDAP helpers, killed when `t` ends. */
export interface Node {
  name: string;
  http: string;
  ldapUrl: string;
  proc: Running;
  call(method: string, path: string, token?: string, body?: unknown): Promise<Reply>;
  token(username: string, password: string): Promise<string>;
  /** The result code of a simple bind (0: bound, 49: refused, 52: unavailable). */
  bind(name: string, password: string): Promise<number>;
  /** The `attrs` of each entry found under o=nhs, bound as `as`. */
  search(as: [string, string], filter: string, attrs: string[]): Promise<Record<string, unknown>[]>;
  /** SIGKILL: as if the machine were lost. */
  kill(): Promise<void>;
}

export const identifierKey = 'cluster-test-identifier-key-0123456789';

export async function startNode(t: Test, name: string, env: Record<string, string>): Promise<Node> {
  const dataDir = mkdtempSync(join(tmpdir(), `nhsdir-node-${name}-`));
  const httpPort = await freePort();
  const ldapPort = await freePort();
  const proc = run(['serve'], {
    DATA_DIR: dataDir,
    HTTP_PORT: String(httpPort),
    LDAP_PORT: String(ldapPort),
    IDENTIFIER_KEY: identifierKey,
    ADMIN_PASSWORD: 'admin-password-1',
    DEMO: 'false',
    ...env,
  });
  t.teardown(async () => {
    // A failed test shows what the node said.
    if (!t.passing()) t.comment(`node ${name}:\n${proc.output().slice(-6000)}`);
    if (proc.child.exitCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  await proc.waitFor(/LDAP on ldap:/);
  await proc.waitFor(/REST API on http/);
  const http = `http://127.0.0.1:${httpPort}`;
  const ldapUrl = `ldap://127.0.0.1:${ldapPort}`;
  const node: Node = {
    name,
    http,
    ldapUrl,
    proc,
    async call(method, path, token, body) {
      const res = await fetch(http + path, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async token(username, password) {
      const r = await node.call('POST', '/api/v1/auth/token', undefined, { username, password });
      if (r.status !== 200)
        throw new Error(`no token for ${username} from ${name}: ${r.status} ${JSON.stringify(r.body)}`);
      return (r.body as { access_token: string }).access_token;
    },
    async bind(who, password) {
      const client = new Client({ url: ldapUrl, timeout: 20_000, connectTimeout: 20_000 });
      try {
        await client.bind(who, password);
        return 0;
      } catch (err) {
        return (err as { code?: number }).code ?? -1;
      } finally {
        await client.unbind().catch(() => {});
      }
    },
    async search([who, password], filter, attributes) {
      const client = new Client({ url: ldapUrl, timeout: 20_000, connectTimeout: 20_000 });
      try {
        await client.bind(who, password);
        const { searchEntries } = await client.search('o=nhs', { scope: 'sub', filter, attributes });
        return searchEntries;
      } finally {
        await client.unbind().catch(() => {});
      }
    },
    async kill() {
      proc.child.kill('SIGKILL');
      await proc.exited;
    },
  };
  return node;
}

/** A directory core in the test process on `url` (for what no front end offers, such as role grants). */
export async function coreOn(t: Test, url: string) {
  const database = await openPostgres(url);
  const dir = createDirectory(database, {
    mailDomain: 'nhs.net',
    identifierKey,
    leaverRetentionDays: 30,
    lockoutAttempts: 3,
    lockoutMinutes: 15,
  });
  const unwatch = await dir.watchChanges();
  t.teardown(async () => {
    await unwatch?.();
    await database.close();
  });
  return { database, dir };
}

/**
 * What `get` answers once it answers `want`, or its last answer after `ms` (for the assertion to
 * show). For what another node learns through a notification: milliseconds, or a little more when
 * the machine is loaded; never a fixed sleep.
 */
export async function settle<T>(get: () => Promise<T>, want: T, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await get();
    if (got === want || Date.now() > deadline) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// PostgreSQL 15 clusters of one's own (Debian's binaries): a primary and, by default, a streaming
// hot standby on free ports in a temporary folder. test/cluster starts them (test/helpers/cluster.ts
// stops them when a test ends), and so does bench/cluster. Run as root (as tests and CI are here),
// the binaries run as the `postgres` user: initdb refuses root.
import { execFile, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const bin = '/usr/lib/postgresql/15/bin';
/** Whether clusters can be started here (the binaries are installed). */
export const haveClusterBinaries = existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_basebackup'));

export async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  srv.close();
  return port;
}

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
  /** Until the standby has replayed everything the primary has written so far (in database `db`). */
  caughtUp(db?: string): Promise<void>;
  /** Stop every server and remove the folder. */
  destroy(): Promise<void>;
}

function server(root: string, name: string, port: number): Server {
  const dir = join(root, name);
  const url = (db = 'nhsdir') => `postgres://postgres@127.0.0.1:${port}/${db}`;
  return {
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
}

export interface ClusterOptions {
  /** false: the primary alone. */
  standby?: boolean;
  /** The primary's port (default a free one). */
  port?: number;
  /** postgresql.conf lines after the defaults (which are small and fast, for tests: fsync off). */
  settings?: string[];
}

/**
 * A primary (wal_level=replica) with a database `nhsdir`, and a hot standby streaming from it
 * (`pg_basebackup -R`). On failure, what was started is stopped and removed again.
 */
export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const root = mkdtempSync(join(tmpdir(), 'nhsdir-cluster-'));
  let servers: Server[] = [];
  const destroy = async () => {
    for (const s of servers) await s.stop('immediate').catch(() => {});
    rmSync(root, { recursive: true, force: true });
  };
  try {
    if (asRoot) {
      const { uid, gid } = postgresIds();
      chownSync(root, uid, gid);
    }
    chmodSync(root, 0o700);
    const primary = server(root, 'primary', opts.port ?? (await freePort()));
    await pgbin('initdb', ['-D', primary.dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    // Small and fast by default: a test's data is thrown away, so nothing needs to reach the disk.
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
        // A standby's query is never cancelled for a conflict with replay.
        'max_standby_streaming_delay = -1',
        ...(opts.settings ?? []),
        '',
      ].join('\n'),
    );
    servers = [primary];
    await primary.start();
    await primary.query('CREATE DATABASE nhsdir', [], 'postgres');

    const standby = server(root, 'standby', await freePort());
    if (opts.standby === false) return { primary, standby, caughtUp: async () => {}, destroy };
    await pgbin('pg_basebackup', [
      ...['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', standby.dir],
      ...['-R', '-X', 'stream', '-c', 'fast', '--no-sync'],
    ]);
    appendFileSync(join(standby.dir, 'postgresql.conf'), `port = ${standby.port}\n`);
    servers = [standby, primary];
    await standby.start();
    return {
      primary,
      standby,
      async caughtUp(db) {
        const [{ lsn }] = await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn', [], db);
        await waitUntil(async () => {
          const [{ ok }] = await standby.query<{ ok: boolean }>(
            'select pg_last_wal_replay_lsn() >= $1::pg_lsn as ok',
            [lsn],
            db,
          );
          return ok;
        }, 'the standby to replay the primary');
      },
      destroy,
    };
  } catch (err) {
    await destroy();
    throw err;
  }
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

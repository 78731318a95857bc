// The two database drivers behind one interface: embedded PGlite in DATA_DIR, or a PostgreSQL pool.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createHash } from 'node:crypto';
import { SQL, type Query } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema.js';
import { holdLeadership, soleLeader, type Leadership } from './leader.js';
import { createReadRouter, describeUrl, openPool, SEARCH_SESSION, type DatabaseStatus } from './replicas.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction, or the database itself where no transaction is needed. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

export interface Database {
  kind: 'pglite' | 'postgres';
  /** PostgreSQL: the primary as host:port/database (never the password), for messages and /readyz. */
  name?: string;
  db: Db;
  /**
   * For read-only statements that may be answered by a hot standby (DATABASE_READ_URL): it picks
   * one that has replayed every write this process knows of, else the primary. Without standbys,
   * the same as `db`.
   */
  read: Db;
  /** A write committed in this process: reads follow it (they wait for standbys to replay it). */
  wrote?(): void;
  /** With standbys: the databases this process uses, with their role, reachability and lag. */
  databases?(): DatabaseStatus[];
  /** The same, asked of each database now (for /readyz). */
  checkDatabases?(): Promise<DatabaseStatus[]>;
  /** Leadership for work that runs on one node only (scheduled feeds). */
  leadership(): Leadership;
  /** Plain SQL with $1 parameters. */
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /**
   * A hot-path read (LDAP and REST searches): on PostgreSQL a named prepared statement, so that a
   * query shape is planned once per connection rather than on every search. A `Query` is one made
   * already by `built()`.
   */
  select<R>(query: SQL | Query): Promise<R[]>;
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Connections by state, for /metrics (PostgreSQL pools only). */
  poolStats?(): Record<string, number>;
  /**
   * PostgreSQL only (an embedded database has one process): call `changed` whenever another
   * process commits a write (its NOTIFY: the tags of what changed, space-separated, or `*` for
   * anything, then `#` and the notice's number), and `lost` while that cannot be known.
   */
  watchChanges?(changed: (what: string) => void, lost: (isLost: boolean) => void): Promise<() => Promise<void>>;
  /** PostgreSQL only, while watching: the number of the last notice committed (src/directory/heard.ts). */
  lastNotice?(): Promise<number>;
}

/** The channel every audited write notifies at commit. */
export const CHANGES_CHANNEL = 'nhsdir_changes';
/** The number of the last notice on it (audit.ts, migrations/0012). */
const LAST_NOTICE = 'select n from announced where one';

export interface PgliteDatabase extends Database {
  /** The whole data directory as a tarball (tests start from a migrated one). */
  dump(): Promise<Blob>;
}

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

const dialect = new PgDialect();
const toQuery = (query: SQL | Query): Query => (query instanceof SQL ? dialect.sqlToQuery(query) : query);

// Built queries by what was asked. Mail clients ask the same searches all day (the same few
// prefixes, from every user), and drizzle's building of a search's SQL cost more of the server's
// time than anything else it does per search; asked again, the text and parameters are reused.
// Searches differ in their values far more than in their shape, so each text is kept once and
// shared (a few hundred shapes), and an entry costs little more than its key: a day's mix of
// prefixes and exact addresses (over 10,000 searches) had emptied a map of 5,000 again and again.
const builtQueries = new Map<string, Query>();
const builtTexts = new Map<string, string>();
const MAX_BUILT = 20_000;

// A long key or statement (a filter of many or long values) is built each time and not kept: what
// is kept stays within MAX_BUILT entries of at most a few kilobytes each. Mail clients' statements
// are under 2 KB.
const MAX_KEPT_TEXT = 4096;

/** The SQL text and parameters `make` builds, made once per `key` (which must name all it depends on). */
export function built(key: string, make: () => SQL): Query {
  let q = builtQueries.get(key);
  if (!q) {
    q = dialect.sqlToQuery(make());
    if (key.length > MAX_KEPT_TEXT || q.sql.length > MAX_KEPT_TEXT) return q;
    if (builtQueries.size >= MAX_BUILT) builtQueries.clear();
    if (builtTexts.size >= MAX_BUILT) builtTexts.clear();
    const text = builtTexts.get(q.sql) ?? q.sql;
    builtTexts.set(text, text);
    q = { ...q, sql: text };
    builtQueries.set(key, q);
  }
  return q;
}

// Statement names are a hash of the text; only the first shapes seen are prepared, so that a
// stream of ever-different filters cannot fill every connection with statements, and only short
// ones: a long statement's plan (a wide filter's) can hold megabytes of a connection's memory
// (15 KB of SQL held 2.5 MB), and a few hundred of them gigabytes.
const preparedNames = new Map<string, string>();
const MAX_PREPARED = 200;
function statementName(text: string): string | undefined {
  const known = preparedNames.get(text);
  if (known || preparedNames.size >= MAX_PREPARED || text.length > MAX_KEPT_TEXT) return known;
  const name = `q${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
  preparedNames.set(text, name);
  return name;
}

// PGlite keeps PostgreSQL's 1 GB max_wal_size: a 600 MB data folder for 64 MB of data.
const pgliteConf = ['max_wal_size=64MB', 'min_wal_size=32MB'];

/**
 * One process at a time may open an embedded data directory: a second would corrupt it. The lock
 * is a file with the holder's pid; a lock left by a process that has died is taken over.
 */
function lockDataDir(dir: string): () => void {
  const file = join(dir, 'nhsdir.pid');
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8'));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = pid !== process.pid;
    } catch {
      /* not running */
    }
    if (alive)
      throw new Error(`the embedded database in ${dir} is in use by process ${pid} (stop it, or use the REST API)`);
  }
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
}

export async function openPglite(options: { dataDir?: string; loadDataDir?: Blob }): Promise<PgliteDatabase> {
  const unlock = options.dataDir
    ? (mkdirSync(options.dataDir, { recursive: true }), lockDataDir(options.dataDir))
    : () => {};
  const client = await PGlite.create({
    dataDir: options.dataDir,
    loadDataDir: options.loadDataDir,
    extensions: { pg_trgm },
    postgresqlconf: pgliteConf,
  }).catch((err) => {
    unlock();
    throw err;
  });
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    read: db,
    leadership: () => soleLeader,
    query: async (text, params) => (await client.query(text, params)).rows as never,
    select: async (query) => {
      const q = toQuery(query);
      return (await client.query(q.sql, q.params)).rows as never;
    },
    migrate: () => migratePglite(db as never, { migrationsFolder }),
    close: async () => {
      await client.close();
      unlock();
    },
    dump: () => client.dumpDataDir('none'),
  };
}

export interface ReadReplicas {
  /** Hot standbys' URLs. */
  urls: string[];
  /** A standby further behind than this gets no reads. */
  maxLagSeconds: number;
}

export async function openPostgres(url: string, replicas?: ReadReplicas): Promise<Database> {
  const pool = openPool(url);
  // Searches get their own connections, on which the planner never picks a sequential scan when
  // an index can answer: it prices lower() as free, so it would scan thousands of rows to find
  // "any 50" matches that an index range yields at once. (Measured: 1.2 ms against 0.05 ms.)
  // Their statements are written for generic plans (ranges and ordered arms with limits); left to
  // choose, PostgreSQL planned each mail-client search afresh whenever the prefix looked rare, and
  // forcing the generic plan measured 1.5-1.8 times the searches a second at national size.
  const searchPool = openPool(url, { options: SEARCH_SESSION });
  const db = drizzlePg({ client: pool, schema }) as unknown as Db;
  // Reads to standbys (src/db/replicas.ts); searches fall back to the primary's search pool.
  const router = replicas?.urls.length
    ? createReadRouter(searchPool, url, replicas.urls, { maxLagSeconds: replicas.maxLagSeconds })
    : undefined;
  const read = router ? (drizzlePg({ client: router as unknown as pg.Pool, schema }) as unknown as Db) : db;
  const reads = router ?? searchPool;
  let listener: pg.Client | null = null; // watchChanges's connection, while it listens
  return {
    kind: 'postgres',
    name: describeUrl(url),
    db,
    read,
    wrote: () => router?.fence(),
    // Without standbys: none to show (/readyz answers as it always has, by asking the primary).
    databases: () => router?.statuses() ?? [],
    checkDatabases: async () => (await router?.check()) ?? [],
    leadership: () => holdLeadership(url),
    query: async (text, params) => (await pool.query(text, params as unknown[])).rows,
    select: async (query) => {
      const q = toQuery(query);
      return (await reads.query({ name: statementName(q.sql), text: q.sql, values: q.params as unknown[] })).rows;
    },
    // Two servers starting at once must not both migrate: hold a session advisory lock meanwhile.
    async migrate() {
      const lock = await pool.connect();
      try {
        await lock.query('SELECT pg_advisory_lock(7266001)');
        await migratePg(db as never, { migrationsFolder });
      } finally {
        await lock.query('SELECT pg_advisory_unlock(7266001)').catch(() => {});
        lock.release();
      }
    },
    close: async () => {
      await router?.close();
      await Promise.all([pool.end(), searchPool.end()]);
    },
    poolStats: () => ({
      total: pool.totalCount + searchPool.totalCount,
      idle: pool.idleCount + searchPool.idleCount,
      waiting: pool.waitingCount + searchPool.waitingCount,
    }),
    // On the listening connection, which nothing else holds: never queued behind writes that wait
    // for a lock (an attacker's pass stalled reads from memory for 6 s with feed uploads).
    lastNotice: async () => {
      if (!listener) throw new Error('not listening for changes');
      const [{ n }] = (await listener.query<{ n: string }>(LAST_NOTICE)).rows;
      return Number(n);
    },
    async watchChanges(changed, lost) {
      let client: pg.Client | null = null;
      let stopped = false;
      let retry: NodeJS.Timeout | undefined;
      const connect = async () => {
        const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, keepAlive: true });
        // Another process committed: reads wait for standbys to replay it, then the caches evict.
        c.on('notification', (n) => {
          router?.fence();
          changed(n.payload || '*');
        });
        c.on('error', () => {});
        let again = false;
        // Lost, or never made: listen again in a second (the primary restarted, or a promoted
        // standby took its address), until stopped.
        const reconnect = () => {
          if (stopped || again) return;
          again = true;
          if (client === c) client = listener = null;
          lost(true); // until listening again, nothing may be trusted from memory
          retry = setTimeout(() => void connect(), 1000).unref();
        };
        c.on('end', reconnect);
        try {
          await c.connect();
          await c.query(`LISTEN ${CHANGES_CHANNEL}`);
          // The number of the last notice before listening: any later one will be heard.
          const [{ n }] = (await c.query<{ n: string }>(LAST_NOTICE)).rows;
          client = listener = c;
          router?.fence();
          changed(`* #${n}`); // anything may have changed while not listening
          lost(false);
        } catch {
          reconnect();
          await c.end().catch(() => {});
        }
      };
      lost(true);
      await connect();
      return async () => {
        stopped = true;
        clearTimeout(retry);
        await client?.end().catch(() => {});
      };
    },
  };
}

export function openDatabase(config: {
  DATABASE_URL?: string;
  DATABASE_READ_URL?: string[];
  DATABASE_READ_MAX_LAG_SECONDS?: number;
  DATA_DIR: string;
}): Promise<Database> {
  return config.DATABASE_URL
    ? openPostgres(config.DATABASE_URL, {
        urls: config.DATABASE_READ_URL ?? [],
        maxLagSeconds: config.DATABASE_READ_MAX_LAG_SECONDS ?? 10,
      })
    : openPglite({ dataDir: `${config.DATA_DIR}/pglite` });
}

/** Rows of `tx.execute(sql…)`: both drivers answer with `{ rows }`. */
export async function rows<R>(result: Promise<unknown>): Promise<R[]> {
  return ((await result) as { rows: R[] }).rows;
}

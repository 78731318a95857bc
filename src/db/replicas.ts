// Reads from hot standbys (DATABASE_READ_URL). Every read-only statement asks `pick()` where to go:
// a standby that is reachable, within the lag limit, and has replayed every write this process has
// made or heard of (the "fence"); otherwise the primary. A write here, or a change notification
// from another process, raises the fence to the primary's WAL position after that commit, so a
// caller reads its own writes and the entry cache is never filled from a standby that has not yet
// replayed the write that evicted it. While the primary is lost, reads go to the best standby.
import pg from 'pg';

/** What /readyz and /metrics show of one database. */
export interface DatabaseStatus {
  /** host:port/database, never the password. */
  name: string;
  /** As configured. */
  configured: 'primary' | 'standby';
  /** As found: a standby that was promoted answers 'primary'. */
  role: 'primary' | 'standby' | 'unknown';
  reachable: boolean;
  /** Standbys: seconds and bytes of WAL behind the primary (0 while caught up). */
  lagSeconds?: number;
  lagBytes?: number;
  /** Whether reads are sent there now. */
  inReads: boolean;
}

/** A PostgreSQL pg_lsn ("16/B374D848") as a number of bytes. */
export function lsnBytes(lsn: string | null | undefined): bigint {
  if (!lsn) return 0n;
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'database';
  }
}

/** Whether an error means the server could not be reached (not that the statement was wrong). */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (/^(08|57P0)/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE'].includes(code))
    return true;
  return (
    typeof e?.message === 'string' &&
    /connection terminated|connection error|timeout exceeded when trying to connect|shutting down|starting up/i.test(
      e.message,
    )
  );
}

interface Standby {
  url: string;
  pool: pg.Pool;
  status: DatabaseStatus;
  replayed: bigint;
}

type Queryable = Pick<pg.Pool, 'query'>;

/** Seconds a search's statement may run before PostgreSQL stops it (the search pools' statement_timeout). */
export const SEARCH_SECONDS = 10;

/**
 * How search connections plan and how long they may run: see openPostgres (src/db/client.ts) for
 * why sequential scans are off and plans generic; the time limit keeps any one search (a filter no
 * index answers, at national size) from holding a connection for longer. No JIT: a sequential scan
 * it cannot avoid is priced at 10^10 with seqscan off, which set JIT compiling every such statement
 * (56 ms of LLVM for a one-row table).
 */
export const SEARCH_SESSION = [
  '-c enable_seqscan=off',
  '-c jit=off',
  '-c plan_cache_mode=force_generic_plan',
  `-c statement_timeout=${SEARCH_SECONDS}s`,
].join(' ');

/**
 * A pool whose connections stay open through five idle minutes (pg's default closes them after
 * 10 s). A new backend's first statements on the people table load its 22 indexes' catalog entries,
 * tens of milliseconds; measured beside a day's searches, writes after a quiet spell opened new
 * connections and took up to 560 ms. TCP keepalive notices a peer gone silently; a connection that
 * dies is replaced; the process may still exit with connections idle.
 */
export function openPool(url: string, options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    idleTimeoutMillis: 5 * 60_000,
    keepAlive: true,
    allowExitOnIdle: true,
    ...options,
  });
  pool.on('error', () => {}); // an idle client lost its connection; the pool replaces it
  // A client in use whose connection dies (a terminated backend) fails its query, which the caller
  // sees; the socket's own error must not also bring the process down.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

export interface ReadRouter {
  /** Where a read-only statement goes now. */
  pick(): Queryable;
  /** A read-only statement, sent where `pick` says; a connection failure is tried once elsewhere. */
  query: pg.Pool['query'];
  /** A write committed (here, or announced by another process): reads wait for standbys to replay it. */
  fence(): void;
  statuses(): DatabaseStatus[];
  /** Ask every database now (readiness), then the statuses. */
  check(): Promise<DatabaseStatus[]>;
  /** The primary answered, or failed to: kept for `pick`. */
  primaryReachable(): boolean;
  close(): Promise<void>;
}

export interface ReplicaOptions {
  /** A standby more than this many seconds behind gets no reads. */
  maxLagSeconds: number;
  /** How often every database is asked its position. */
  pollMs?: number;
  /** Connections per standby. */
  poolSize?: number;
}

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), ms).unref(),
    ),
  ]);

/**
 * `primary`: the pool reads fall back to (the primary's search pool). `primaryUrl`'s position is
 * polled on a connection of its own, as is each standby's.
 */
export function createReadRouter(
  primary: pg.Pool,
  primaryUrl: string,
  readUrls: string[],
  options: ReplicaOptions,
): ReadRouter {
  const pollMs = options.pollMs ?? 500;
  const primaryStatus: DatabaseStatus = {
    name: describeUrl(primaryUrl),
    configured: 'primary',
    role: 'unknown',
    reachable: true, // until shown otherwise: the first reads go to the primary
    inReads: true,
  };
  let primaryLsn = 0n;
  const standbys: Standby[] = readUrls.map((url) => {
    // Searches on standbys use the same planner setting as the primary's search pool.
    const pool = openPool(url, {
      max: options.poolSize ?? 10,
      options: SEARCH_SESSION,
    });
    return {
      url,
      pool,
      replayed: 0n,
      status: { name: describeUrl(url), configured: 'standby', role: 'unknown', reachable: false, inReads: false },
    };
  });
  const polls = new Map<string, pg.Pool>(); // a small pool per database for the position polls
  const pollPool = (url: string) => {
    let p = polls.get(url);
    if (!p) {
      p = openPool(url, { max: 1, connectionTimeoutMillis: 3000 });
      polls.set(url, p);
    }
    return p;
  };

  // The fence: the primary's WAL position after the last write known here. `pending` while that
  // position is being asked for: reads go to the primary meanwhile.
  let target = 0n;
  let raised = 0;
  let asking = false;
  let pending = false;
  const askPrimary = async () => {
    if (asking) return;
    asking = true;
    try {
      while (pending) {
        const seen = raised;
        const { rows } = await withTimeout(
          pollPool(primaryUrl).query('select pg_current_wal_lsn()::text as lsn'),
          3000,
        );
        const lsn = lsnBytes(rows[0].lsn);
        if (lsn > target) target = lsn;
        if (seen === raised) pending = false;
      }
      void pollStandbys(5);
    } catch {
      /* the primary is not answering: the next poll asks again */
    } finally {
      asking = false;
    }
  };

  const eligible = (s: Standby) => {
    const st = s.status;
    if (!st.reachable || (st.lagSeconds ?? 0) > options.maxLagSeconds) return false;
    // Without a primary nothing newer can be written: the fence cannot be met, nor need be.
    if (!primaryStatus.reachable) return true;
    return !pending && s.replayed >= target;
  };

  async function pollStandby(s: Standby) {
    try {
      const { rows } = await withTimeout(
        // A promoted standby's replay position stays where recovery ended: its own position counts.
        pollPool(s.url).query(`select pg_is_in_recovery() as standby,
          (case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_lsn() end)::text as replayed,
          case when not pg_is_in_recovery() or pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
            else coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp()), 0) end::float8 as lag`),
        3000,
      );
      const r = rows[0] as { standby: boolean; replayed: string; lag: number };
      s.replayed = lsnBytes(r.replayed);
      s.status.role = r.standby ? 'standby' : 'primary';
      s.status.reachable = true;
      s.status.lagSeconds = Math.max(0, Number(r.lag));
      s.status.lagBytes = primaryStatus.reachable && primaryLsn > s.replayed ? Number(primaryLsn - s.replayed) : 0;
    } catch {
      s.status.reachable = false;
      s.status.role = 'unknown';
    }
  }

  // After a fence is raised the standbys usually replay it within milliseconds: ask again a few
  // times quickly, so that reads return to them soon.
  let chasing = false;
  async function pollStandbys(quickTries = 0) {
    if (quickTries && chasing) return;
    chasing = quickTries > 0;
    try {
      for (let i = 0; ; i++) {
        await Promise.all(standbys.map(pollStandby));
        refresh();
        if (i >= quickTries || standbys.some((s) => s.status.inReads)) return;
        await new Promise((r) => setTimeout(r, 10 * (i + 1)));
      }
    } finally {
      if (quickTries) chasing = false;
    }
  }

  async function pollPrimary() {
    try {
      const { rows } = await withTimeout(
        pollPool(primaryUrl).query(
          'select pg_is_in_recovery() as standby, pg_current_wal_lsn()::text as lsn where not pg_is_in_recovery()',
        ),
        3000,
      );
      primaryStatus.reachable = true;
      primaryStatus.role = rows.length ? 'primary' : 'standby';
      if (rows.length) primaryLsn = lsnBytes(rows[0].lsn);
    } catch {
      primaryStatus.reachable = false;
      primaryStatus.role = 'unknown';
    }
  }

  const refresh = () => {
    for (const s of standbys) s.status.inReads = eligible(s);
    primaryStatus.inReads = !standbys.some((s) => s.status.inReads);
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = async () => {
    await pollPrimary();
    if (pending) await askPrimary();
    await pollStandbys();
    if (!stopped) timer = setTimeout(() => void loop(), pollMs).unref();
  };
  const started = loop();

  let next = 0;
  const pick = (): Queryable => {
    const ready = standbys.filter(eligible);
    if (!ready.length) return primary;
    next = (next + 1) % ready.length;
    return ready[next].pool;
  };

  const query = (async (...args: unknown[]) => {
    const first = pick();
    try {
      return await (first.query as (...a: unknown[]) => Promise<unknown>)(...args);
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      // Mark what failed, and try once where reads would go now.
      if (first === primary) primaryStatus.reachable = false;
      else for (const s of standbys) if (s.pool === first) s.status.reachable = false;
      refresh();
      const second = pick();
      if (second === first) throw err;
      return (second.query as (...a: unknown[]) => Promise<unknown>)(...args);
    }
  }) as pg.Pool['query'];

  return {
    pick,
    query,
    fence() {
      raised++;
      pending = true;
      refresh();
      void askPrimary();
    },
    statuses: () => [{ ...primaryStatus }, ...standbys.map((s) => ({ ...s.status }))],
    async check() {
      await pollPrimary();
      await pollStandbys();
      return [{ ...primaryStatus }, ...standbys.map((s) => ({ ...s.status }))];
    },
    primaryReachable: () => primaryStatus.reachable,
    async close() {
      stopped = true;
      clearTimeout(timer);
      await started.catch(() => {});
      await Promise.all([...standbys.map((s) => s.pool.end()), ...[...polls.values()].map((p) => p.end())]);
    },
  };
}

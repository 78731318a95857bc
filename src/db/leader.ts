// Leadership among the nodes sharing one primary, for work that must run on exactly one of them
// (scheduled feeds): a PostgreSQL session-level advisory lock, held on a connection of its own.
// When the holder dies its connection drops, PostgreSQL releases the lock, and another node's next
// attempt (every `retryMs`) takes it. The holder checks its connection as often: a leader whose
// connection was lost (the primary restarted, the network cut) stops leading at once.
import pg from 'pg';

export interface Leadership {
  isLeader(): boolean;
  /** Called with true on gaining leadership and false on losing it. */
  onChange(listener: (leading: boolean) => void): void;
  close(): Promise<void>;
}

/**
 * The lock's key, in the two-integer key space, which never overlaps the single-bigint keys the
 * rest of the code locks (migrations, the audit, addresses): a collision would block their writes.
 */
export const SCHEDULER_LOCK: [number, number] = [7266, 15];

/** One process, one database: always the leader. */
export const soleLeader: Leadership = { isLeader: () => true, onChange: (l) => l(true), close: async () => {} };

export function holdLeadership(url: string, key = SCHEDULER_LOCK, retryMs = 1000): Leadership {
  let client: pg.Client | null = null;
  let leading = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const listeners: ((leading: boolean) => void)[] = [];
  const set = (now: boolean) => {
    if (now === leading) return;
    leading = now;
    for (const l of listeners) l(now);
  };
  const drop = (c: pg.Client | null) => {
    if (c && client === c) client = null;
    set(false);
    void c?.end().catch(() => {});
  };
  const within = <T>(p: Promise<T>) =>
    Promise.race([p, new Promise<never>((_, no) => setTimeout(() => no(new Error('timeout')), 5000).unref())]);

  async function attempt() {
    let c = client;
    try {
      if (!c) {
        c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, keepAlive: true });
        const mine = c;
        c.on('error', () => drop(mine));
        c.on('end', () => drop(mine));
        await within(c.connect());
        client = c;
      }
      if (leading) await within(c.query('select 1'));
      else {
        const { rows } = await within(c.query('select pg_try_advisory_lock($1, $2) as held', key));
        if (rows[0].held) set(true);
      }
    } catch {
      drop(c);
    }
    if (!stopped) timer = setTimeout(() => void attempt(), retryMs).unref();
  }
  void attempt();
  return {
    isLeader: () => leading && !stopped,
    onChange: (l) => void listeners.push(l),
    async close() {
      stopped = true;
      clearTimeout(timer);
      const c = client;
      client = null;
      set(false);
      // Ending the session releases the lock.
      await c?.end().catch(() => {});
    },
  };
}

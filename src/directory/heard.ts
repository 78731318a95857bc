// Whether memory may answer a read, across servers (issue 13: another server's write is read at
// once). Every notice of changes is numbered in commit order (audit.ts, nhs_announce), and `heard`
// is the number of the last notice this process has acted on. Memory may answer a read that sees
// the database at number n only once n <= heard. Until then a change that read can see has not
// been evicted here: its notice is on its way (an attacker's pass measured up to 0.1 s under
// load). The read waits for it a little (it is usually already in the socket, behind other work),
// and past that reads from the database instead.

export interface Freshness {
  /** Whether memory may answer a read that begins now: one small query, shared by the reads waiting for it. */
  now(): boolean | Promise<boolean>;
  /**
   * The number every read of an operation beginning now may be answered from memory up to (`said`
   * for `until`), once heard: one question for all the operation's reads. Undefined: not heard in
   * time, so each read asks (or reads the database) itself.
   */
  current(): number | undefined | Promise<number | undefined>;
  /** Whether memory may answer a read whose statement saw the database at this number. */
  until(said: number): boolean | Promise<boolean>;
}

/** One process, which hears of every change as it is made. */
export const always: Freshness = { now: () => true, current: () => 0, until: () => true };

/**
 * How long a read waits for a notice before it reads from the database instead. A notice is
 * usually late because this process's event loop is busy, and waiting costs no work; reading
 * around it costs a statement.
 */
const WAIT_MS = 20;

/** `latest`: the database's number now; none for an embedded database, whose one process hears everything. */
export function createHeard(latest?: () => Promise<number>) {
  let heard = 0;
  const waiting = new Set<{ said: number; done: (ok: boolean) => void }>();
  const until = (said: number): boolean | Promise<boolean> => {
    if (said <= heard) return true;
    return new Promise((resolve) => {
      const waiter = {
        said,
        done: (ok: boolean) => {
          clearTimeout(timer);
          waiting.delete(waiter);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => waiter.done(false), WAIT_MS);
      waiting.add(waiter);
    });
  };
  // Reads asking "now" join the next query not yet sent; one sent before they asked cannot answer
  // them (the write they must see may have committed after it), so they wait for the one after it.
  let next: Promise<number> | undefined;
  let last: Promise<unknown> = Promise.resolve();
  const ask = (query: () => Promise<number>) => {
    if (!next) {
      const asked = last.then(() => {
        next = undefined;
        return query();
      });
      next = asked;
      last = asked.catch(() => undefined);
    }
    return next;
  };
  // Unanswered (the database is down), memory is not trusted: the read itself will say why.
  const current = (): Promise<number | undefined> =>
    ask(latest!).then(
      async (n) => ((await until(n)) ? n : undefined),
      () => undefined,
    );
  const freshness: Freshness = latest ? { now: () => current().then((n) => n !== undefined), current, until } : always;
  return {
    freshness,
    /** A notice acted on (its evictions made): `#n` ends its text. Notices arrive in number order. */
    heard(notice: string): void {
      const number = /#(\d+)$/.exec(notice);
      if (!number) return;
      heard = Math.max(heard, Number(number[1]));
      for (const waiter of waiting) if (waiter.said <= heard) waiter.done(true);
    },
    /** Notices cannot be heard (not listening): none waits, and listening again says the number anew. */
    lost(): void {
      heard = 0;
      for (const waiter of waiting) waiter.done(false);
    },
  };
}

// Whether memory may answer a read, across servers (issue 13: another server's write is read at
// once). Every notice of changes is numbered in commit order (audit.ts, nhs_announce), and `heard`
// is the number of the last notice this process has acted on. Memory may answer a read that sees
// the database at number n only if n <= heard. Otherwise a change that read can see has not been
// evicted here yet: its notice is still on its way (an attacker's pass measured up to 0.1 s under
// load), and the read goes to the database instead.

export interface Freshness {
  /** Whether memory may answer a read that begins now: one small query, shared by the reads waiting for it. */
  now(): boolean | Promise<boolean>;
  /** Whether memory may answer a read whose statement saw the database at this number. */
  covers(said: number): boolean;
}

/** One process, which hears of every change as it is made. */
export const always: Freshness = { now: () => true, covers: () => true };

/** `latest`: the database's number now; none for an embedded database, whose one process hears everything. */
export function createHeard(latest?: () => Promise<number>) {
  let heard = 0;
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
  const freshness: Freshness = latest
    ? {
        // Unanswered (the database is down), memory is not trusted: the read itself will say why.
        now: () =>
          ask(latest).then(
            (said) => said <= heard,
            () => false,
          ),
        covers: (said) => said <= heard,
      }
    : always;
  return {
    freshness,
    /** A notice acted on (its evictions made): `#n` in its text. Notices arrive in number order. */
    heard(notice: string): void {
      const number = /#(\d+)$/.exec(notice);
      if (number) heard = Number(number[1]);
    },
  };
}

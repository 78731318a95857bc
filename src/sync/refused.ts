// Feeds refused because the primary database could not be reached: nothing of them was applied and
// nothing could be recorded then. Each is kept in this process's memory (at most 1,000) and recorded
// as a rejected run as soon as writing works again, so that the feed's history shows what was refused.
export interface Refusal {
  actor: unknown;
  connector: string;
  orgCode: string | null;
  at: string;
}

const LIMIT = 1000;
const RETRY_MS = 2000;

export function createRefusals<R extends Refusal>(save: (refusal: R) => Promise<void>) {
  const pending: R[] = [];
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(flush, RETRY_MS);
    timer.unref(); // a process may end with refusals unrecorded: they are in its log
  };
  async function flush() {
    timer = undefined;
    while (pending.length) {
      try {
        await save(pending[0]);
        pending.shift();
      } catch {
        schedule();
        return;
      }
    }
  }
  return {
    remember(refusal: R) {
      if (pending.length < LIMIT) pending.push(refusal);
      schedule();
    },
  };
}

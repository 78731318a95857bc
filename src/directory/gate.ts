// Bounded concurrency with a bounded queue, for work that must not take every core or connection:
// password checks (sign-in.ts) and searches that read a whole table (reads.ts). A task beyond the
// queue is refused at once ("busy"), never left waiting without end.
import { fail } from './errors.js';

/** A task that left the queue before its turn (its client abandoned it, or went away). */
export class GateLeft extends Error {
  override name = 'GateLeft';
}

export class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    /** Tasks run at once. */
    private readonly concurrency: number,
    /** Tasks waiting, in order, beyond those; one more is refused. */
    private readonly queue: number,
  ) {}

  /**
   * Runs `task` when a place is free; `busy` is the refusal's message when none will be soon. A
   * task whose `signal` aborts while it waits leaves the queue at once (GateLeft) and never runs.
   */
  async run<T>(task: () => Promise<T>, busy: string, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw new GateLeft();
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) fail('service.busy', busy);
      await new Promise<void>((resolve, reject) => {
        const turn = () => {
          signal?.removeEventListener('abort', leave);
          resolve();
        };
        const leave = () => {
          this.waiting.splice(this.waiting.indexOf(turn), 1);
          reject(new GateLeft());
        };
        signal?.addEventListener('abort', leave, { once: true });
        this.waiting.push(turn);
      });
    } else this.running++;
    try {
      return await task();
    } finally {
      // The place passes to the next in line, or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

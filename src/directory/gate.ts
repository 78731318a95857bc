// Bounded concurrency with a bounded queue, for work that must not take every core or connection:
// password checks (sign-in.ts) and searches that read a whole table (reads.ts). A task beyond the
// queue is refused at once ("busy"), never left waiting without end.
import { DirectoryError } from './errors.js';

/** A task that left the queue before its turn (its client abandoned it, or went away). */
export class GateLeft extends Error {
  override name = 'GateLeft';
}

interface Waiting {
  rank: number;
  turn: () => void;
  /** Out of the queue without a turn: GateLeft, or busy when a better-ranked task took the place. */
  refuse: (err: Error) => void;
}

export class Gate {
  private running = 0;
  /** By rank, then in order of arrival. */
  private readonly waiting: Waiting[] = [];

  constructor(
    /** Tasks run at once. */
    private readonly concurrency: number,
    /** Tasks waiting beyond those; one more is refused, unless it outranks the last in line. */
    private readonly queue: number,
  ) {}

  /** Tasks running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /**
   * Runs `task` when a place is free; `busy` is the refusal's message when none will be soon. A
   * task whose `signal` aborts while it waits leaves the queue at once (GateLeft) and never runs.
   * `rank`: lower goes first. With the queue full, a task of a lower rank than the last in line
   * takes its place, and that one is refused busy: so a flood (ranked by how often it has failed
   * or been told busy) cannot keep a place from everyone else by filling the queue.
   */
  async run<T>(task: () => Promise<T>, busy: string, signal?: AbortSignal, rank = 0): Promise<T> {
    if (signal?.aborted) throw new GateLeft();
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) {
        const last = this.waiting[this.waiting.length - 1];
        if (!last || last.rank <= rank) throw new DirectoryError('service.busy', busy);
        this.waiting.pop();
        last.refuse(new DirectoryError('service.busy', busy));
      }
      await new Promise<void>((resolve, reject) => {
        const me: Waiting = {
          rank,
          turn: () => {
            signal?.removeEventListener('abort', leave);
            resolve();
          },
          refuse: (err) => {
            signal?.removeEventListener('abort', leave);
            reject(err);
          },
        };
        const leave = () => {
          const at = this.waiting.indexOf(me);
          if (at >= 0) this.waiting.splice(at, 1);
          me.refuse(new GateLeft());
        };
        signal?.addEventListener('abort', leave, { once: true });
        const at = this.waiting.findIndex((w) => w.rank > rank);
        this.waiting.splice(at < 0 ? this.waiting.length : at, 0, me);
      });
    } else this.running++;
    try {
      return await task();
    } finally {
      // The place passes to the next in line, or is freed.
      const next = this.waiting.shift();
      if (next) next.turn();
      else this.running--;
    }
  }
}

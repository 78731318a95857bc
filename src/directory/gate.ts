// Bounded concurrency with a bounded queue, for work that must not take every core or connection:
// password checks (sign-in.ts) and searches that read a whole table (reads.ts). A task beyond the
// queue is refused at once ("busy"), never left waiting without end.
import { fail } from './errors.js';

export class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    /** Tasks run at once. */
    private readonly concurrency: number,
    /** Tasks waiting, in order, beyond those; one more is refused. */
    private readonly queue: number,
  ) {}

  /** Runs `task` when a place is free; `busy` is the refusal's message when none will be soon. */
  async run<T>(task: () => Promise<T>, busy: string): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) fail('service.busy', busy);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
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

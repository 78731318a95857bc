// Searches take turns with everything else on the event loop. Under load one turn of Node's loop can
// hold dozens of searches' answers, each a millisecond of encoding, and a write waiting for
// PostgreSQL's reply to its next statement waits for the whole turn, once per statement. A search
// that finds the current slice of work more than SLICE_MS old waits for the next turn (setImmediate),
// so that replies and requests are read between slices: the same work, but no one waits long.
const SLICE_MS = 4;
let sliceStart = performance.now();
let waiting: (() => void)[] = [];
let scheduled = false;

function nextTurn() {
  scheduled = false;
  sliceStart = performance.now();
  const ready = waiting;
  waiting = [];
  for (const resume of ready) resume();
}

/** Undefined while this slice has time left; otherwise a promise of the next turn. */
export function takeTurn(): Promise<void> | undefined {
  if (performance.now() - sliceStart < SLICE_MS) return undefined;
  if (!scheduled) {
    scheduled = true;
    setImmediate(nextTurn);
  }
  return new Promise((resume) => waiting.push(resume));
}

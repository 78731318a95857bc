// The sync report (contract section 4): what REST returns, `nhsdir sync --json` prints, and each
// run keeps.
export type RunStatus = 'applied' | 'dry_run' | 'held' | 'rejected';
export type Action =
  'joiner' | 'mover' | 'move_requested' | 'leaver' | 'updated' | 'review' | 'create' | 'rename' | 'close' | 'merge';

export interface Change {
  action: Action;
  uid: string | null;
  mail: string | null;
  fields: Record<string, unknown>;
}
export interface LineError {
  line: number;
  column: number;
  message: string;
}
export interface Counts {
  rows: number;
  joiners: number;
  movers: number;
  leavers: number;
  updated: number;
  unchanged: number;
  errors: number;
}

export interface Report {
  run_id: number;
  connector: string;
  org_code: string | null;
  status: RunStatus;
  started_at: string;
  finished_at: string;
  counts: Counts;
  errors: LineError[];
  changes: Change[];
  /** Why the run is held (or would be, for a dry run); absent otherwise. */
  held_reason?: string;
}

/** What applying a snapshot did (or would do): the engine's half of the report. */
export interface Outcome {
  counts: Counts;
  errors: LineError[];
  changes: Change[];
  holdReason?: string;
}

export const emptyCounts = (rows: number, errors: number): Counts => ({
  rows,
  joiners: 0,
  movers: 0,
  leavers: 0,
  updated: 0,
  unchanged: 0,
  errors,
});

export const byLine = (a: LineError, b: LineError) => a.line - b.line || a.column - b.column;

// What every core operation runs with: a transaction, the settings it needs, and the clock.
import type { Tx } from '../db/client.js';

export interface CoreSettings {
  mailDomain: string;
  identifierKey: string;
  leaverRetentionDays: number;
  lockoutAttempts: number;
  lockoutMinutes: number;
  /** Directory rows kept in memory for searches (default 100,000). */
  entryCacheSize?: number;
  /** And at most this many megabytes of them, by estimate (default 256). */
  entryCacheMb?: number;
}

export interface Ctx {
  tx: Tx;
  settings: CoreSettings;
  now: () => Date;
  /** Why this change happens (a sync run id), recorded in the audit log. */
  cause?: string;
}

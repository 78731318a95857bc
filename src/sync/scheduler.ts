// Scheduled feeds: connectors that pull (ldap), and file connectors watching a folder that an HR
// system drops files into, each on its own interval from the SYNC_SCHEDULE file. A run that fails
// is recorded with its error and tried again at the next interval; a job never overlaps itself.
import { createReadStream, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ConfigError } from '../config.js';
import { systemActor, type Actor } from '../directory/actor.js';
import { describeError } from '../directory/errors.js';
import type { Sync } from './runs.js';

const job = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, - and _'),
    connector: z.string(),
    org: z
      .string()
      .regex(/^[A-Z0-9]{1,9}$/)
      .optional(),
    interval_seconds: z.number().int().min(1),
    /** File connectors: the folder to watch. Pulling connectors: none. */
    drop_folder: z.string().optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const scheduleSchema = z.object({ jobs: z.array(job) }).strict();
export type Job = z.infer<typeof job>;

export function loadSchedule(path: string): Job[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`SYNC_SCHEDULE ${path}: ${(err as Error).message}`);
  }
  const parsed = scheduleSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      `SYNC_SCHEDULE ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data.jobs;
}

/** Files waiting in a drop folder, oldest name first; dot files and *.tmp / *.part are still being written. */
function waiting(folder: string): string[] {
  return readdirSync(folder)
    .filter((f) => !f.startsWith('.') && !/\.(tmp|part)$/i.test(f) && statSync(join(folder, f)).isFile())
    .sort();
}

/**
 * Several nodes on one database run the same schedule, and each run must happen once: only the
 * node holding leadership (a session advisory lock, src/db/leader.ts) runs jobs. Another node takes
 * over within seconds of the holder's death. Without one (a single process) every tick runs.
 */
export interface SchedulerLeadership {
  isLeader(): boolean;
  onChange(listener: (leading: boolean) => void): void;
  close(): Promise<void>;
}

export function startScheduler(
  sync: Sync,
  jobs: Job[],
  log: Logger,
  actor: Actor = { ...systemActor, name: 'scheduler' },
  leadership?: SchedulerLeadership,
) {
  const busy = new Set<string>();
  const leading = () => !leadership || leadership.isLeader();

  /**
   * Each file in the folder in turn; a file whose run was recorded moves to processed/, one that
   * failed stays for the next tick.
   */
  async function drain(j: Job) {
    const folder = j.drop_folder!;
    mkdirSync(join(folder, 'processed'), { recursive: true });
    for (const name of waiting(folder)) {
      if (!leading()) return; // another node leads now: it takes the rest
      const path = join(folder, name);
      const report = await sync.runFeed(actor, {
        connector: j.connector,
        orgCode: j.org,
        config: j.config,
        source: { stream: createReadStream(path) },
      });
      renameSync(path, join(folder, 'processed', `${report.run_id}-${name}`));
      log.info(
        { job: j.name, file: name, run: report.run_id, status: report.status, counts: report.counts },
        'scheduled feed run',
      );
    }
  }

  async function tick(j: Job) {
    if (busy.has(j.name) || !leading()) return;
    busy.add(j.name);
    try {
      if (j.drop_folder) await drain(j);
      else {
        const report = await sync.runFeed(actor, { connector: j.connector, orgCode: j.org, config: j.config });
        log.info(
          { job: j.name, run: report.run_id, status: report.status, counts: report.counts },
          'scheduled feed run',
        );
      }
    } catch (err) {
      // The code and one line only: a failed statement's message would carry the feed's rows.
      log.error({ job: j.name, error: describeError(err) }, 'scheduled feed failed; will retry at the next interval');
    } finally {
      busy.delete(j.name);
    }
  }

  const timers = jobs.map((j) => {
    void tick(j);
    return setInterval(() => void tick(j), j.interval_seconds * 1000);
  });
  // On taking over, run every job at once rather than at its next interval.
  leadership?.onChange((now) => {
    log.info({ jobs: jobs.length }, now ? 'leading scheduled feeds on this node' : 'no longer leading scheduled feeds');
    if (now) for (const j of jobs) void tick(j);
  });
  return {
    tick,
    /** Stop scheduling, and wait for runs under way to finish. */
    async stop() {
      timers.forEach(clearInterval);
      while (busy.size) await new Promise((r) => setTimeout(r, 50));
      await leadership?.close();
    },
  };
}

// The record of every feed run (its report, who ran it, and for a held run the snapshot that
// approval applies). The sync engine decides what a run is; these functions store and find it.
import { and, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { rows } from '../db/client.js';
import { syncRuns } from '../db/schema.js';
import type { Actor } from './actor.js';
import type { Ctx } from './context.js';

export type SyncRunStatus = (typeof syncRuns.$inferSelect)['status'];
export type SyncRun = typeof syncRuns.$inferSelect;

/** What a run record holds; the report and the snapshot are the engine's, stored as they are. */
export interface SyncRunRecord {
  id: number;
  connector: string;
  orgCode: string | null;
  status: SyncRunStatus;
  startedAt: Date;
  finishedAt: Date;
  report: unknown;
  snapshot: unknown;
}

/** A number for a run about to start, taken before anything is read so that every outcome records it. */
export async function nextSyncRunId(ctx: Ctx): Promise<number> {
  const [{ id }] = await rows<{ id: number }>(ctx.tx.execute(sql`select nextval('sync_runs_id_seq')::int as id`));
  return Number(id);
}

/** Record a run, or its outcome when it was recorded before (a held run approved); `actor` ran it. */
export async function saveSyncRun(ctx: Ctx, actor: Actor, run: SyncRunRecord): Promise<void> {
  const { report, snapshot: held } = run;
  await ctx.tx
    .insert(syncRuns)
    .values({ ...run, held, actor: `${actor.kind}:${actor.name}` })
    .onConflictDoUpdate({
      target: syncRuns.id,
      set: { status: run.status, finishedAt: run.finishedAt, report, held },
    });
}

/** The run's status, its row locked to commit: two approvals at once, and the second finds it applied. */
export async function lockSyncRun(ctx: Ctx, id: number): Promise<SyncRunStatus | undefined> {
  const [run] = await ctx.tx
    .select({ status: syncRuns.status })
    .from(syncRuns)
    .where(eq(syncRuns.id, id))
    .for('update');
  return run?.status;
}

export async function findSyncRun(ctx: Ctx, id: number): Promise<SyncRun | undefined> {
  const [run] = await ctx.tx.select().from(syncRuns).where(eq(syncRuns.id, id));
  return run;
}

/** Reports, newest first: of one organisation, of some (`orgs`), or of all. */
export async function listSyncRuns(
  ctx: Ctx,
  q: { org?: string; orgs?: string[]; before?: number; limit: number },
): Promise<{ report: unknown }[]> {
  const where: SQL[] = [];
  if (q.org) where.push(eq(syncRuns.orgCode, q.org));
  else if (q.orgs) where.push(inArray(syncRuns.orgCode, q.orgs));
  if (q.before) where.push(lt(syncRuns.id, q.before));
  return ctx.tx
    .select({ report: syncRuns.report })
    .from(syncRuns)
    .where(and(...where))
    .orderBy(desc(syncRuns.id))
    .limit(q.limit);
}

// The review queue's storage: possible re-hires a staff feed found, each with the row as the feed
// had it and the earlier person it may be. The sync engine decides what goes in and how an item is
// resolved; the people it links or creates are written (and audited) by the people functions.
import { and, asc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import { rows } from '../db/client.js';
import { people, reviewQueue } from '../db/schema.js';
import type { Actor } from './actor.js';
import type { Ctx } from './context.js';

export type ReviewItem = typeof reviewQueue.$inferSelect;

/** Employee numbers of `orgCode` already waiting for review (a feed does not queue them again). */
export async function openReviewKeys(ctx: Ctx, orgCode: string): Promise<Set<string>> {
  const found = await rows<{ hr_key: string }>(
    ctx.tx.execute(sql`select hr_key from review_queue where org_code = ${orgCode} and status = 'open'`),
  );
  return new Set(found.map((r) => r.hr_key));
}

/** Queue rows of a run for review, each with its candidate (the earlier person). */
export async function queueForReview(
  ctx: Ctx,
  runId: number,
  orgCode: string,
  items: { hrKey: string; record: unknown; candidateId: number }[],
): Promise<void> {
  if (items.length === 0) return;
  await ctx.tx.insert(reviewQueue).values(items.map((i) => ({ ...i, runId, orgCode })));
}

/** Open items after `after`, oldest first, of some organisations (`orgs`) or all; with the candidate. */
export async function listOpenReviews<R>(ctx: Ctx, q: { orgs?: string[]; after?: number; limit: number }) {
  const where: SQL[] = [eq(reviewQueue.status, 'open'), gt(reviewQueue.id, q.after ?? 0)];
  if (q.orgs) where.push(inArray(reviewQueue.orgCode, q.orgs));
  return ctx.tx
    .select({
      id: reviewQueue.id,
      runId: reviewQueue.runId,
      orgCode: reviewQueue.orgCode,
      hrKey: reviewQueue.hrKey,
      record: sql<R>`${reviewQueue.record}`,
      candidateUid: people.uid,
      candidateMail: people.mail,
      candidateOrg: people.orgCode,
      createdAt: reviewQueue.createdAt,
    })
    .from(reviewQueue)
    .innerJoin(people, eq(people.id, reviewQueue.candidateId))
    .where(and(...where))
    .orderBy(asc(reviewQueue.id))
    .limit(q.limit);
}

/** The item, locked to commit (two resolutions at once: the second finds it resolved), with its candidate's uid. */
export async function lockReviewItem(
  ctx: Ctx,
  id: number,
): Promise<(ReviewItem & { candidateUid: string }) | undefined> {
  const [item] = await ctx.tx.select().from(reviewQueue).where(eq(reviewQueue.id, id)).for('update');
  if (!item) return undefined;
  const [candidate] = await ctx.tx.select({ uid: people.uid }).from(people).where(eq(people.id, item.candidateId));
  return { ...item, candidateUid: candidate.uid };
}

/** Mark the item resolved by `actor`: linked to the earlier person, or made a new one. */
export async function resolveReviewItem(ctx: Ctx, actor: Actor, id: number, status: 'linked' | 'new'): Promise<void> {
  await ctx.tx
    .update(reviewQueue)
    .set({ status, resolvedBy: `${actor.kind}:${actor.name}`, resolvedAt: ctx.now() })
    .where(eq(reviewQueue.id, id));
}

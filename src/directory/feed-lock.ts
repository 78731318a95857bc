// The feed lock: one per organisation (one for all organisation feeds), held to commit. A feed run
// and a review resolution for the same organisation never interleave, so what a run read of the
// organisation's people cannot change under it.
import { sql } from 'drizzle-orm';
import type { Ctx } from './context.js';

const feedLockKey = (orgCode: string | null) => `sync:${orgCode ?? 'organisations'}`;

/** Take the feed lock of `orgCode` (null: the organisation feeds') for the rest of the transaction. */
export async function lockFeed(ctx: Ctx, orgCode: string | null): Promise<void> {
  await ctx.tx.execute(sql`select pg_advisory_xact_lock(hashtext(${feedLockKey(orgCode)}))`);
}

/**
 * Plan a feed run's statements for PostgreSQL: each has an index to follow, but the planner cannot
 * see how long the arrays it is given are; and JIT compiling costs more than these statements run for.
 */
export async function planForBulk(ctx: Ctx): Promise<void> {
  await ctx.tx.execute(sql`set local enable_seqscan = off; set local jit = off`);
}

// Mailbox quota tiers (MB) and the per-organisation rule: at most 2% of mailboxes at 1024 and 3% at
// 500, rounded down but at least one of each.
import { and, eq, isNull, sql } from 'drizzle-orm';
import { people } from '../db/schema.js';
import type { Actor } from './actor.js';
import { requireAdminOf } from './actor.js';
import { requireAuthorityOverPerson } from './grants.js';
import { record } from './audit.js';
import type { Ctx } from './context.js';
import { fail } from './errors.js';
import { findOrganisation } from './organisations.service.js';
import { findRow } from './people.queries.js';

export const quotaTiers = [50, 200, 500, 1024] as const;
const largeShare: Record<number, number> = { 500: 0.03, 1024: 0.02 };

export function checkTier(mb: number): number {
  if (!(quotaTiers as readonly number[]).includes(mb))
    fail('quota.invalid_tier', `${mb} MB is not a quota tier: choose 50, 200, 500 or 1024`, {
      quota_mb: 'must be 50, 200, 500 or 1024',
    });
  return mb;
}

export const tierLimit = (tier: number, mailboxes: number) =>
  tier in largeShare ? Math.max(1, Math.floor(mailboxes * largeShare[tier])) : null;

/** Active people and generic mailboxes of the organisation, by tier, with each tier's limit. */
export async function quotaSummary(ctx: Ctx, orgCode: string) {
  const rows = await ctx.tx
    .select({ tier: people.quotaMb, n: sql<number>`count(*)::int` })
    .from(people)
    .where(and(eq(people.orgCode, orgCode), eq(people.status, 'active'), isNull(people.deletedAt)))
    .groupBy(people.quotaMb);
  const mailboxes = rows.reduce((s, r) => s + r.n, 0);
  const tiers = quotaTiers.map((tier) => ({
    quotaMb: tier,
    count: rows.find((r) => r.tier === tier)?.n ?? 0,
    limit: tierLimit(tier, mailboxes),
  }));
  return { orgCode, mailboxes, tiers };
}

/**
 * Refuse one more mailbox at `tier` in the organisation when the rule would break; `adding` when the
 * mailbox is new (so it counts towards the total too). Locks the organisation for the transaction,
 * so two changes cannot both take the last place in a tier.
 */
export async function ensureRoom(ctx: Ctx, orgCode: string, tier: number, adding: boolean): Promise<void> {
  if (!(tier in largeShare)) return;
  await findOrganisation(ctx, orgCode, true);
  const summary = await quotaSummary(ctx, orgCode);
  const mailboxes = summary.mailboxes + (adding ? 1 : 0);
  const limit = tierLimit(tier, mailboxes)!;
  const count = summary.tiers.find((t) => t.quotaMb === tier)!.count;
  if (count + 1 > limit) {
    fail(
      'quota.limit_reached',
      `${orgCode} has ${mailboxes} mailboxes: at most ${limit} may be ${tier} MB ` +
        `(${largeShare[tier] * 100}%, rounded down, at least one) and ${count} already are`,
    );
  }
}

export async function getQuotaSummary(ctx: Ctx, actor: Actor, orgCode: string) {
  requireAdminOf(actor, orgCode);
  await findOrganisation(ctx, orgCode);
  return quotaSummary(ctx, orgCode);
}

export async function setQuota(
  ctx: Ctx,
  actor: Actor,
  uid: string,
  quotaMb: number,
  kind: 'person' | 'mailbox' = 'person',
) {
  checkTier(quotaMb);
  const row = await findRow(ctx, uid, { kind, seenBy: actor });
  requireAdminOf(actor, row.orgCode);
  await requireAuthorityOverPerson(ctx, actor, row);
  if (row.quotaMb === quotaMb) return row;
  await ensureRoom(ctx, row.orgCode!, quotaMb, false);
  const [updated] = await ctx.tx
    .update(people)
    .set({ quotaMb, updatedAt: ctx.now() })
    .where(eq(people.id, row.id))
    .returning();
  await record(ctx.tx, actor, {
    action: 'quota.set',
    targetType: row.kind,
    targetId: uid,
    before: { quotaMb: row.quotaMb },
    after: { quotaMb },
    cause: ctx.cause,
  });
  return updated;
}

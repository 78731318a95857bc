// Role grants as facts about a person: what they hold, and taking grants away. Removing a grant is
// always an audited act of its own (one record per grant), never a silent side effect of another write.
import { eq, sql, type SQL } from 'drizzle-orm';
import { rows } from '../db/client.js';
import { roleGrants } from '../db/schema.js';
import { isNational, requireAuthorityOver, type Actor, type HeldRole } from './actor.js';
import { recordMany } from './audit.js';
import type { Ctx } from './context.js';

/** What a person holds beyond "user". */
export async function grantsOf(ctx: Ctx, personId: number): Promise<HeldRole[]> {
  return ctx.tx
    .select({ role: roleGrants.role, orgCode: roleGrants.orgCode })
    .from(roleGrants)
    .where(eq(roleGrants.personId, personId));
}

/**
 * The rule of actor.ts `requireAuthorityOver` for a person row: their grants are read only when they
 * can matter (a national administrator has authority over everyone), a query less on most writes.
 */
export async function requireAuthorityOverPerson(
  ctx: Ctx,
  actor: Actor,
  row: { id: number; uid: string; orgCode: string | null },
): Promise<void> {
  if (!isNational(actor)) requireAuthorityOver(actor, row, await grantsOf(ctx, row.id));
}

/**
 * Remove the grants `where` selects, recording each as `role.revoke` on its holder with the cause
 * given (a leaver, a move, a closure, or a national administrator's decision).
 */
export async function revokeGrants(ctx: Ctx, actor: Actor, where: SQL, reason: string): Promise<number> {
  const gone = await rows<{ role: string; org_code: string | null; holder: string; kind: 'person' | 'service' }>(
    ctx.tx.execute(sql`
    with gone as (delete from role_grants g where ${where} returning g.*)
    select gone.role, gone.org_code, coalesce(p.uid, gone.service_name) as holder,
      case when gone.person_id is null then 'service' else 'person' end as kind
    from gone left join people p on p.id = gone.person_id`),
  );
  await recordMany(
    ctx.tx,
    actor,
    gone.map((g) => ({
      action: 'role.revoke',
      targetType: g.kind,
      targetId: g.holder,
      before: { role: g.role, orgCode: g.org_code },
      after: { reason },
      cause: ctx.cause,
    })),
  );
  return gone.length;
}

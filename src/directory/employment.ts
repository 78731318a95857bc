// Whole-organisation moves, for closures: a merger moves everyone to the successor with their
// addresses; a closure without one makes everyone a leaver. Set-based, one statement each. Grants
// for the organisation end, each recorded.
import { sql, type SQL } from 'drizzle-orm';
import { rows } from '../db/client.js';
import type { Actor } from './actor.js';
import { recordMany } from './audit.js';
import type { Ctx } from './context.js';
import { revokeGrants } from './grants.js';
import { completeMoves } from './moves.service.js';
import type { Organisation } from './organisations.service.js';

type Moved = { id: number; uid: string; kind: 'person' | 'mailbox' } & Record<string, unknown>;

export async function moveAllPeople(ctx: Ctx, actor: Actor, fromCode: string, to: Organisation): Promise<void> {
  const now = ctx.now();
  const moved = await rows<Moved>(
    ctx.tx.execute(sql`
    update people set org_code = ${to.code}, display_name = cn || ' (' || ${to.name} || ')', updated_at = ${now}
    where org_code = ${fromCode} and status = 'active' and deleted_at is null
    returning id, uid, kind`),
  );
  if (moved.length === 0) return;
  const ids = moved.map((m) => m.id);
  await ctx.tx.execute(
    sql`update employments set ended_at = ${now}
      where ended_at is null and person_id = any(${sql.param(ids)}::bigint[])`,
  );
  await ctx.tx.execute(sql`insert into employments (person_id, org_code, source, started_at)
    select unnest(${sql.param(ids)}::bigint[]), ${to.code}, 'merger', ${now}`);
  await revokeGrants(ctx, actor, sql`g.org_code = ${fromCode}`, `${fromCode} merged into ${to.code}`);
  await recordMany(
    ctx.tx,
    actor,
    moved.map((m) => ({
      action: 'person.move',
      targetType: m.kind,
      targetId: m.uid,
      before: { orgCode: fromCode },
      after: { orgCode: to.code },
      cause: ctx.cause,
    })),
  );
}

export async function makeAllLeavers(ctx: Ctx, actor: Actor, code: string): Promise<void> {
  await revokeGrants(ctx, actor, sql`g.org_code = ${code}`, `${code} closed`);
  await markLeavers(ctx, actor, sql`org_code = ${code}`);
}

/** Everyone active that `where` selects becomes a leaver at once (a closure, or a feed's leavers). */
export async function markLeavers(ctx: Ctx, actor: Actor, where: SQL): Promise<{ uid: string; mail: string }[]> {
  const now = ctx.now();
  const left = await rows<Moved & { mail: string }>(
    ctx.tx.execute(sql`
    update people set status = 'leaver', left_at = ${now}, updated_at = ${now}
    where ${where} and status = 'active' and deleted_at is null
    returning id, uid, mail, kind`),
  );
  if (left.length === 0) return [];
  const ids = sql.param(left.map((l) => l.id));
  await ctx.tx.execute(
    sql`update employments set ended_at = ${now} where ended_at is null and person_id = any(${ids}::bigint[])`,
  );
  await recordMany(
    ctx.tx,
    actor,
    left.map((m) => ({
      action: 'person.leaver',
      targetType: m.kind,
      targetId: m.uid,
      before: { status: 'active' },
      after: { status: 'leaver' },
      cause: ctx.cause,
    })),
  );
  // A leaver holds nothing: every grant ends (each recorded), so that taking them back later can
  // never bring back a role with them; their tokens end too. Then a move another organisation
  // asked for happens.
  await revokeGrants(ctx, actor, sql`g.person_id = any(${ids}::bigint[])`, 'leaver');
  await ctx.tx.execute(
    sql`update tokens set revoked_at = ${now} where revoked_at is null and person_id = any(${ids}::bigint[])`,
  );
  await completeMoves(
    ctx,
    actor,
    left.map((l) => Number(l.id)),
  );
  return left;
}

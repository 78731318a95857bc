// Movers (contract section 2): someone joins another organisation keeping uid, mail and aliases.
// A leaver moves at once. Someone still active elsewhere is never taken by the new organisation
// alone: that would let any organisation's administrator (or feed) pull in, and then reset, anyone.
// The move waits as a request until the current organisation lets them go: its administrators (or
// a national administrator) release them, or its own feed makes them a leaver.
import { and, desc, eq, getTableColumns, inArray, or, sql, type SQL } from 'drizzle-orm';
import { employments, moveRequests, organisations, people } from '../db/schema.js';
import type { Actor } from './actor.js';
import { hasAuthorityOver, isNational, requireAdmin, requireAdminOf, requireAuthorityOver } from './actor.js';
import { record } from './audit.js';
import type { Ctx } from './context.js';
import { fail } from './errors.js';
import { grantsOf, requireAuthorityOverPerson, revokeGrants } from './grants.js';
import { activeOrganisation, type Organisation } from './organisations.service.js';
import { displayName, findRow, type PersonRow } from './people.queries.js';
import { cleanFields, requireWriterOf, type PersonFields } from './people.service.js';

export type MoveInput = PersonFields & { orgCode: string; hrKey?: string | null; source?: string };
export type MoveRequest = typeof moveRequests.$inferSelect;
export interface MoveOutcome {
  person: PersonRow;
  /** Set when the person is active elsewhere: the move waits for that organisation to let them go. */
  request?: MoveRequest & { uid: string };
  /** Whether this call made the request (false: it was waiting already). */
  requested?: boolean;
}

/**
 * Allowed to the new organisation's administrators and connector. A soft-deleted leaver comes back
 * (uid, address and aliases kept) when a national administrator moves them, or with `returning`:
 * the organisation's feed or review queue recognised them.
 */
export async function joinOrganisation(
  ctx: Ctx,
  actor: Actor,
  uid: string,
  input: MoveInput,
  opts: { returning?: boolean } = {},
): Promise<MoveOutcome> {
  requireWriterOf(actor, input.orgCode);
  const row = await findRow(ctx, uid, { forUpdate: true, deleted: opts.returning || isNational(actor) });
  const org = await activeOrganisation(ctx, input.orgCode);
  if (row.status === 'active' && row.orgCode === org.code)
    fail('person.already_active', `${uid} is already active in ${org.code}`);
  const held = await grantsOf(ctx, row.id);
  if (row.status === 'active' && row.orgCode && !hasAuthorityOver(actor, row.orgCode, held)) {
    return requestMove(ctx, actor, row, org.code, input);
  }
  // (A leaver holds no role; this guards grants made to one by hand.)
  if (row.status !== 'active') requireAuthorityOver(actor, { uid, orgCode: org.code }, held);
  return { person: await moveNow(ctx, actor, row, org, input) };
}

async function requestMove(
  ctx: Ctx,
  actor: Actor,
  row: PersonRow,
  toOrg: string,
  input: MoveInput,
): Promise<MoveOutcome> {
  const [open] = await ctx.tx
    .select()
    .from(moveRequests)
    .where(and(eq(moveRequests.personId, row.id), eq(moveRequests.toOrg, toOrg), eq(moveRequests.status, 'open')));
  if (open) return { person: row, request: { ...open, uid: row.uid }, requested: false };
  const { orgCode: _, hrKey, source, ...fields } = input;
  const [made] = await ctx.tx
    .insert(moveRequests)
    .values({
      personId: row.id,
      fromOrg: row.orgCode!,
      toOrg,
      fields: cleanFields(fields),
      hrKey: hrKey ?? null,
      source: source ?? 'api',
      requestedBy: `${actor.kind}:${actor.name}`,
      requestedAt: ctx.now(),
    })
    .returning();
  await record(ctx.tx, actor, {
    action: 'person.move_request',
    targetType: 'person',
    targetId: row.uid,
    after: { request: made.id, fromOrg: made.fromOrg, toOrg },
    cause: ctx.cause,
  });
  return { person: row, request: { ...made, uid: row.uid }, requested: true };
}

/** The move itself. Grants for the organisation left behind end, each recorded; others stay. */
async function moveNow(ctx: Ctx, actor: Actor, row: PersonRow, org: Organisation, input: MoveInput, request?: number) {
  const now = ctx.now();
  await ctx.tx
    .update(employments)
    .set({ endedAt: now })
    .where(and(eq(employments.personId, row.id), sql`${employments.endedAt} is null`));
  if (row.status === 'active' && row.orgCode) {
    await revokeGrants(
      ctx,
      actor,
      sql`g.person_id = ${row.id} and g.org_code = ${row.orgCode}`,
      `moved to ${org.code}`,
    );
  }
  await ctx.tx.insert(employments).values({
    personId: row.id,
    orgCode: org.code,
    hrKey: input.hrKey ?? null,
    source: input.source ?? 'api',
    startedAt: now,
  });
  const [moved] = await ctx.tx
    .update(people)
    .set({
      orgCode: org.code,
      status: 'active',
      leftAt: null,
      deletedAt: null,
      displayName: displayName(row.cn, org.name),
      ...cleanFields(input),
      updatedAt: now,
    })
    .where(eq(people.id, row.id))
    .returning();
  await record(ctx.tx, actor, {
    action: 'person.move',
    targetType: 'person',
    targetId: row.uid,
    before: { orgCode: row.orgCode, status: row.status, ...(row.deletedAt ? { deleted: true } : {}) },
    after: { orgCode: org.code, status: 'active', ...(request ? { request } : {}) },
    cause: ctx.cause,
  });
  return moved;
}

/** Open requests an administrator may act on or wait for: to or from their organisations. */
export async function listMoveRequests(ctx: Ctx, actor: Actor, q: { org?: string; limit?: number } = {}) {
  requireAdmin(actor);
  const where: SQL[] = [eq(moveRequests.status, 'open')];
  const orgs = q.org ? [q.org] : [...actor.adminOf];
  if (q.org && !isNational(actor)) requireAdminOf(actor, q.org);
  if (q.org || !isNational(actor))
    where.push(or(inArray(moveRequests.fromOrg, orgs), inArray(moveRequests.toOrg, orgs))!);
  return ctx.tx
    .select({ ...getTableColumns(moveRequests), uid: people.uid })
    .from(moveRequests)
    .innerJoin(people, eq(people.id, moveRequests.personId))
    .where(and(...where))
    .orderBy(desc(moveRequests.id))
    .limit(q.limit ?? 50);
}

async function openRequest(ctx: Ctx, id: number) {
  const [req] = await ctx.tx.select().from(moveRequests).where(eq(moveRequests.id, id)).for('update');
  if (!req) fail('move_request.not_found', `No move request ${id}`);
  if (req.status !== 'open') fail('move_request.resolved', `Move request ${id} is ${req.status} already`);
  return req;
}

const done = (ctx: Ctx, actor: Actor, id: number, status: 'done' | 'cancelled') =>
  ctx.tx
    .update(moveRequests)
    .set({ status, resolvedBy: `${actor.kind}:${actor.name}`, resolvedAt: ctx.now() })
    .where(eq(moveRequests.id, id));

/** The current organisation lets the person go: who releases needs authority over them there. */
export async function releaseMove(ctx: Ctx, actor: Actor, id: number): Promise<PersonRow> {
  const req = await openRequest(ctx, id);
  const row = await ctx.tx
    .select()
    .from(people)
    .where(eq(people.id, req.personId))
    .for('update')
    .then((r) => r[0]);
  requireAdminOf(actor, req.fromOrg);
  if (row.status !== 'active' || row.orgCode !== req.fromOrg)
    fail('move_request.resolved', `${row.uid} is no longer active in ${req.fromOrg}`);
  await requireAuthorityOverPerson(ctx, actor, row);
  const moved = await moveNow(ctx, actor, row, await activeOrganisation(ctx, req.toOrg), requested(req), req.id);
  await done(ctx, actor, id, 'done');
  return moved;
}

/** Either organisation's administrators say no (or the asking one withdraws). */
export async function declineMove(ctx: Ctx, actor: Actor, id: number): Promise<void> {
  const req = await openRequest(ctx, id);
  if (!isNational(actor) && !actor.adminOf.has(req.fromOrg) && !actor.adminOf.has(req.toOrg))
    requireAdminOf(actor, req.fromOrg);
  await done(ctx, actor, id, 'cancelled');
}

const requested = (req: MoveRequest): MoveInput => ({
  ...(req.fields as PersonFields),
  orgCode: req.toOrg,
  hrKey: req.hrKey,
  source: req.source,
});

/**
 * People who just became leavers of their organisation (its feed, its administrators) and were asked
 * for elsewhere: that organisation has let them go, so the waiting move happens now. Returns their uids.
 */
export async function completeMoves(ctx: Ctx, actor: Actor, personIds: number[]): Promise<string[]> {
  if (personIds.length === 0) return [];
  const waiting = await ctx.tx
    .select()
    .from(moveRequests)
    .where(and(inArray(moveRequests.personId, personIds), eq(moveRequests.status, 'open')))
    .orderBy(desc(moveRequests.id));
  const moved: string[] = [];
  for (const req of waiting) {
    const [row] = await ctx.tx.select().from(people).where(eq(people.id, req.personId)).for('update');
    const [to] = await ctx.tx.select().from(organisations).where(eq(organisations.code, req.toOrg));
    // The newest request wins; the others, and any for an organisation closed since, are cancelled.
    if (row.status !== 'leaver' || row.deletedAt || to?.status !== 'active') {
      await done(ctx, actor, req.id, 'cancelled');
      continue;
    }
    await moveNow(ctx, actor, row, to, requested(req), req.id);
    await done(ctx, actor, req.id, 'done');
    moved.push(row.uid);
  }
  return moved;
}

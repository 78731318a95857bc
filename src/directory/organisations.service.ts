// Organisations: ODS code, name with dated history, status, parent, successor (contract section 2).
import { and, asc, eq, gt, ilike, or, sql, type SQL } from 'drizzle-orm';
import { organisationNames, organisations } from '../db/schema.js';
import type { Actor } from './actor.js';
import { requireNational } from './actor.js';
import { record } from './audit.js';
import type { Ctx } from './context.js';
import { fail } from './errors.js';
import { moveAllPeople, makeAllLeavers } from './employment.js';

export const odsCodePattern = /^[A-Z0-9]{1,9}$/;

export type Organisation = typeof organisations.$inferSelect;
export interface OrganisationView extends Organisation {
  previousNames: { name: string; validFrom: Date; validTo: Date }[];
}

export function checkCode(code: string): string {
  if (!odsCodePattern.test(code))
    fail('organisation.invalid_code', `"${code}" is not an ODS code: 1 to 9 upper-case letters and digits`, {
      code: 'must be 1 to 9 upper-case letters and digits',
    });
  return code;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) fail('validation.failed', 'An organisation needs a name', { name: 'must not be empty' });
  return trimmed;
}

/** The organisation, locked for the rest of the transaction when `forUpdate`. */
export async function findOrganisation(ctx: Ctx, code: string, forUpdate = false): Promise<Organisation> {
  const q = ctx.tx.select().from(organisations).where(eq(organisations.code, code));
  const [org] = forUpdate ? await q.for('update') : await q;
  if (!org) fail('organisation.not_found', `No organisation has the ODS code ${code}`);
  return org;
}

export async function activeOrganisation(ctx: Ctx, code: string, forUpdate = false): Promise<Organisation> {
  const org = await findOrganisation(ctx, checkCode(code), forUpdate);
  if (org.status !== 'active') fail('organisation.closed', `${code} (${org.name}) is closed`);
  return org;
}

export async function getOrganisation(ctx: Ctx, code: string): Promise<OrganisationView> {
  const org = await findOrganisation(ctx, code);
  const previousNames = await ctx.tx
    .select({
      name: organisationNames.name,
      validFrom: organisationNames.validFrom,
      validTo: organisationNames.validTo,
    })
    .from(organisationNames)
    .where(eq(organisationNames.orgCode, code))
    .orderBy(asc(organisationNames.validTo));
  return { ...org, previousNames };
}

export async function listOrganisations(
  ctx: Ctx,
  q: { q?: string; status?: 'active' | 'closed'; after?: string; limit?: number },
) {
  const where: SQL[] = [];
  if (q.status) where.push(eq(organisations.status, q.status));
  if (q.q) {
    const like = `${q.q.replace(/[\\%_]/g, '\\$&')}%`;
    where.push(or(ilike(organisations.code, like), sql`lower(${organisations.name}) like lower(${like})`)!);
  }
  if (q.after) where.push(gt(organisations.code, q.after));
  return ctx.tx
    .select()
    .from(organisations)
    .where(and(...where))
    .orderBy(asc(organisations.code))
    .limit(q.limit ?? 50);
}

export async function createOrganisation(
  ctx: Ctx,
  actor: Actor,
  input: { code: string; name: string; parentCode?: string | null },
) {
  requireNational(actor);
  const code = checkCode(input.code);
  const name = checkName(input.name);
  if (input.parentCode) await findOrganisation(ctx, checkCode(input.parentCode));
  const [created] = await ctx.tx
    .insert(organisations)
    .values({ code, name, parentCode: input.parentCode ?? null, createdAt: ctx.now(), updatedAt: ctx.now() })
    .onConflictDoNothing()
    .returning();
  // Codes are never reused, closed or not.
  if (!created) fail('organisation.exists', `The ODS code ${code} is already in the directory`);
  await record(ctx.tx, actor, {
    action: 'organisation.create',
    targetType: 'organisation',
    targetId: code,
    after: created,
    cause: ctx.cause,
  });
  return created;
}

/** Rename: the old name goes into the history, and every display name under it changes now. */
export async function renameOrganisation(ctx: Ctx, actor: Actor, code: string, newName: string) {
  requireNational(actor);
  const name = checkName(newName);
  const org = await findOrganisation(ctx, checkCode(code), true);
  if (org.name === name) return org;
  const now = ctx.now();
  const [last] = await ctx.tx
    .select({ validTo: organisationNames.validTo })
    .from(organisationNames)
    .where(eq(organisationNames.orgCode, code))
    .orderBy(sql`${organisationNames.validTo} desc`)
    .limit(1);
  await ctx.tx
    .insert(organisationNames)
    .values({ orgCode: code, name: org.name, validFrom: last?.validTo ?? org.createdAt, validTo: now });
  const [renamed] = await ctx.tx
    .update(organisations)
    .set({ name, updatedAt: now })
    .where(eq(organisations.code, code))
    .returning();
  await ctx.tx.execute(
    sql`update people set display_name = cn || ' (' || ${name} || ')', updated_at = ${now} where org_code = ${code}`,
  );
  await record(ctx.tx, actor, {
    action: 'organisation.rename',
    targetType: 'organisation',
    targetId: code,
    before: { name: org.name },
    after: { name },
    cause: ctx.cause,
  });
  return renamed;
}

/**
 * Close: with a successor (a merger) its people move there and keep their addresses; without one
 * they become leavers. The sync engine holds the second kind for approval before calling this.
 */
export async function closeOrganisation(ctx: Ctx, actor: Actor, code: string, successorCode?: string | null) {
  requireNational(actor);
  const org = await activeOrganisation(ctx, code, true);
  if (successorCode) {
    if (successorCode === code)
      fail('validation.failed', 'An organisation cannot succeed itself', {
        successor_code: 'must differ from the closed organisation',
      });
    const successor = await activeOrganisation(ctx, successorCode);
    await moveAllPeople(ctx, actor, org.code, successor);
  } else {
    await makeAllLeavers(ctx, actor, org.code);
  }
  const now = ctx.now();
  const [closed] = await ctx.tx
    .update(organisations)
    .set({ status: 'closed', successorCode: successorCode ?? null, closedAt: now, updatedAt: now })
    .where(eq(organisations.code, code))
    .returning();
  await record(ctx.tx, actor, {
    action: 'organisation.close',
    targetType: 'organisation',
    targetId: code,
    before: { status: org.status },
    after: { status: 'closed', successorCode: successorCode ?? null },
    cause: ctx.cause,
  });
  return closed;
}

// Reading people (and generic mailboxes) as the core's view: the row plus its organisation's name
// and its older addresses.
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { getTableColumns } from 'drizzle-orm';
import { addresses, organisations, people } from '../db/schema.js';
import type { Actor } from './actor.js';
import { isAdminOf, isNational } from './actor.js';
import type { Ctx } from './context.js';
import { fail } from './errors.js';

export type PersonRow = typeof people.$inferSelect;
export interface PersonView extends PersonRow { orgName: string | null; aliases: string[] }

const viewColumns = {
  ...getTableColumns(people),
  orgName: organisations.name,
  aliases: sql<string[]>`coalesce((select array_agg(a.address order by a.allocated_at) from ${addresses} a
    where a.person_id = ${people.id} and a.address <> ${people.mail}), '{}')`.as('aliases'),
};

export function selectPeople(ctx: Ctx, where: SQL | undefined) {
  return ctx.tx.select(viewColumns).from(people).leftJoin(organisations, eq(organisations.code, people.orgCode)).where(where);
}

/** Leavers are seen by administrators of their organisation; soft-deleted people by national administrators only. */
export function canSee(actor: Actor, row: PersonRow): boolean {
  if (row.deletedAt) return isNational(actor);
  if (row.status === 'leaver') return isAdminOf(actor, row.orgCode);
  return true;
}

/** A row by uid, locked for the transaction when `forUpdate`; never a soft-deleted one unless asked. */
export async function findRow(ctx: Ctx, uid: string, opts: { kind?: 'person' | 'mailbox'; forUpdate?: boolean; deleted?: boolean } = {}): Promise<PersonRow> {
  const kind = opts.kind ?? 'person';
  const q = ctx.tx.select().from(people).where(and(eq(people.uid, uid), eq(people.kind, kind)));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  if (!row || (row.deletedAt && !opts.deleted)) fail(kind === 'person' ? 'person.not_found' : 'mailbox.not_found', `No ${kind} has the uid ${uid}`);
  return row;
}

export async function getPerson(ctx: Ctx, actor: Actor, uid: string, kind: 'person' | 'mailbox' = 'person'): Promise<PersonView> {
  const [row] = await selectPeople(ctx, and(eq(people.uid, uid), eq(people.kind, kind)));
  if (!row || !canSee(actor, row)) fail(kind === 'person' ? 'person.not_found' : 'mailbox.not_found', `No ${kind} has the uid ${uid}`);
  return row;
}

/** The person or mailbox holding an address, current or old (lower-cased before lookup). */
export async function findByAddress(ctx: Ctx, address: string): Promise<PersonRow | undefined> {
  const [row] = await ctx.tx.select(getTableColumns(people)).from(addresses)
    .innerJoin(people, eq(people.id, addresses.personId))
    .where(eq(addresses.address, address.trim().toLowerCase()));
  return row;
}

export function displayName(cn: string, orgName: string | null | undefined): string {
  return orgName ? `${cn} (${orgName})` : cn;
}

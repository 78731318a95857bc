// Reading people (and generic mailboxes) as the core's view: the row plus its organisation's name
// and its older addresses.
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { rows } from '../db/client.js';
import { peopleColumns } from '../db/entries.queries.js';
import { compileFilter } from '../db/filter-sql.js';
import { prefixFilter, type Filter } from './filter.js';
import { getTableColumns } from 'drizzle-orm';
import { addresses, organisations, people } from '../db/schema.js';
import type { Actor } from './actor.js';
import { isAdmin, isAdminOf, isNational } from './actor.js';
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

/**
 * Leavers are seen by administrators of their organisation and by its connector (which makes them);
 * soft-deleted people by national administrators only.
 */
export function canSee(actor: Actor, row: PersonRow): boolean {
  if (row.deletedAt) return isNational(actor);
  if (row.status === 'leaver') return isAdminOf(actor, row.orgCode) || (row.orgCode !== null && actor.feedsFor.has(row.orgCode));
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

/** A person or mailbox as the core shows it, whoever asks (see `visible`). */
export async function findView(ctx: Ctx, uid: string, kind: 'person' | 'mailbox'): Promise<PersonView | undefined> {
  const [row] = await selectPeople(ctx, and(eq(people.uid, uid), eq(people.kind, kind)));
  return row;
}

/** The view if `actor` may see it; otherwise not found, exactly as if there were none. */
export function visible(actor: Actor, row: PersonView | undefined, uid: string, kind: 'person' | 'mailbox'): PersonView {
  if (!row || !canSee(actor, row)) fail(kind === 'person' ? 'person.not_found' : 'mailbox.not_found', `No ${kind} has the uid ${uid}`);
  return row;
}

export async function getPerson(ctx: Ctx, actor: Actor, uid: string, kind: 'person' | 'mailbox' = 'person'): Promise<PersonView> {
  return visible(actor, await findView(ctx, uid, kind), uid, kind);
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

export type PeopleStatus = 'active' | 'leaver' | 'all';

/**
 * A page of people (REST lists): `q` is a prefix of names, mail or an old address; leavers only
 * for administrators (a local administrator sees their own organisation's). Ordered by row id,
 * continued after `afterId`.
 */
export async function listPeople(ctx: Ctx, actor: Actor, q: { q?: string; org?: string; status?: PeopleStatus; afterId?: number; limit: number }) {
  const status = q.status ?? 'active';
  if (status !== 'active' && !isAdmin(actor)) fail('auth.forbidden', 'Only administrators may list leavers');
  const where: SQL[] = [sql`p.kind = 'person'`, isNational(actor) ? sql`true` : sql`p.deleted_at is null`];
  if (status !== 'all') where.push(sql`p.status = ${status}`);
  if (status !== 'active' && !isNational(actor)) where.push(sql`(p.status = 'active' or p.org_code = any(${sql.param([...actor.adminOf])}::text[]))`);
  if (q.org) where.push(sql`p.org_code = ${q.org}`);
  if (q.afterId) where.push(sql`p.id > ${q.afterId}`);
  // Each arm of the prefix OR (cn, sn, givenName, mail, an old address) takes its own first page by
  // id, from whichever index suits it; the page is the first of their union. The same rows as one
  // OR, without first gathering every match of a two-letter prefix.
  const arms = q.q?.trim() ? (prefixFilter(q.q) as { or: Filter[] }).or.map((f) => compileFilter(f, peopleColumns)) : [sql`true`];
  const firstOf = (arm: SQL) => sql`(select p.id from people p where ${sql.join([...where, arm], sql` and `)} order by p.id limit ${q.limit + 1})`;
  const ids = await rows<{ id: number }>(ctx.tx.execute(sql`select id from (${sql.join(arms.map(firstOf), sql` union `)}) u order by id limit ${q.limit + 1}`));
  const page = ids.slice(0, q.limit).map((r) => Number(r.id));
  const found = page.length ? await selectPeople(ctx, inArray(people.id, page)).orderBy(people.id) : [];
  return { items: found, nextAfter: ids.length > q.limit ? page[page.length - 1] : null };
}

// Reading people (and generic mailboxes) as the core's view: the row plus its organisation's name
// and its older addresses.
import { and, eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import { built, type Database } from '../db/client.js';
import { foundIds, peopleColumns, rowsById, said, visibleWhere, type EntryRows, type Found } from '../db/search-sql.js';
import { compileFilter, prefixUpper } from '../db/filter-sql.js';
import { prefixFilter, type Attr, type Filter } from '../model/filter.js';
import { searchFold } from '../model/fold.js';
import type { EntryRow } from '../model/rows.js';
import { addresses, organisations, people } from '../db/schema.js';
import type { Actor } from './actor.js';
import type { Ctx } from './context.js';
import { fail } from './errors.js';
import { canSee, seesLeavers, visibilityOf } from './visibility.js';

export type PersonRow = typeof people.$inferSelect;
export interface PersonView extends PersonRow {
  orgName: string | null;
  aliases: string[];
}
/** What the person JSON shows of a view (or of an entry row: times as ISO text). */
export type PersonSummary = Pick<
  PersonView,
  | 'uid'
  | 'mail'
  | 'aliases'
  | 'givenName'
  | 'familyName'
  | 'displayName'
  | 'orgCode'
  | 'orgName'
  | 'title'
  | 'department'
  | 'site'
  | 'telephone'
  | 'mobile'
  | 'status'
  | 'quotaMb'
> & { createdAt: Date | string; updatedAt: Date | string; deletedAt: Date | string | null };

const viewColumns = {
  ...getTableColumns(people),
  orgName: organisations.name,
  aliases: sql<string[]>`coalesce((select array_agg(a.address order by a.allocated_at) from ${addresses} a
    where a.person_id = ${people.id} and a.address <> ${people.mail}), '{}')`.as('aliases'),
};

export function selectPeople(ctx: Ctx, where: SQL | undefined) {
  return ctx.tx
    .select(viewColumns)
    .from(people)
    .leftJoin(organisations, eq(organisations.code, people.orgCode))
    .where(where);
}

/**
 * A row by uid, locked for the transaction when `forUpdate`; never a soft-deleted one unless asked.
 * With `seenBy`, one that actor may not see (another organisation's leaver) is not found either, as
 * reading it would answer: a write must not tell who exists where a read would not.
 */
export async function findRow(
  ctx: Ctx,
  uid: string,
  opts: { kind?: 'person' | 'mailbox'; forUpdate?: boolean; deleted?: boolean; seenBy?: Actor } = {},
): Promise<PersonRow> {
  const kind = opts.kind ?? 'person';
  const q = ctx.tx
    .select()
    .from(people)
    .where(and(eq(people.uid, uid), eq(people.kind, kind)));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  const hidden = row && opts.seenBy && !canSee(visibilityOf(opts.seenBy), row);
  if (!row || (row.deletedAt && !opts.deleted) || hidden)
    fail(kind === 'person' ? 'person.not_found' : 'mailbox.not_found', `No ${kind} has the uid ${uid}`);
  return row;
}

/** A person or mailbox as the core shows it, whoever asks (see `visible`). */
export async function findView(ctx: Ctx, uid: string, kind: 'person' | 'mailbox'): Promise<PersonView | undefined> {
  const [row] = await selectPeople(ctx, and(eq(people.uid, uid), eq(people.kind, kind)));
  return row;
}

/** The view if `actor` may see it (the one visibility rule); otherwise not found, as if there were none. */
export function visible(
  actor: Actor,
  row: PersonView | undefined,
  uid: string,
  kind: 'person' | 'mailbox',
): PersonView {
  if (!row || !canSee(visibilityOf(actor), row))
    fail(kind === 'person' ? 'person.not_found' : 'mailbox.not_found', `No ${kind} has the uid ${uid}`);
  return row;
}

export async function getPerson(
  ctx: Ctx,
  actor: Actor,
  uid: string,
  kind: 'person' | 'mailbox' = 'person',
): Promise<PersonView> {
  return visible(actor, await findView(ctx, uid, kind), uid, kind);
}

/** The person or mailbox holding an address, current or old (lower-cased before lookup). */
export async function findByAddress(ctx: Ctx, address: string): Promise<PersonRow | undefined> {
  const [row] = await ctx.tx
    .select(getTableColumns(people))
    .from(addresses)
    .innerJoin(people, eq(people.id, addresses.personId))
    .where(eq(addresses.address, address.trim().toLowerCase()));
  return row;
}

export function displayName(cn: string, orgName: string | null | undefined): string {
  return orgName ? `${cn} (${orgName})` : cn;
}

export type PeopleStatus = 'active' | 'leaver' | 'all';

/**
 * A page of people (REST lists); leavers only for those who see some (visibility.ts: a local
 * administrator and a connector see their own organisation's). Without `q`, in the order they were
 * created. With `q`, a prefix of names (as people read them: accents, case and punctuation folded,
 * see fold.ts), mail or an old address, the matches come by how they match — given name (cn), then
 * family name, then address, then old address — and by that (folded) value within each, so that
 * every page is read in index order and stops when it is full, however many thousands a two-letter prefix matches.
 * `after` is the cursor the previous page ended with. The people shown come from the directory's
 * entry cache (`remembered`), as LDAP's do.
 */
export async function listPeople(
  database: Database,
  remembered: EntryRows,
  actor: Actor,
  q: { q?: string; org?: string; status?: PeopleStatus; after?: string; limit: number },
) {
  const status = q.status ?? 'active';
  const visibility = visibilityOf(actor);
  if (status !== 'active' && !seesLeavers(visibility)) fail('auth.forbidden', 'Only administrators may list leavers');
  const text = q.q?.trim() || null;
  const filters = text ? (prefixFilter(text) as { or: Filter[] }).or : null;
  const armCount = filters?.length ?? 1;
  const after = readCursor(q.after, armCount);
  // A name arm's key is folded (a cursor from before folding, lower-cased, lands in the same place).
  if (after.id && filters && foldedPrefix(filters[after.arm])) after.key = searchFold(after.key);
  // Everything the statements below depend on, so that a search asked before reuses its SQL (built()).
  const asked = JSON.stringify([status, visibility, q.org ?? null, text, after]);
  let compiled: { where: SQL[]; arms: Arm[] } | undefined;
  const parts = () =>
    (compiled ??= {
      where: [
        sql`p.kind = 'person'`,
        ...visibleWhere(visibility, status === 'active'),
        ...(status !== 'all' ? [sql`p.status = ${status}`] : []),
        ...(q.org ? [sql`p.org_code = ${q.org}`] : []),
      ],
      arms: filters ? filters.map(armOf) : [{ match: sql`true`, key: null }],
    });
  // The first of each arm's matches, from its own index (its index alone for the first arm).
  const armQuery = (arm: number, room: number) => {
    const { where, arms } = parts();
    const { match, key } = arms[arm];
    const conditions = [
      ...where,
      match,
      ...arms.slice(0, arm).map((earlier) => sql`not coalesce(${earlier.match}, false)`),
    ];
    if (arm === after.arm && after.id)
      conditions.push(
        key
          ? sql`${key} ~>=~ ${after.key}
            and (${key} ~>~ ${after.key} or (${key} = ${after.key} and p.id > ${after.id}))`
          : sql`p.id > ${after.id}`,
      );
    return sql`(select p.id, ${arm}::int as arm, ${key ?? sql`null::text`} as key from people p
      where ${sql.join(conditions, sql` and `)}
      order by ${key ? sql`${key} using ~<~, p.id` : sql`p.id`} limit ${room})`;
  };
  // A page is usually filled by given names, or else by family names: the first statement reads
  // both arms (in one round trip), any later one arm at a time.
  const found: (Found & { arm: number; key: string | null })[] = [];
  for (let arm = after.arm; arm < armCount && found.length <= q.limit;) {
    const room = q.limit + 1 - found.length;
    const take = arm === after.arm ? Math.min(2, armCount - arm) : 1;
    const statement = built(
      `people ${asked} ${arm} ${take} ${room}`,
      () => sql`select id, arm, key, ${said}
      from (${sql.join(
        Array.from({ length: take }, (_, i) => armQuery(arm + i, room)),
        sql` union all `,
      )}) m order by arm, key using ~<~, id limit ${room}`,
    );
    found.push(...(await database.select<(typeof found)[number]>(statement)));
    arm += take;
  }
  const page = found.slice(0, q.limit);
  const last = page[page.length - 1];
  const items = (await rowsById(database, foundIds(page), remembered)).map(summaryOf);
  return { items, next: found.length > q.limit ? `${last.arm}.${last.id}.${last.key ?? ''}` : null };
}

// A cached row's summary is made once, and goes with the row (so its JSON can be kept with it too).
const summaries = new WeakMap<EntryRow, PersonSummary>();
function summaryOf(r: EntryRow): PersonSummary {
  let s = summaries.get(r);
  if (!s) {
    summaries.set(
      r,
      (s = {
        uid: r.uid,
        mail: r.mail,
        aliases: r.aliases ?? [],
        givenName: r.given_name,
        familyName: r.family_name,
        displayName: r.display_name,
        orgCode: r.org_code,
        orgName: r.org_name,
        title: r.title,
        department: r.department,
        site: r.site,
        telephone: r.telephone,
        mobile: r.mobile,
        status: r.status,
        quotaMb: r.quota_mb,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
        deletedAt: r.deleted_at,
      }),
    );
  }
  return s;
}

/** One way a search matches, and the value its matches are ordered by (null: by id). */
type Arm = { match: SQL; key: SQL | null };

/** Names are compared as people read them (nhs_fold): `obrien` finds O'Brien-Smith, `sian` Siân. */
const foldedNames: Partial<Record<Attr, SQL>> = {
  cn: sql.raw('nhs_fold(p.cn)'),
  sn: sql.raw('nhs_fold(p.family_name)'),
};

/**
 * The folded prefix a name arm looks for, or null: not a name arm, or a query with nothing left
 * when folded (only punctuation, or another script), which matches names as they are written.
 */
function foldedPrefix(f: Filter): string | null {
  if (!('attr' in f) || f.op !== 'sub' || !f.initial || !foldedNames[f.attr]) return null;
  return searchFold(f.initial) || null;
}

function armOf(f: Filter): Arm {
  const column = 'attr' in f ? peopleColumns[f.attr]! : undefined;
  const prefix = foldedPrefix(f);
  if (prefix && 'attr' in f) {
    // The prefix's range in the name's index (people_cn_fold, people_sn_fold), read in its order.
    const folded = foldedNames[f.attr]!;
    return { match: sql`(${folded} ~>=~ ${prefix} and ${folded} ~<~ ${prefixUpper(prefix)})`, key: folded };
  }
  return { match: compileFilter(f, peopleColumns), key: column && !column.via ? column.expr : null };
}

/** Where the previous page ended: the arm, then the key and id within it. Anything else is not ours. */
function readCursor(raw: string | undefined, arms: number): { arm: number; id?: number; key: string } {
  if (raw === undefined) return { arm: 0, key: '' };
  const m = /^(\d+)\.(\d+)\.([^]*)$/.exec(raw);
  if (!m || Number(m[1]) >= arms)
    fail('validation.failed', 'The cursor is not one this API gave out', { cursor: 'is not one this API gave out' });
  return { arm: Number(m[1]), id: Number(m[2]), key: m[3] };
}

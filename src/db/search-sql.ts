// The SQL behind the core's reads (src/directory/reads.ts): people and mailboxes, organisations,
// services, change-log entries and address books, each filtered by a compiled Filter with the
// caller's visibility ANDed in, and cut at a limit, so only what is sent is read. Plain rows out
// (src/model/rows.ts), times as ISO text.
import { sql, type SQL } from 'drizzle-orm';
import type { EntryCache, FoundIds } from '../model/entry-cache.js';
import type { Filter } from '../model/filter.js';
import { searchFold } from '../model/fold.js';
import type { BookEntry, ChangeRow, EntryRow, OrganisationRow, ServiceRow } from '../model/rows.js';
import type { PeopleQuery, SortKey, Visibility } from '../model/search.js';
import { built, type Database } from './client.js';
import { compileFilter, phoneValue, prefixOrder, scans, type Column, type ColumnMap } from './filter-sql.js';

/** ISO 8601 in UTC (2026-01-05T09:00:00.000Z), the same text on both drivers. */
const iso = (col: string) => sql.raw(`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

const lower = (col: string, index?: Column['index']) => ({ expr: sql.raw(`lower(${col})`), index });
const lowerNullable = (col: string, index?: Column['index']) => ({ ...lower(col, index), nullable: true });

export const peopleColumns: ColumnMap = {
  uid: { expr: sql`p.uid`, index: 'equality' },
  // The current address is on the row; old ones (aliases) are the few non-current addresses.
  // The LDAP `mail` filter asks for both (translated as mail OR alias), each from its own index.
  mail: lower('p.mail', 'trigram'),
  alias: {
    expr: sql`p.mail`,
    index: 'trigram',
    via: (match) =>
      sql`p.id = any(array(select person_id from addresses where not current and ${match(sql`address`)}))`,
  },
  cn: lower('p.cn', 'trigram'),
  sn: lower('p.family_name', 'trigram'),
  givenName: lowerNullable('p.given_name', 'trigram'),
  displayName: lower('p.display_name', 'prefix'),
  telephone: { expr: sql`p.telephone_digits`, nullable: true, prepare: phoneValue, index: 'prefix' },
  mobile: { expr: sql`p.mobile_digits`, nullable: true, prepare: phoneValue, index: 'prefix' },
  title: lowerNullable('p.title', 'prefix'),
  department: lowerNullable('p.department', 'prefix'),
  site: lowerNullable('p.site'),
  // Organisation names are matched among the organisations (7,000 at national size), then their
  // people in people_org: a prefix names few, but a substring such as "nhs" names nearly all, and
  // reads every person; so only prefixes count as indexed.
  orgName: {
    expr: sql`p.org_code`,
    nullable: true,
    index: 'prefix',
    via: (match) => sql`p.org_code = any(array(select code from organisations where ${match(sql`lower(name)`)}))`,
  },
  orgCode: { expr: sql`p.org_code`, nullable: true, prepare: (v) => v.toUpperCase(), index: 'equality' },
  entryUuid: { expr: sql`p.entry_uuid::text` },
  created: { expr: sql`p.created_at`, kind: 'time' },
  modified: { expr: sql`p.updated_at`, kind: 'time' },
  // Every covering index holds the kind, and nearly every row is a person: an index walk finds them at once.
  kind: { expr: sql`p.kind`, prepare: (v) => v, index: 'equality' },
};

/** A VLV window further in than this walks the rows before it: 100,000 of them took 1 s. */
const DEEP_OFFSET = 1000;

/**
 * Whether a search of people may read every row: its filter (filter-sql.ts `scans`), or a window
 * deep into the results.
 */
export const scansPeople = (q: { filter: Filter; offset?: number }): boolean =>
  scans(q.filter, peopleColumns) || (q.offset ?? 0) > DEEP_OFFSET;

export const organisationColumns: ColumnMap = {
  orgName: lower('o.name'),
  orgCode: { expr: sql`o.code`, prepare: (v) => v.toUpperCase() },
  orgStatus: lower('o.status'),
  successorCode: { expr: sql`o.successor_code`, nullable: true, prepare: (v) => v.toUpperCase() },
  parentCode: { expr: sql`o.parent_code`, nullable: true, prepare: (v) => v.toUpperCase() },
  previousName: {
    expr: sql`o.code`,
    via: (match) => sql`o.code = any(array(select org_code from organisation_names where ${match(sql`lower(name)`)}))`,
  },
  entryUuid: { expr: sql`o.entry_uuid::text` },
  created: { expr: sql`o.created_at`, kind: 'time' },
  modified: { expr: sql`o.updated_at`, kind: 'time' },
};

export const serviceColumns: ColumnMap = {
  cn: lower('s.name'),
  description: lowerNullable('s.description'),
  entryUuid: { expr: sql`s.entry_uuid::text` },
  created: { expr: sql`s.created_at`, kind: 'time' },
};

/** Service accounts, for those who may list them (`visibility.services`). */
export async function searchServices(
  database: Database,
  filter: Filter,
  visibility: Visibility,
  opts: { name?: string; afterName?: string; limit: number },
): Promise<ServiceRow[]> {
  if (!visibility.services) return [];
  const where = [compileFilter(filter, serviceColumns)];
  if (opts.name) where.push(sql`s.name = ${opts.name.toLowerCase()}`);
  if (opts.afterName) where.push(sql`s.name > ${opts.afterName}`);
  return database.select<ServiceRow>(sql`select s.name, s.description, s.entry_uuid, ${iso('s.created_at')} as created
    from services s where ${sql.join(where, sql` and `)} order by s.name limit ${opts.limit}`);
}

export const changeColumns: ColumnMap = {
  changeNumber: { expr: sql`a.seq`, kind: 'number' },
  created: { expr: sql`a.at`, kind: 'time' },
};

/**
 * What each sort key orders by, in byte order (~<~), then id: names as people read them (nhs_fold:
 * Łukasz among the Ls, Müller before Murphy, O'Brien among the Os), addresses as they are (ASCII).
 * Each walks its own index (people_*_fold, people_mail_prefix), so a sorted page or a VLV window
 * reads only its rows. `value` makes the same key from a value the client gave (a VLV target, or
 * the lower-cased value a paged search's cookie ends at).
 */
const sortKeys: Record<SortKey, { expr: SQL; value: (v: string) => string }> = {
  cn: { expr: sql.raw('nhs_fold(p.cn)'), value: searchFold },
  sn: { expr: sql.raw('nhs_fold(p.family_name)'), value: searchFold },
  givenName: { expr: sql.raw("nhs_fold(coalesce(p.given_name, ''))"), value: searchFold },
  displayName: { expr: sql.raw('nhs_fold(p.display_name)'), value: searchFold },
  mail: { expr: sql.raw('lower(p.mail)'), value: (v) => v.toLowerCase() },
};

/** Rows after (or, reversed, before) this key and id in sort order, as conditions its index answers. */
function afterKey(expr: SQL, key: string, id: number, reverse: boolean): SQL {
  return reverse
    ? sql`${expr} ~<=~ ${key} and (${expr} ~<~ ${key} or (${expr} = ${key} and p.id < ${id}))`
    : sql`${expr} ~>=~ ${key} and (${expr} ~>~ ${key} or (${expr} = ${key} and p.id > ${id}))`;
}

/**
 * The caller's visibility as conditions on `people p`, ANDed into every query over people: leavers
 * of the organisations it names (or all), soft-deleted rows only when it says so.
 */
export function visibleWhere(v: Visibility, activeOnly = false): SQL[] {
  const parts: SQL[] = [];
  if (!v.deleted) parts.push(sql`p.deleted_at is null`);
  // A query for active rows alone needs no leaver rule: everyone signed in sees those.
  if (v.leavers !== true && !activeOnly)
    parts.push(
      v.leavers.length
        ? sql`(p.status = 'active' or p.org_code = any(${sql.param(v.leavers)}::text[]))`
        : sql`p.status = 'active'`,
    );
  return parts;
}

function peopleWhere(q: PeopleQuery, filter: Filter = q.filter): SQL {
  const activeOnly = Boolean(q.orgCode || q.listedOnly);
  const parts: SQL[] = [...visibleWhere(q.visibility, activeOnly), compileFilter(filter, peopleColumns)];
  if (q.kind) parts.push(sql`p.kind = ${q.kind}`);
  if (q.orgCode) parts.push(sql`p.org_code = ${q.orgCode}`);
  // Address books (every one at once, too) hold active people and listed mailboxes: no leaver, whoever asks.
  if (q.listedOnly) parts.push(sql`(p.kind = 'person' or p.listed)`);
  if (activeOnly) parts.push(sql`p.status = 'active'`);
  if (q.uid) parts.push(sql`p.uid = ${q.uid.toLowerCase()}`);
  return sql.join(parts, sql` and `);
}

/**
 * Entries by row id, remembered between searches (`remembered` is the directory's entry cache, or
 * none). A search asks the database only which ids match, in order; the rows it shows come from
 * memory, and the few not there from one more query. While the cache is nearly empty (just
 * emptied by a write, or turned off), that would be two statements for one: the search then reads
 * whole rows in one statement, and keeps them.
 */
export type EntryRows = EntryCache | null;

export async function searchPeople(
  database: Database,
  q: PeopleQuery,
  remembered: EntryRows = null,
  said?: number,
): Promise<EntryRow[]> {
  const key = JSON.stringify(q);
  if (remembered?.warm()) {
    const found = await remembered.found(
      key,
      readsOf(q),
      async () => foundIds(await database.select<Found>(built(`ids ${key}`, () => matching(q, false)))),
      said,
    );
    return rowsById(database, found, remembered);
  }
  const mark = remembered?.mark();
  const rows = (await database.select<EntryRow>(built(`rows ${key}`, () => matching(q, true)))).map(entryRow);
  remembered?.keepAll(
    mark!,
    rows.map((r) => [r.id, r]),
  );
  return rows;
}

/** The attributes a search's filter and order read: a change to no other leaves what it finds as it was. */
function readsOf(q: PeopleQuery): Set<string> {
  const reads = new Set<string>(q.sort ? [q.sort.key] : []);
  const walk = (f: Filter): void => {
    if ('attr' in f) reads.add(f.attr);
    else if ('and' in f) f.and.forEach(walk);
    else if ('or' in f) f.or.forEach(walk);
    else if ('not' in f) walk(f.not);
  };
  walk(q.filter);
  return reads;
}

/**
 * The arm of old addresses starting with a prefix, read in address order from their index until
 * `limit` people are found. Through `alias`'s `any(array(…))` it gathered every match first: at
 * national size "fo" is the start of 150,000 old addresses (118 ms). A person is counted once, at
 * the first of their matching old addresses, so that `limit` rows are `limit` people.
 */
function aliasArm(q: PeopleQuery, arm: Filter): SQL | null {
  if (!('attr' in arm) || arm.attr !== 'alias' || arm.op !== 'sub' || !arm.initial) return null;
  const at = (table: string) => compileFilter(arm, { alias: { expr: sql.raw(`${table}.address`) } });
  return sql`(select p.id from addresses a join people p on p.id = a.person_id
    where not a.current and ${at('a')} and ${peopleWhere(q, { const: true })}
      and not exists (select 1 from addresses b where b.person_id = a.person_id and not b.current
        and ${at('b')} and b.address ~<~ a.address)
    order by a.address using ~<~ limit ${q.limit})`;
}

/**
 * The number of the last notice of changes (audit.ts): a column of every statement that finds ids
 * for rows that memory may answer, so that memory is not trusted for a change not yet heard of.
 */
export const said = sql.raw('(select n from announced where one) as said');

/** Rows found by id, with the number their statement saw (`said`). */
export type Found = { id: string | number; said: string | number };

/** Found rows as ids and the number their statement saw. */
export const foundIds = (found: Found[]): FoundIds => ({
  ids: found.map((r) => Number(r.id)),
  said: found.length ? Number(found[0].said) : 0,
});

/** The rows of these ids, in this order: from memory where they are there and no change is unheard. */
export async function rowsById(
  database: Database,
  { ids, said }: FoundIds,
  remembered: EntryRows,
): Promise<EntryRow[]> {
  if (ids.length === 0) return [];
  const load = (missing: number[]) => entryRows(database, missing);
  const rows = remembered ? await remembered.readMany(ids, load, said) : await load(ids);
  const inOrder: EntryRow[] = [];
  for (const id of ids) {
    const row = rows.get(id);
    if (row) inOrder.push(row);
  }
  return inOrder;
}

/** What a search returns, in its order: ids alone (from indexes alone where the filter allows), or whole rows. */
function matching(q: PeopleQuery, whole: boolean): SQL {
  const [columns, org] = whole
    ? [entryColumns, sql`left join organisations o on o.code = p.org_code`]
    : [sql`p.id, ${said}`, sql``];
  // An unordered search for "any N" whose filter is an OR (what mail clients send as you type):
  // the first N of each arm, each read from its own index, hold N matches whenever N exist —
  // far cheaper than one plan that must combine every match of every arm first.
  const arms = orArms(q.filter);
  if (!q.sort && !q.paged && !q.offset && arms.length > 1) {
    const firstOf = (arm: Filter) =>
      aliasArm(q, arm) ??
      sql`(select p.id from people p where ${peopleWhere(q, arm)}
        ${prefixOrder(arm, peopleColumns) ?? sql``} limit ${q.limit})`;
    const union = sql`(${sql.join(arms.map(firstOf), sql` union `)}) m`;
    // The ids come from the arms' indexes alone; only whole rows need the table again.
    return whole
      ? sql`select ${columns} from ${union} join people p on p.id = m.id ${org} limit ${q.limit}`
      : sql`select m.id, ${said} from ${union} limit ${q.limit}`;
  }
  const where = [peopleWhere(q)];
  let order = sql``;
  if (q.sort) {
    const { expr, value } = sortKeys[q.sort.key];
    if (q.after) where.push(afterKey(expr, value(q.after.key ?? ''), q.after.id, q.sort.reverse));
    order = q.sort.reverse ? sql`order by ${expr} using ~>~, p.id desc` : sql`order by ${expr} using ~<~, p.id`;
  } else if (q.paged) {
    // Paging without sort walks the primary key, so a paged search can read everything.
    if (q.after) where.push(sql`p.id > ${q.after.id}`);
    order = sql`order by p.id`;
  }
  const offset = q.offset ? sql`offset ${q.offset}` : sql``;
  return sql`select ${columns} from people p ${org} where ${sql.join(where, sql` and `)}
    ${order} limit ${q.limit} ${offset}`;
}

/** Everything an entry shows (with `organisations o` joined). */
const entryColumns = sql`p.id, p.kind, p.uid, p.mail, p.given_name, p.family_name, p.cn, p.display_name, p.org_code,
  o.name as org_name,
  p.title, p.department, p.site, p.telephone, p.mobile, p.entry_uuid, p.status, p.quota_mb,
  ${iso('p.created_at')} as created_at, ${iso('p.updated_at')} as updated_at, ${iso('p.deleted_at')} as deleted_at,
  (select array_agg(a.address order by a.allocated_at) from addresses a
    where a.person_id = p.id and not a.current) as aliases,
  case when p.kind = 'mailbox' then (select q.uid from people q where q.id = p.owner_id) end as owner_uid,
  case when p.kind = 'mailbox' then (select array_agg(q.uid order by q.uid) from mailbox_delegates d
    join people q on q.id = d.person_id where d.mailbox_id = p.id) end as delegates`;

/** Ids as numbers (PostgreSQL's bigint arrives as text). */
const entryRow = (r: EntryRow): EntryRow => ({ ...r, id: Number(r.id) });

/** Everything an entry shows, for these row ids, by id. */
async function entryRows(database: Database, ids: number[]): Promise<Map<number, EntryRow>> {
  const rows = await database.select<EntryRow>(sql`select ${entryColumns}
    from people p left join organisations o on o.code = p.org_code
    where p.id = any(${sql.param(ids)}::bigint[])`);
  return new Map(rows.map((r) => [Number(r.id), entryRow(r)]));
}

/** The arms of a top-level OR, nested ORs flattened. */
function orArms(f: Filter): Filter[] {
  const arms = 'or' in f ? f.or.flatMap(orArms) : [f];
  // A person's cn is "Given Family": where the OR asks for cn=X* already (Outlook asks for both),
  // givenName=X* can find no one more, and is not asked for.
  const prefix = (a: Filter, attr: string) =>
    'attr' in a && a.attr === attr && a.op === 'sub' && a.initial && !a.any.length && !a.final
      ? a.initial.toLowerCase()
      : null;
  const cn = new Set(arms.map((a) => prefix(a, 'cn')).filter((p) => p !== null));
  return arms.filter((a) => {
    const given = prefix(a, 'givenName');
    return given === null || !cn.has(given);
  });
}

/** How many entries match; with `below`, how many come before that value in sort order (VLV's target). */
export async function countPeople(database: Database, q: PeopleQuery, below?: string): Promise<number> {
  const key = q.sort && sortKeys[q.sort.key];
  const before = sql.raw(q.sort?.reverse ? '~>~' : '~<~');
  const extra = below !== undefined && key ? sql` and ${key.expr} ${before} ${key.value(below)}` : sql``;
  const [row] = await database.select<{ n: number }>(
    sql`select count(*)::int as n from people p where ${peopleWhere(q)}${extra}`,
  );
  return row.n;
}

export async function searchOrganisations(
  database: Database,
  filter: Filter,
  opts: { code?: string; afterCode?: string; limit: number },
): Promise<OrganisationRow[]> {
  const where = [compileFilter(filter, organisationColumns)];
  if (opts.code) where.push(sql`o.code = ${opts.code.toUpperCase()}`);
  if (opts.afterCode) where.push(sql`o.code > ${opts.afterCode}`);
  return database.select<OrganisationRow>(sql`
    select o.code, o.name, o.status, o.parent_code, o.successor_code, o.entry_uuid,
      ${iso('o.created_at')} as created, ${iso('o.updated_at')} as modified,
      (select array_agg(n.name order by n.valid_to) from organisation_names n
        where n.org_code = o.code) as previous_names
    from organisations o where ${sql.join(where, sql` and `)} order by o.code limit ${opts.limit}`);
}

/**
 * The changes a local administrator reads (the core's `changeScope`): to their organisations, and
 * to the people and mailboxes in them now.
 */
export const changesOf = (orgs: string[], targetType: SQL, targetId: SQL) => sql`((${targetType} = 'organisation'
  and ${targetId} = any(${sql.param(orgs)}::text[])) or (${targetType} in ('person', 'mailbox')
  and exists (select 1 from people p where p.uid = ${targetId} and p.org_code = any(${sql.param(orgs)}::text[]))))`;

/** Change-log entries in the caller's scope (`visibility.changes`; none without one). */
export async function searchChanges(
  database: Database,
  filter: Filter,
  visibility: Visibility,
  opts: { seq?: number; afterSeq?: number; limit: number },
): Promise<ChangeRow[]> {
  const scope = visibility.changes;
  if (!scope) return [];
  const where = [compileFilter(filter, changeColumns)];
  if ('orgs' in scope) where.push(changesOf(scope.orgs, sql`a.target_type`, sql`a.target_id`));
  if (opts.seq !== undefined) where.push(sql`a.seq = ${opts.seq}`);
  if (opts.afterSeq !== undefined) where.push(sql`a.seq > ${opts.afterSeq}`);
  return database.select<ChangeRow>(
    sql`select a.seq, ${iso('a.at')} as at, a.actor, a.action, a.target_type, a.target_id, a.before, a.after
      from audit a where ${sql.join(where, sql` and `)} order by a.seq limit ${opts.limit}`,
  );
}

export async function changeBounds(database: Database): Promise<{ first: number; last: number }> {
  const [r] = await database.select<{ first: number | null; last: number | null }>(
    sql`select min(seq)::int as first, max(seq)::int as last from audit`,
  );
  return { first: r.first ?? 0, last: r.last ?? 0 };
}

/**
 * One batch of an organisation's address book: its active people and listed mailboxes after row
 * `after`, in id order (keyset batches: memory stays flat however large the organisation).
 */
export async function addressBookBatch(
  database: Database,
  orgCode: string,
  visibility: Visibility,
  after: number,
  batch: number,
): Promise<BookEntry[]> {
  const where = [
    ...visibleWhere(visibility, true),
    sql`p.org_code = ${orgCode} and p.status = 'active'`,
    sql`(p.kind = 'person' or p.listed) and p.id > ${after}`,
  ];
  const rows = await database.select<BookEntry>(sql`
    select p.id, p.kind, p.uid, p.mail, p.given_name, p.family_name, p.cn, p.display_name, p.org_code,
      o.name as org_name, p.title, p.department, p.site, p.telephone, p.mobile, p.entry_uuid
    from people p join organisations o on o.code = p.org_code
    where ${sql.join(where, sql` and `)}
    order by p.id limit ${batch}`);
  for (const r of rows) r.id = Number(r.id);
  return rows;
}

/** Whether the database answers (readiness). */
export async function databaseAnswers(database: Database): Promise<boolean> {
  try {
    await database.query('select 1');
    return true;
  } catch {
    return false;
  }
}

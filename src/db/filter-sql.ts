// Compiles the core's Filter into a WHERE clause that PostgreSQL answers from indexes: prefixes
// through text_pattern_ops b-trees, substrings through pg_trgm, addresses through the addresses
// table. SQL's three-valued logic is LDAP's: undefined becomes NULL, and NULL is not true.
import { sql, type SQL } from 'drizzle-orm';
import type { Attr, Filter } from '../model/filter.js';

/** How one attribute is stored in one table. */
export interface Column {
  /** The expression compared (already lower-cased where matching ignores case). */
  expr: SQL;
  /** Nullable columns must say "false", not "unknown", when the entry has no value. */
  nullable?: boolean;
  /** How an assertion value is prepared; returning null makes the item undefined. */
  prepare?: (value: string) => string | null;
  kind?: 'text' | 'number' | 'time';
  /** Matching through a subquery instead (addresses, organisation names): given the condition on its column. */
  via?: (match: (column: SQL) => SQL) => SQL;
  /**
   * The index that answers it: a b-tree for equality and ranges; one in byte order for prefixes
   * too; trigrams for substrings besides. Without one, an item reads the whole table.
   */
  index?: 'equality' | 'prefix' | 'trigram';
}

export type ColumnMap = Partial<Record<Attr, Column>>;

const lowerCase = (v: string) => v.toLowerCase();
const escapeLike = (v: string) => v.replace(/[\\%_]/g, '\\$&');

/** telephone matches ignore spaces and hyphens; a value with letters is not a phone number. */
export const phoneValue = (v: string) => {
  const digits = v.replace(/[\s-]/g, '');
  return /^[+()0-9.]*$/.test(digits) ? digits : null;
};

/** LDAP GeneralizedTime (20260105090000Z) or ISO 8601. */
function timeValue(v: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:\.\d+)?Z$/.exec(v);
  const iso = m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5] ?? '00'}:${m[6] ?? '00'}Z` : v;
  return Number.isNaN(Date.parse(iso)) ? null : new Date(iso).toISOString();
}

function prepared(col: Column, value: string): string | null {
  if (col.kind === 'number') return /^\d{1,15}$/.test(value) ? value : null;
  if (col.kind === 'time') return timeValue(value);
  return (col.prepare ?? lowerCase)(value);
}

function guard(col: Column, condition: SQL): SQL {
  return col.nullable ? sql`(${col.expr} is not null and ${condition})` : sql`(${condition})`;
}

/**
 * The upper bound of a prefix range: "jan" → "jao". Text compared byte-wise (text_pattern_ops) in
 * [prefix, upper) is exactly what starts with the prefix, and unlike LIKE with a parameter, a range
 * with parameters can use the index in a prepared statement's generic plan.
 */
export function prefixUpper(prefix: string): string | null {
  const chars = [...prefix];
  const last = chars.pop()?.codePointAt(0);
  if (last === undefined || last >= 0x10ffff || last === 0xd7ff) return null;
  return chars.join('') + String.fromCodePoint(last + 1);
}

/** pg_trgm finds nothing in a fragment shorter than a trigram. */
const TRIGRAM = 3;
const trigramless = (parts: string[]) => parts.every((p) => p.length < TRIGRAM);

function substringMatch(parts: string[], initial: boolean, final: boolean): (e: SQL) => SQL {
  const pattern = `${initial ? '' : '%'}${parts.map(escapeLike).join('%')}${final ? '' : '%'}`;
  const first = initial ? parts[0] : '';
  const upper = first ? prefixUpper(first) : null;
  const range = (e: SQL) => sql`${e} ~>=~ ${first} and ${e} ~<~ ${upper}`;
  if (upper && parts.length === 1 && !final) return range; // a plain prefix: the range alone
  if (upper) return (e) => sql`${range(e)} and ${e} like ${pattern}`;
  // With no fragment of three characters, a trigram index would be read whole before its first row
  // (0.05 s an item at 100,000 people, whatever the answer). Compared as `e || ''`, which no index holds, the
  // rows are read in turn and the limit stops the reading at the first matches: "%ab%" in 0.5 ms.
  return trigramless(parts) ? (e) => sql`${e} || '' like ${pattern}` : (e) => sql`${e} like ${pattern}`;
}

function compileItem(f: Extract<Filter, { attr: Attr }>, col: Column): SQL {
  if (f.op === 'present') return col.nullable ? sql`(${col.expr} is not null)` : sql`true`;
  let match: (e: SQL) => SQL;
  if (f.op === 'sub') {
    if (col.kind === 'number' || col.kind === 'time') return sql`null::boolean`;
    const raw = [f.initial, ...f.any, f.final].filter((p): p is string => p !== undefined && p !== '');
    const parts = raw.map((p) => prepared(col, p));
    if (parts.some((p) => p === null)) return sql`null::boolean`;
    if (parts.length === 0) return compileItem({ attr: f.attr, op: 'present' }, col);
    match = substringMatch(parts as string[], Boolean(f.initial), Boolean(f.final));
  } else {
    const value = prepared(col, f.value);
    if (value === null) return sql`null::boolean`;
    const param =
      col.kind === 'number' ? sql`${Number(value)}` : col.kind === 'time' ? sql`${value}::timestamptz` : sql`${value}`;
    const op = f.op === 'eq' ? sql`=` : f.op === 'ge' ? sql`>=` : sql`<=`;
    match = (e) => sql`${e} ${op} ${param}`;
  }
  return col.via ? sql`(${col.via(match)})` : guard(col, match(col.expr));
}

/** The WHERE clause for `filter` over a table described by `columns`; attributes it lacks are absent (false). */
export function compileFilter(filter: Filter, columns: ColumnMap): SQL {
  if ('const' in filter)
    return filter.const === 'undefined' ? sql`null::boolean` : filter.const ? sql`true` : sql`false`;
  if ('and' in filter)
    return filter.and.length
      ? sql`(${sql.join(
          filter.and.map((f) => compileFilter(f, columns)),
          sql` and `,
        )})`
      : sql`true`;
  if ('or' in filter)
    return filter.or.length
      ? sql`(${sql.join(
          filter.or.map((f) => compileFilter(f, columns)),
          sql` or `,
        )})`
      : sql`false`;
  if ('not' in filter) return sql`(not ${compileFilter(filter.not, columns)})`;
  const col = columns[filter.attr];
  return col ? compileItem(filter, col) : sql`false`;
}

/**
 * For a filter that is one prefix item on an indexed column, `order by` that walks its index in
 * byte order: with it, a prepared statement's generic plan reads the first rows from the index
 * and stops, instead of gathering every match in a bitmap first.
 */
export function prefixOrder(filter: Filter, columns: ColumnMap): SQL | null {
  if (!('attr' in filter) || filter.op !== 'sub' || !filter.initial) return null;
  const col = columns[filter.attr];
  if (!col || col.via || col.kind || col.prepare) return null;
  return sql`order by ${col.expr} using ~<~`;
}

/** Longer than any value the directory holds: such an item still costs its length in every row read. */
const LONGEST = 256;

/**
 * Whether PostgreSQL may have to read every row (or every index entry) to answer `filter` over
 * `columns` when few rows match: an item no index answers (a substring with no prefix and no
 * fragment of three characters, a value of an unindexed attribute, an ordering match on text, a
 * value of hundreds of characters, a prefix of one or two characters with more to match after
 * it), a negation, or an AND or OR with one of them. Such a search can cost in proportion to the
 * directory, not to its answer. (An AND's indexed item may match a great many rows, each then read
 * to test the other: `(&(cn=a*)(mail=*qa*))` is counted too. Mail clients' ANDs are of indexed
 * items.)
 */
export function scans(filter: Filter, columns: ColumnMap): boolean {
  if ('const' in filter) return false;
  if ('and' in filter) return filter.and.some((f) => scans(f, columns));
  if ('or' in filter) return filter.or.some((f) => scans(f, columns));
  if ('not' in filter) return true;
  const col = columns[filter.attr];
  if (!col) return false; // no such attribute here: false, nothing is read
  if (filter.op === 'present') return Boolean(col.nullable && !col.index);
  const values = filter.op === 'sub' ? [filter.initial, ...filter.any, filter.final] : [filter.value];
  const parts = values.filter((v): v is string => v !== undefined && v !== '').map((v) => prepared(col, v));
  const ordinal = col.kind === 'number' || col.kind === 'time';
  if ((filter.op === 'sub' && ordinal) || parts.some((p) => p === null)) return false; // undefined: nothing is read
  if (parts.some((p) => p!.length > LONGEST)) return true;
  if (filter.op === 'eq') return !col.index;
  // An ordering item compares as text does, in the database's collation, which no byte-order or
  // trigram index answers: only a plain b-tree's (uids, organisation codes) can.
  if (filter.op !== 'sub') return col.index !== 'equality';
  const [first, ...rest] = parts as string[];
  // A prefix range is walked in order to the limit; with more parts to match after it, the whole
  // range may be read for few matches: only a range of three characters or more is narrow enough.
  const prefix = Boolean(filter.initial) && (col.index === 'prefix' || col.index === 'trigram');
  if (prefix) return rest.length > 0 && first.length < TRIGRAM;
  return !(col.index === 'trigram' && !trigramless(parts as string[]));
}

// The search filter: what the front ends ask for, in the directory's own terms. A leaf type: the
// core, storage and the front ends import it, and it imports nothing. The LDAP front end builds it
// from RFC 4515 filters, the REST API from `q`; src/db/filter-sql.ts compiles it.
// Evaluation is three-valued as in LDAP (RFC 4511 section 4.5.1.7): `undefined` is neither true
// nor false, and NOT of it stays undefined.

/** Attributes of people and mailboxes, organisations, and change-log entries. */
export type Attr =
  | 'uid'
  | 'mail'
  | 'alias'
  | 'cn'
  | 'sn'
  | 'givenName'
  | 'displayName'
  | 'telephone'
  | 'mobile'
  | 'title'
  | 'department'
  | 'site'
  | 'orgName'
  | 'orgCode'
  | 'entryUuid'
  | 'created'
  | 'modified'
  | 'kind'
  | 'orgStatus'
  | 'previousName'
  | 'successorCode'
  | 'parentCode'
  | 'changeNumber'
  | 'description';

export type Filter =
  | { and: Filter[] }
  | { or: Filter[] }
  | { not: Filter }
  | { attr: Attr; op: 'eq' | 'ge' | 'le'; value: string }
  | { attr: Attr; op: 'sub'; initial?: string; any: string[]; final?: string }
  | { attr: Attr; op: 'present' }
  | { const: boolean | 'undefined' };

export const TRUE: Filter = { const: true };
export const FALSE: Filter = { const: false };
export const UNDEFINED: Filter = { const: 'undefined' };

/**
 * Prefix search on names and mail (REST `q`). A person's cn is "Given Family", so a prefix of the
 * given name is a prefix of cn already and needs no arm of its own.
 */
export function prefixFilter(text: string): Filter {
  const initial = text.trim();
  return {
    or: (['cn', 'sn', 'mail', 'alias'] as const).map((attr) => ({ attr, op: 'sub' as const, initial, any: [] })),
  };
}

/**
 * Fold constants (RFC 4511's three-valued rules): a search whose filter can never be true for a
 * kind of entry is not sent to the database at all.
 */
export function simplify(f: Filter): Filter {
  if ('and' in f) {
    const parts = f.and.map(simplify).filter((x) => !('const' in x && x.const === true));
    if (parts.some((x) => 'const' in x && x.const === false)) return FALSE;
    return parts.length === 0 ? TRUE : parts.length === 1 ? parts[0] : { and: parts };
  }
  if ('or' in f) {
    const parts = f.or.map(simplify).filter((x) => !('const' in x && x.const === false));
    if (parts.some((x) => 'const' in x && x.const === true)) return TRUE;
    return parts.length === 0 ? FALSE : parts.length === 1 ? parts[0] : { or: parts };
  }
  if ('not' in f) {
    const inner = simplify(f.not);
    if ('const' in inner) return inner.const === 'undefined' ? inner : { const: !inner.const };
    return { not: inner };
  }
  return f;
}

/** True when no entry can match: nothing need be asked of the database. */
export const never = (f: Filter) => 'const' in f && f.const !== true;

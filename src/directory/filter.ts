// The core's search filter: what the front ends ask for, in the directory's own terms. The LDAP
// front end builds it from RFC 4515 filters, the REST API from `q`; src/db/filter-sql.ts compiles it.
// Evaluation is three-valued as in LDAP (RFC 4511 section 4.5.1.7): `undefined` is neither true
// nor false, and NOT of it stays undefined.

/** Attributes of people and mailboxes, organisations, and change-log entries. */
export type Attr =
  | 'uid' | 'mail' | 'alias' | 'cn' | 'sn' | 'givenName' | 'displayName' | 'telephone' | 'mobile'
  | 'title' | 'department' | 'site' | 'orgName' | 'orgCode' | 'entryUuid' | 'created' | 'modified'
  | 'kind' | 'orgStatus' | 'previousName' | 'successorCode' | 'parentCode' | 'changeNumber';

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

/** Prefix search on names and mail (REST `q`, and what mail clients send as they type). */
export function prefixFilter(text: string): Filter {
  const initial = text.trim();
  return { or: (['cn', 'sn', 'givenName', 'mail'] as const).map((attr) => ({ attr, op: 'sub' as const, initial, any: [] })) };
}

// The search controls: paged results (RFC 2696), server-side sort (RFC 2891) and VLV
// (draft-ietf-ldapext-ldapv3-vlv-09): reading them from a request, the paged-results cookie, and
// the response controls with their named result codes.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SortKey } from '../directory/reads.js';
import { BerReader, enumerated, int, seq, str } from './ber.js';
import { LdapError } from './errors.js';
import { OID, Result, type Control } from './protocol.js';

export interface Paging {
  size: number;
  cookie: Buffer | null;
}
/** Where a paged search goes on: the plan step, and the last row sent in it. */
export interface Cursor {
  s: number;
  id?: number;
  key?: string;
  code?: string;
  seq?: number;
}
export interface Sort {
  key: SortKey;
  reverse: boolean;
}
export interface Vlv {
  before: number;
  after: number;
  offset?: number;
  count?: number;
  gte?: string;
  context?: Buffer;
}

/** The controls of one search, read and checked. */
export interface SearchControls {
  paging: Paging | null;
  /** The sort asked for, when the server can sort on it. */
  sort?: Sort;
  vlv: Vlv | null;
  /** Response controls every answer carries (the sort result). */
  response: Control[];
}

/** RFC 2891 section 1.2: the sortResult codes this server gives. */
export const SortResult = { success: Result.success, unwillingToPerform: Result.unwillingToPerform } as const;
/** draft-ietf-ldapext-ldapv3-vlv-09 section 6.2: the virtualListViewResult codes this server gives. */
export const VlvResult = {
  success: Result.success,
  protocolError: Result.protocolError,
  sortControlMissing: Result.sortControlMissing,
} as const;

const sortKeys: Record<string, SortKey> = {
  cn: 'cn',
  sn: 'sn',
  givenname: 'givenName',
  mail: 'mail',
  displayname: 'displayName',
};

/** RFC 4511 section 4.1.1: the largest INTEGER (0 .. maxInt) a counter in a request may hold. */
export const MAX_INT = 2147483647;
const inIntRange = (n: number | undefined) => n === undefined || (n >= 0 && n <= MAX_INT);

function readPaging(c: Control): Paging {
  const r = new BerReader(c.value ?? Buffer.alloc(0)).read(0x30).body;
  const size = r.int();
  const raw = r.bytes(0x04);
  // RFC 2696 section 2: size INTEGER (0..maxInt).
  if (!inIntRange(size)) throw new LdapError(Result.protocolError, `a page size is an integer from 0 to ${MAX_INT}`);
  return { size, cookie: raw.length ? raw : null };
}

function readSort(c: Control): { sort?: Sort; attr: string } {
  const list = new BerReader(c.value ?? Buffer.alloc(0)).read(0x30).body;
  const first = list.read(0x30).body;
  const attr = first.string();
  let reverse = false;
  while (!first.done) {
    const t = first.peekTag();
    if (t === 0x81) reverse = first.bool(0x81);
    else first.read(); // an ordering rule: the attribute's own ordering is used
  }
  const key = sortKeys[attr.toLowerCase()];
  return { sort: key && list.done ? { key, reverse } : undefined, attr };
}

function readVlv(c: Control): Vlv {
  const r = new BerReader(c.value ?? Buffer.alloc(0)).read(0x30).body;
  const before = r.int();
  const after = r.int();
  const vlv: Vlv = { before, after };
  if (r.peekTag() === 0xa0) {
    const b = r.read(0xa0).body;
    vlv.offset = b.int();
    vlv.count = b.int();
  } else {
    vlv.gte = r.string(0x81);
  }
  if (!r.done) vlv.context = r.bytes(0x04);
  return vlv;
}

/** The request's controls; an unsupported critical one, or a malformed count, is refused. */
export function readControls(controls: Control[]): SearchControls {
  for (const c of controls) {
    if (c.critical && ![OID.paged, OID.sort, OID.vlv].includes(c.oid as never))
      throw new LdapError(Result.unavailableCriticalExtension, `control ${c.oid} is not supported`);
  }
  const find = (oid: string) => controls.find((c) => c.oid === oid);
  const pagingControl = find(OID.paged);
  const sortControl = find(OID.sort);
  const vlvControl = find(OID.vlv);
  const paging = pagingControl ? readPaging(pagingControl) : null;
  const response: Control[] = [];
  let sort: Sort | undefined;
  if (sortControl) {
    const read = readSort(sortControl);
    sort = read.sort;
    if (sort) response.push(sortResponse(SortResult.success));
    else {
      const refused = sortResponse(SortResult.unwillingToPerform, read.attr);
      if (sortControl.critical)
        throw new LdapError(Result.unavailableCriticalExtension, `cannot sort on ${read.attr}`, '', [refused]);
      response.push(refused);
    }
  }
  const vlv = vlvControl ? readVlv(vlvControl) : null;
  if (vlv && !sort)
    throw new LdapError(Result.unwillingToPerform, 'VLV needs the sort control', '', [
      ...response,
      vlvResponse(0, 0, VlvResult.sortControlMissing),
    ]);
  if (vlv && ![vlv.before, vlv.after, vlv.offset, vlv.count].every(inIntRange))
    // draft-ietf-ldapext-ldapv3-vlv-09 section 6.1: every count is INTEGER (0 .. maxInt).
    throw new LdapError(
      Result.protocolError,
      `VLV before, after, offset and count are integers from 0 to ${MAX_INT}`,
      '',
      [...response, vlvResponse(0, 0, VlvResult.protocolError)],
    );
  return { paging, sort, vlv, response };
}

export const sortResponse = (code: number, attr?: string): Control => ({
  oid: OID.sortResponse,
  critical: false,
  value: seq(0x30, [enumerated(code), ...(attr ? [str(attr, 0x80)] : [])]),
});

export const pagedResponse = (cookie: Buffer | null): Control => ({
  oid: OID.paged,
  critical: false,
  value: seq(0x30, [int(0), str(cookie ?? Buffer.alloc(0))]),
});

export function vlvResponse(position: number, count: number, code: number, context?: Buffer): Control {
  return {
    oid: OID.vlvResponse,
    critical: false,
    value: seq(0x30, [int(position), int(count), enumerated(code), ...(context ? [str(context)] : [])]),
  };
}

/** Where a VLV window starts (1-based) in `total` sorted entries, by offset or by a target value's rank. */
export function vlvPosition(vlv: Vlv, total: number, rankOfTarget?: number): number {
  let position: number;
  if (rankOfTarget !== undefined) position = rankOfTarget + 1;
  else if (!vlv.count) position = vlv.offset ?? 1;
  else
    position =
      vlv.offset! >= vlv.count
        ? total
        : Math.max(1, Math.round(((vlv.offset! - 1) * total) / Math.max(1, vlv.count - 1)) + 1);
  return Math.min(Math.max(position, 1), total + 1);
}

// ---- paged-results cookies ----

// RFC 2696 leaves the cookie to the server, and the client hands it back unchanged. Ours is the
// cursor (where the next page starts) behind an HMAC-SHA256 that binds it to this connection, the
// caller and the search: a cookie cannot be forged or altered, nor replayed on another connection,
// by another caller or for another search. The key is made when the process starts, so no cookie
// outlives a restart; a client whose cookie is refused starts its paged search again.
const cookieKey = randomBytes(32);
const MAC_BYTES = 16; // truncated to 128 bits, as RFC 2104 section 5 allows

/** What makes a paged search "the same search" (RFC 2696 section 3), with who asks and where. */
export function cookieScope(connection: string, caller: string, search: unknown[]): string {
  // JSON escapes control characters, so the NUL that ends the scope below cannot occur inside it.
  return JSON.stringify([connection, caller, ...search]);
}

const cookieMac = (scope: string, body: Buffer) =>
  createHmac('sha256', cookieKey).update(scope).update('\0').update(body).digest().subarray(0, MAC_BYTES);

export function sealCursor(cursor: Cursor, scope: string): Buffer {
  const body = Buffer.from(JSON.stringify(cursor));
  return Buffer.concat([cookieMac(scope, body), body]);
}

/** The cursor in a cookie this server gave for this search, connection and caller; null for any other. */
export function openCursor(cookie: Buffer, scope: string, steps: number): Cursor | null {
  if (cookie.length <= MAC_BYTES) return null;
  const body = cookie.subarray(MAC_BYTES);
  if (!timingSafeEqual(cookie.subarray(0, MAC_BYTES), cookieMac(scope, body))) return null;
  let c: unknown;
  try {
    c = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  // Ours, so well-formed; checked all the same, since a bad cursor would become a negative LIMIT.
  return isCursor(c, steps) ? c : null;
}

function isCursor(c: unknown, steps: number): c is Cursor {
  if (typeof c !== 'object' || c === null) return false;
  const { s, id, key, code, seq } = c as Record<string, unknown>;
  const count = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  const optional = (v: unknown, ok: (x: unknown) => boolean) => v === undefined || ok(v);
  const text = (v: unknown) => typeof v === 'string';
  return (
    count(s) &&
    (s as number) < steps &&
    optional(id, count) &&
    optional(seq, count) &&
    optional(key, text) &&
    optional(code, text)
  );
}

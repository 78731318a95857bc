// The search operation: resolve the base DN and scope into sources (fixed entries, or SQL queries
// over people, organisations, services and the change log), then stream entries under the size
// limit, paged results (RFC 2696), server-side sort (RFC 2891) and VLV (draft-ietf-ldapext-ldapv3-vlv).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../directory/actor.js';
import { isAdmin, isNational } from '../directory/actor.js';
import { changeScope } from '../directory/audit.js';
import type { Database } from '../db/client.js';
import {
  changeBounds,
  countPeople,
  searchChanges,
  searchOrganisations,
  searchPeople,
  searchServices,
  type EntryRows,
  type PeopleQuery,
  type SortKey,
  type Visibility,
} from '../db/entries.queries.js';
import { never, TRUE } from '../directory/filter.js';
import { BerReader, enumerated, int, seq, str } from './ber.js';
import { endsWith, parseDn, type Rdn } from './dn.js';
import { changeEntry, Dit, organisationEntry, personEntry, Selection, serviceEntry, type Entry } from './entries.js';
import { matchEntry, toFilter } from './filter.js';
import { OID, Result, type Control, type LdapFilter, type Request } from './protocol.js';
import { objectClasses, subschemaAttributes } from './schema.js';

export interface SearchEnv {
  database: Database;
  /** Entries remembered between searches (the directory's entry cache). */
  entries: EntryRows;
  dit: Dit;
  actor: Actor | null;
  anonymous: boolean;
  sizeCap: number;
  vendorVersion: string;
  /** This connection, unguessable: a paged-results cookie is honoured on the connection it was given on only. */
  connection: string;
}

/** Hands one entry, with the attributes the search asked for, to the connection. */
export type Send = (entry: Entry, selection: Selection) => Promise<void>;

export interface SearchOutcome {
  code: number;
  diagnostic?: string;
  matchedDN?: string;
  controls?: Control[];
}

type SearchRequest = Extract<Request, { op: 'search' }>;
type PeopleSource = { people: Omit<PeopleQuery, 'filter' | 'visibility' | 'limit'>; book?: 'own' | string };
type Source =
  | { fixed: Entry }
  | PeopleSource
  | { orgs: { code?: string } }
  | { bookOus: { code?: string } }
  | { services: { name?: string } }
  | { changes: { seq?: number; orgs?: string[] } };

class LdapError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly matchedDN = '',
  ) {
    super(message);
  }
}

const container = (dn: string, ou: string): Entry => ({
  dn,
  attrs: [
    ['objectClass', objectClasses.container],
    ['ou', [ou]],
  ],
});
const containers = ['People', 'Mailboxes', 'Organisations', 'AddressBooks', 'Services'] as const;

// ---- where the base points, and which sources a scope covers ----

function plan(env: SearchEnv, base: Rdn[], scope: 0 | 1 | 2): Source[] {
  const suffix = parseDn(env.dit.suffix);
  const s = env.dit.suffix;
  if (!endsWith(base, suffix)) throw new LdapError(Result.noSuchObject, `${rdnString(base)} is not in this directory`);
  const rel = base
    .slice(0, base.length - suffix.length)
    .map((r) => ({ type: r.type, value: r.value, lower: r.value.toLowerCase() }));
  const root: Entry = {
    dn: s,
    attrs: [
      ['objectClass', objectClasses.root],
      ...suffix.slice(0, 1).map((r): [string, string[]] => [r.type, [r.value]]),
    ],
  };
  const conts = containers.map((c) => ({ fixed: container(`ou=${c},${s}`, c) }));
  const under = (self: Source, children: Source[]): Source[] =>
    scope === 0 ? [self] : scope === 1 ? children : [self, ...children];
  const leaf = (source: Source): Source[] => (scope === 1 ? [] : [source]);
  const at = (i: number, type: string) => rel[i]?.type === type;

  if (rel.length === 0) {
    return under(
      { fixed: root },
      scope === 1 ? conts : [...conts, { people: {} }, { orgs: {} }, { bookOus: {} }, { services: {} }],
    );
  }
  const top = rel[rel.length - 1];
  if (top.type !== 'ou') throw new LdapError(Result.noSuchObject, `no entry ${rdnString(base)}`, s);
  const name = containers.find((c) => c.toLowerCase() === top.lower);
  if (!name) throw new LdapError(Result.noSuchObject, `no entry ${rdnString(base)}`, s);
  const cont = { fixed: container(`ou=${name},${s}`, name) };
  const matched = `ou=${name},${s}`;
  const kind = name === 'People' ? 'person' : 'mailbox';
  switch (rel.length === 1 ? name : `${name}/${rel.length}`) {
    case 'People':
    case 'Mailboxes':
      return under(cont, [{ people: { kind } }]);
    case 'People/2':
    case 'Mailboxes/2':
      if (!at(0, 'uid')) break;
      return leaf({ people: { kind, uid: rel[0].lower } });
    case 'Organisations':
      return under(cont, [{ orgs: {} }]);
    case 'Organisations/2':
      if (!at(0, 'nhsorgcode')) break;
      return leaf({ orgs: { code: rel[0].value } });
    case 'Services':
      return under(cont, [{ services: {} }]);
    case 'Services/2':
      if (!at(0, 'cn')) break;
      return leaf({ services: { name: rel[0].value } });
    case 'AddressBooks':
      return under(
        cont,
        scope === 1 ? [{ bookOus: {} }] : [{ bookOus: {} }, { people: { listedOnly: true }, book: 'own' }],
      );
    case 'AddressBooks/2': {
      if (!at(0, 'ou')) break;
      const code = rel[0].value.toUpperCase();
      return under({ bookOus: { code } }, [{ people: { orgCode: code, listedOnly: true }, book: code }]);
    }
    case 'AddressBooks/3': {
      if (!at(0, 'uid') || !at(1, 'ou')) break;
      const code = rel[1].value.toUpperCase();
      return leaf({ people: { orgCode: code, listedOnly: true, uid: rel[0].lower }, book: code });
    }
  }
  throw new LdapError(Result.noSuchObject, `no entry ${rdnString(base)}`, matched);
}

const seesServices = (actor: Actor | null) => actor !== null && (actor.kind === 'service' || isAdmin(actor));

const rdnString = (rdns: Rdn[]) => rdns.map((r) => `${r.type}=${r.value}`).join(',');

// ---- controls ----

interface Paging {
  size: number;
  cookie: Buffer | null;
}
interface Cursor {
  s: number;
  id?: number;
  key?: string;
  code?: string;
  seq?: number;
}
interface Sorting {
  key: SortKey;
  reverse: boolean;
  critical: boolean;
  supported: boolean;
  attr: string;
}
interface Vlv {
  before: number;
  after: number;
  offset?: number;
  count?: number;
  gte?: string;
  context?: Buffer;
}

const sortKeys: Record<string, SortKey> = {
  cn: 'cn',
  sn: 'sn',
  givenname: 'givenName',
  mail: 'mail',
  displayname: 'displayName',
};

/** RFC 4511 section 4.1.1: the largest INTEGER (0 .. maxInt) a counter in a request may hold. */
const MAX_INT = 2147483647;
const inIntRange = (n: number | undefined) => n === undefined || (n >= 0 && n <= MAX_INT);

function readPaging(c: Control): Paging {
  const r = new BerReader(c.value ?? Buffer.alloc(0)).read(0x30).body;
  const size = r.int();
  const raw = r.bytes(0x04);
  // RFC 2696 section 2: size INTEGER (0..maxInt).
  if (!inIntRange(size)) throw new LdapError(Result.protocolError, `a page size is an integer from 0 to ${MAX_INT}`);
  return { size, cookie: raw.length ? raw : null };
}

function readSort(c: Control): Sorting {
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
  return { key: key ?? 'cn', reverse, critical: c.critical, supported: Boolean(key) && list.done, attr };
}

function readVlv(c: Control): Vlv {
  const r = new BerReader(c.value ?? Buffer.alloc(0)).read(0x30).body;
  const before = r.int();
  const after = r.int();
  const t = r.peekTag();
  const vlv: Vlv = { before, after };
  if (t === 0xa0) {
    const b = r.read(0xa0).body;
    vlv.offset = b.int();
    vlv.count = b.int();
  } else {
    vlv.gte = r.string(0x81);
  }
  if (!r.done) vlv.context = r.bytes(0x04);
  return vlv;
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
function cookieScope(env: SearchEnv, req: SearchRequest, sort: { key: SortKey; reverse: boolean } | undefined): string {
  const caller = env.actor ? `${env.actor.kind}:${env.actor.personId ?? env.actor.name}` : 'anonymous';
  // JSON escapes control characters, so the NUL that ends the scope below cannot occur inside it.
  const search = [req.base, req.scope, req.filter, req.attributes, req.typesOnly, sort ?? null];
  return JSON.stringify([env.connection, caller, ...search]);
}

const cookieMac = (scope: string, body: Buffer) =>
  createHmac('sha256', cookieKey).update(scope).update('\0').update(body).digest().subarray(0, MAC_BYTES);

function sealCursor(cursor: Cursor, scope: string): Buffer {
  const body = Buffer.from(JSON.stringify(cursor));
  return Buffer.concat([cookieMac(scope, body), body]);
}

/** The cursor in a cookie this server gave for this search, connection and caller; null for any other. */
function openCursor(cookie: Buffer, scope: string, sources: number): Cursor | null {
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
  return isCursor(c, sources) ? c : null;
}

function isCursor(c: unknown, sources: number): c is Cursor {
  if (typeof c !== 'object' || c === null) return false;
  const { s, id, key, code, seq } = c as Record<string, unknown>;
  const count = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  const optional = (v: unknown, ok: (x: unknown) => boolean) => v === undefined || ok(v);
  const text = (v: unknown) => typeof v === 'string';
  return (
    count(s) &&
    (s as number) < sources &&
    optional(id, count) &&
    optional(seq, count) &&
    optional(key, text) &&
    optional(code, text)
  );
}

const sortResponse = (code: number, attr?: string): Control => ({
  oid: OID.sortResponse,
  critical: false,
  value: seq(0x30, [enumerated(code), ...(attr ? [str(attr, 0x80)] : [])]),
});
const pagedResponse = (cookie: Buffer | null): Control => ({
  oid: OID.paged,
  critical: false,
  value: seq(0x30, [int(0), str(cookie ?? Buffer.alloc(0))]),
});

// ---- assertion values no entry can match ----

const NUL = '\u0000';

/**
 * The filter with every item whose value holds a NUL made Undefined: no stored value has one, and
 * PostgreSQL could not even compare it. RFC 4511 section 4.5.1.7: an assertion value not valid for
 * the attribute's syntax makes the item Undefined, not the search an error. An extensible match is
 * the one item that is always Undefined here (no matching rules are offered), so it stands in.
 */
function withoutNul(f: LdapFilter): LdapFilter {
  switch (f.type) {
    case 'and':
    case 'or':
      return { type: f.type, filters: f.filters.map(withoutNul) };
    case 'not':
      return { type: 'not', filter: withoutNul(f.filter) };
    case 'present':
    case 'ext':
      return f;
    case 'sub':
      return [f.initial, ...f.any, f.final].some((v) => v?.includes(NUL)) ? undefinedItem : f;
    default:
      return f.value.includes(NUL) ? undefinedItem : f;
  }
}

const undefinedItem: LdapFilter = { type: 'ext', value: '', dnAttributes: false };

// ---- the special entries ----

async function rootDse(env: SearchEnv): Promise<Entry> {
  const { first, last } = await changeBounds(env.database);
  return {
    dn: '',
    attrs: [
      ['objectClass', ['top', 'extensibleObject']],
      ['namingContexts', [env.dit.suffix]],
      ['supportedLDAPVersion', ['3']],
      ['supportedControl', [OID.paged, OID.sort, OID.vlv]],
      ['supportedExtension', [OID.startTls, OID.whoAmI, OID.passwordModify]],
      ['supportedSASLMechanisms', []],
      ['subschemaSubentry', ['cn=Subschema']],
      ['vendorName', ['nhs-directory']],
      ['vendorVersion', [env.vendorVersion]],
      ['changelog', ['cn=changelog']],
      ['firstChangeNumber', [String(first)]],
      ['lastChangeNumber', [String(last)]],
    ].filter(([, v]) => v.length) as Entry['attrs'],
  };
}

const subschema: Entry = { dn: 'cn=Subschema', attrs: Object.entries(subschemaAttributes) };

/** The rootDSE lists everything when asked for nothing in particular, as clients expect. */
class RootSelection extends Selection {
  override wants(name: string): boolean {
    return super.wants(name) || this.operational || this.all;
  }
}

// ---- running it ----

export async function search(
  env: SearchEnv,
  req: SearchRequest,
  controls: Control[],
  send: Send,
  abandoned: () => boolean,
): Promise<SearchOutcome> {
  try {
    // No name here holds a NUL (the core refuses control characters) and PostgreSQL's text cannot.
    if (req.base.includes(NUL)) return { code: Result.noSuchObject, diagnostic: 'no entry has a NUL in its name' };
    return await run(env, { ...req, filter: withoutNul(req.filter) }, controls, send, abandoned);
  } catch (err) {
    if (err instanceof LdapError) return { code: err.code, diagnostic: err.message, matchedDN: err.matchedDN };
    throw err;
  }
}

async function run(
  env: SearchEnv,
  req: SearchRequest,
  controls: Control[],
  send: Send,
  abandoned: () => boolean,
): Promise<SearchOutcome> {
  const started = Date.now();
  let base: Rdn[];
  try {
    base = parseDn(req.base);
  } catch (e) {
    return { code: Result.invalidDNSyntax, diagnostic: (e as Error).message };
  }
  const selection = new Selection(req.attributes, req.typesOnly);
  const sendEntry = (e: Entry, sel: Selection = selection) => send(e, sel);

  // rootDSE and subschema: readable by anyone (RFC 4512 section 5.1).
  if (base.length === 0 && req.scope === 0) {
    const e = await rootDse(env);
    if (matchEntry(req.filter, Object.fromEntries(e.attrs)) === true)
      await sendEntry(e, new RootSelection(req.attributes, req.typesOnly));
    return { code: Result.success };
  }
  if (base.length === 1 && base[0].type === 'cn' && base[0].value.toLowerCase() === 'subschema') {
    if (req.scope !== 1 && matchEntry(req.filter, Object.fromEntries(subschema.attrs)) === true)
      await sendEntry(subschema, new RootSelection(req.attributes, req.typesOnly));
    return { code: Result.success };
  }
  if (!env.actor && !env.anonymous)
    return { code: Result.insufficientAccessRights, diagnostic: 'bind first: anonymous searches are not allowed' };
  if (base.length === 0) base = parseDn(env.dit.suffix); // one/sub from "" search the directory

  for (const c of controls) {
    if (c.critical && ![OID.paged, OID.sort, OID.vlv].includes(c.oid as never))
      return { code: Result.unavailableCriticalExtension, diagnostic: `control ${c.oid} is not supported` };
  }
  const pagingControl = controls.find((c) => c.oid === OID.paged);
  const sortControl = controls.find((c) => c.oid === OID.sort);
  const vlvControl = controls.find((c) => c.oid === OID.vlv);
  const paging = pagingControl ? readPaging(pagingControl) : null;
  const sorting = sortControl ? readSort(sortControl) : null;
  const responseControls: Control[] = [];
  if (sorting && !sorting.supported) {
    if (sorting.critical)
      return {
        code: Result.unavailableCriticalExtension,
        diagnostic: `cannot sort on ${sorting.attr}`,
        controls: [sortResponse(53, sorting.attr)],
      };
    responseControls.push(sortResponse(53, sorting.attr));
  } else if (sorting) {
    responseControls.push(sortResponse(0));
  }
  const sort = sorting?.supported ? { key: sorting.key, reverse: sorting.reverse } : undefined;
  const visibility: Visibility = {
    all: env.actor ? isNational(env.actor) : false,
    adminOf: env.actor ? [...env.actor.adminOf] : [],
  };

  const isChangelog = endsWith(base, [{ type: 'cn', value: 'changelog' }]);
  let sources: Source[];
  if (isChangelog) {
    // Who reads which changes is the core's rule, the same as the REST change feed's.
    const scope =
      env.actor && (isAdmin(env.actor) || env.actor.kind === 'service' || env.actor.roles.has('auditor'))
        ? changeScope(env.actor)
        : null;
    if (!scope)
      return {
        code: Result.insufficientAccessRights,
        diagnostic: 'the change log is for administrators, auditors and service accounts',
      };
    const orgs = 'orgs' in scope ? scope.orgs : undefined;
    const rel = base.slice(0, -1);
    const cl = {
      fixed: {
        dn: 'cn=changelog',
        attrs: [
          ['objectClass', ['top', 'nsContainer']],
          ['cn', ['changelog']],
        ],
      } as Entry,
    };
    if (rel.length === 0)
      sources = req.scope === 0 ? [cl] : req.scope === 1 ? [{ changes: { orgs } }] : [cl, { changes: { orgs } }];
    else if (rel.length === 1 && rel[0].type === 'changenumber' && /^\d+$/.test(rel[0].value))
      sources = req.scope === 1 ? [] : [{ changes: { seq: Number(rel[0].value), orgs } }];
    else return { code: Result.noSuchObject, diagnostic: 'no such change', matchedDN: 'cn=changelog' };
  } else {
    sources = plan(env, base, req.scope);
  }

  // RFC 2891: entries without the sort key (root, containers, organisations) follow the sorted ones.
  if (sort) sources = [...sources.filter((x) => 'people' in x), ...sources.filter((x) => !('people' in x))];

  // VLV: a window of the sorted people and mailboxes (Outlook's browsing).
  if (vlvControl) {
    if (!sort) {
      const controls = [...responseControls, vlvResponse(0, 0, Result.sortControlMissing)];
      return { code: Result.unwillingToPerform, diagnostic: 'VLV needs the sort control', controls };
    }
    const source = sources.find((x): x is PeopleSource => 'people' in x);
    const vlv = readVlv(vlvControl);
    // draft-ietf-ldapext-ldapv3-vlv-09 section 6.1: every count is INTEGER (0 .. maxInt).
    if (![vlv.before, vlv.after, vlv.offset, vlv.count].every(inIntRange)) {
      const diagnostic = `VLV before, after, offset and count are integers from 0 to ${MAX_INT}`;
      const controls = [...responseControls, vlvResponse(0, 0, Result.protocolError)];
      return { code: Result.protocolError, diagnostic, controls };
    }
    const query: PeopleQuery = {
      ...(source?.people ?? {}),
      filter: source ? toFilter(req.filter, 'people') : { const: false },
      visibility,
      sort,
      limit: 0,
    };
    const total = source ? await countPeople(env.database, query) : 0;
    let position: number;
    if (vlv.gte !== undefined) position = (await countPeople(env.database, query, vlv.gte)) + 1;
    else if (!vlv.count) position = vlv.offset ?? 1;
    else
      position =
        vlv.offset! >= vlv.count
          ? total
          : Math.max(1, Math.round(((vlv.offset! - 1) * total) / Math.max(1, vlv.count - 1)) + 1);
    position = Math.min(Math.max(position, 1), total + 1);
    const start = Math.max(1, position - vlv.before);
    const size = Math.min(position - start + vlv.after + 1, env.sizeCap);
    if (source && total > 0) {
      for (const row of await searchPeople(env.database, { ...query, offset: start - 1, limit: size }, env.entries)) {
        if (abandoned()) return { code: -1 };
        await sendEntry(personEntry(env.dit, row, source.book === 'own' ? (row.org_code ?? undefined) : source.book));
      }
    }
    return {
      code: Result.success,
      controls: [...responseControls, vlvResponse(Math.min(position, total), total, 0, vlv.context)],
    };
  }

  // RFC 2696: a page size of zero ends a paged search.
  if (paging && paging.size === 0)
    return { code: Result.success, controls: [...responseControls, pagedResponse(null)] };
  const pageSize = paging ? Math.min(paging.size > 0 ? paging.size : env.sizeCap, env.sizeCap) : 0;
  const limit = paging ? pageSize : Math.min(req.sizeLimit || env.sizeCap, env.sizeCap);
  const scope = paging ? cookieScope(env, req, sort) : '';
  let cursor: Cursor = { s: 0 };
  if (paging?.cookie) {
    const opened = openCursor(paging.cookie, scope, sources.length);
    const diagnostic = 'the paged results cookie was not given for this search on this connection';
    if (!opened) return { code: Result.unwillingToPerform, diagnostic, controls: responseControls };
    cursor = opened;
  }
  const page = (next: Cursor | null) => pagedResponse(next && sealCursor(next, scope));
  let sent = 0;
  const timeUp = () => req.timeLimit > 0 && Date.now() - started > req.timeLimit * 1000;

  for (let i = cursor.s; i < sources.length; i++) {
    if (abandoned()) return { code: -1 };
    if (timeUp()) return { code: Result.timeLimitExceeded, controls: responseControls };
    const room = limit - sent;
    const from = i === cursor.s ? cursor : { s: i };
    const src = sources[i];
    let entries: Entry[] = [];
    let next: Cursor | null = null;
    if ('fixed' in src) {
      if (matchEntry(req.filter, Object.fromEntries(src.fixed.attrs)) === true) entries = [src.fixed];
    } else if ('people' in src) {
      const filter = toFilter(req.filter, 'people');
      const rows = never(filter)
        ? []
        : await searchPeople(
            env.database,
            {
              ...src.people,
              filter,
              visibility,
              sort,
              after: from.id !== undefined ? { id: from.id, key: from.key } : undefined,
              paged: Boolean(paging),
              limit: room + 1,
            },
            env.entries,
          );
      entries = rows.map((r) => personEntry(env.dit, r, src.book === 'own' ? (r.org_code ?? undefined) : src.book));
      if (rows.length > room && room > 0) {
        const last = rows[room - 1];
        next = { s: i, id: last.id, key: sort ? sortValue(last, sort.key) : undefined };
      }
    } else if ('orgs' in src || 'bookOus' in src) {
      const isBook = 'bookOus' in src;
      const code = isBook ? src.bookOus.code : src.orgs.code;
      const filter = toFilter(req.filter, isBook ? 'bookOu' : 'organisation');
      const rows = never(filter)
        ? []
        : await searchOrganisations(env.database, filter, { code, afterCode: from.code, limit: room + 1 });
      entries = rows.map((r) =>
        isBook ? container(`ou=${r.code},ou=AddressBooks,${env.dit.suffix}`, r.code) : organisationEntry(env.dit, r),
      );
      if (rows.length > room && room > 0) next = { s: i, code: rows[room - 1].code };
    } else if ('services' in src) {
      // Service accounts are listed for administrators and other service accounts only.
      const filter = toFilter(req.filter, 'service');
      const rows =
        never(filter) || !seesServices(env.actor)
          ? []
          : await searchServices(env.database, filter, {
              name: src.services.name,
              afterName: from.code,
              limit: room + 1,
            });
      entries = rows.map((r) => serviceEntry(env.dit, r));
      if (rows.length > room && room > 0) next = { s: i, code: rows[room - 1].name };
    } else {
      const filter = toFilter(req.filter, 'change');
      const rows = never(filter)
        ? []
        : await searchChanges(env.database, filter, {
            seq: src.changes.seq,
            afterSeq: from.seq,
            limit: room + 1,
            orgs: src.changes.orgs,
          });
      entries = rows.map((r) => changeEntry(env.dit, r));
      if (rows.length > room && room > 0) next = { s: i, seq: rows[room - 1].seq };
    }
    for (const e of entries.slice(0, Math.max(room, 0))) {
      if (abandoned()) return { code: -1 };
      await sendEntry(e);
      sent++;
    }
    if (entries.length > room) {
      if (paging) return { code: Result.success, controls: [...responseControls, page(next ?? { s: i })] };
      return {
        code: Result.sizeLimitExceeded,
        diagnostic: `more than ${limit} entries match`,
        controls: responseControls,
      };
    }
  }
  if (sent === 0 && !paging?.cookie) await mustExist(env, sources, visibility, base);
  if (paging) responseControls.push(page(null));
  return { code: Result.success, controls: responseControls };
}

/** A base search on an entry that is not there (or not visible) is noSuchObject, not an empty success. */
async function mustExist(env: SearchEnv, sources: Source[], visibility: Visibility, base: Rdn[]) {
  // Only a search whose one source is a single named entry can point at nothing.
  if (sources.length !== 1) return;
  const [leaf] = sources;
  let found = true;
  if ('people' in leaf && leaf.people.uid)
    found = (await searchPeople(env.database, { ...leaf.people, filter: TRUE, visibility, limit: 1 })).length > 0;
  else if ('orgs' in leaf && leaf.orgs.code)
    found = (await searchOrganisations(env.database, TRUE, { code: leaf.orgs.code, limit: 1 })).length > 0;
  else if ('bookOus' in leaf && leaf.bookOus.code)
    found = (await searchOrganisations(env.database, TRUE, { code: leaf.bookOus.code, limit: 1 })).length > 0;
  else if ('services' in leaf && leaf.services.name)
    found =
      seesServices(env.actor) &&
      (await searchServices(env.database, TRUE, { name: leaf.services.name, limit: 1 })).length > 0;
  else if ('changes' in leaf && leaf.changes.seq !== undefined)
    found =
      (await searchChanges(env.database, TRUE, { seq: leaf.changes.seq, limit: 1, orgs: leaf.changes.orgs })).length >
      0;
  if (!found) throw new LdapError(Result.noSuchObject, `no entry ${rdnString(base)}`, rdnString(base.slice(1)));
}

function sortValue(
  row: { cn: string; family_name: string; given_name: string | null; mail: string; display_name: string },
  key: SortKey,
): string {
  const v = {
    cn: row.cn,
    sn: row.family_name,
    givenName: row.given_name ?? '',
    mail: row.mail,
    displayName: row.display_name,
  }[key];
  return v.toLowerCase();
}

function vlvResponse(position: number, count: number, code: number, context?: Buffer): Control {
  return {
    oid: OID.vlvResponse,
    critical: false,
    value: seq(0x30, [int(position), int(count), enumerated(code), ...(context ? [str(context)] : [])]),
  };
}

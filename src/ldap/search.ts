// The search operation: the base and scope become a plan (plan.ts), the controls are read
// (controls.ts), and the plan's steps are read from the core (src/directory/reads.ts, with the
// caller's visibility ANDed in there) and streamed under the size limit, a page or a VLV window.
import type { Actor } from '../directory/actor.js';
import type { Reads } from '../directory/reads.js';
import { never, TRUE } from '../model/filter.js';
import {
  cookieScope,
  openCursor,
  pagedResponse,
  readControls,
  sealCursor,
  vlvPosition,
  vlvResponse,
  VlvResult,
  type Cursor,
  type SearchControls,
  type Sort,
  type Vlv,
} from './controls.js';
import { parseDn, type Rdn } from './dn.js';
import { ABANDONED, LdapError, type Abandoned } from './errors.js';
import { matchEntry, toFilter } from './filter.js';
import {
  changeEntry,
  organisationEntry,
  personEntry,
  Selection,
  serviceEntry,
  type Dit,
  type Entry,
} from './mapping.js';
import {
  container,
  inChangeLog,
  planChangeLog,
  planDirectory,
  rdnString,
  type PeoplePlan,
  type SearchPlan,
} from './plan.js';
import { OID, Result, type Control, type LdapFilter, type Request } from './protocol.js';
import { subschemaAttributes } from './schema.js';

export interface SearchEnv {
  /** The core's reads: every query is narrowed there to what `actor` may see. */
  reads: Pick<Reads, 'searchPeople' | 'countPeople' | 'searchOrganisations' | 'searchServices' | 'searchChanges'> &
    Pick<Reads, 'changeBounds' | 'requireChangeLog'>;
  dit: Dit;
  actor: Actor | null;
  anonymous: boolean;
  sizeCap: number;
  vendorVersion: string;
  /** This connection, unguessable: a paged-results cookie is honoured on the connection it was given on only. */
  connection: string;
  /** Whether StartTLS would succeed here (a certificate, not yet TLS): only then is it advertised. */
  startTls: boolean;
  /** The change number the operation may read memory up to (the directory's `current`), if asked. */
  said?: number;
}

/**
 * Hands one entry, with the attributes the search asked for, to the connection: undefined when it
 * was taken at once (nearly always: entries are gathered into one write), or a promise to wait for.
 */
export type Send = (entry: Entry, selection: Selection) => Promise<void> | undefined;

export interface SearchOutcome {
  code: number;
  diagnostic?: string;
  matchedDN?: string;
  controls?: Control[];
  /**
   * A read still running after the client's time limit was answered: the connection takes its next
   * operation once it ends, so that one client cannot start statement after statement.
   */
  settling?: Promise<unknown>;
}

type SearchRequest = Extract<Request, { op: 'search' }>;

/** One search as it runs: the request, what it sends with, and where it stands. */
interface Run {
  env: SearchEnv;
  req: SearchRequest;
  send: (e: Entry) => Promise<void> | undefined;
  /** Aborted when the operation is abandoned or its connection closes, or its time limit has passed. */
  op: AbortController;
  /** When the client's time limit ends (ms since the epoch; Infinity without one). */
  deadline: number;
}

/**
 * A search's result, or ABANDONED (no response at all); refusals are thrown as LdapError. `op` is
 * aborted by the connection when the search is abandoned or the client goes, and by the search
 * itself at the client's time limit: a read still waiting for its turn then never runs.
 */
export async function search(
  env: SearchEnv,
  req: SearchRequest,
  controls: Control[],
  send: Send,
  op: AbortController,
): Promise<SearchOutcome | Abandoned> {
  // No name here holds a NUL (the core refuses control characters) and PostgreSQL's text cannot.
  if (req.base.includes(NUL)) throw new LdapError(Result.noSuchObject, 'no entry has a NUL in its name');
  req = { ...req, filter: withoutNul(req.filter) };
  const parts = filterParts(req.filter);
  if (parts > MAX_FILTER_PARTS)
    throw new LdapError(
      Result.adminLimitExceeded,
      `the filter has ${parts} parts; at most ${MAX_FILTER_PARTS} are answered`,
    );
  let base: Rdn[];
  try {
    base = parseDn(req.base);
  } catch (e) {
    throw new LdapError(Result.invalidDNSyntax, (e as Error).message);
  }
  const special = await specialEntry(env, req, base, send);
  if (special) return special;
  if (!env.actor && !env.anonymous)
    throw new LdapError(Result.insufficientAccessRights, 'bind first: anonymous searches are not allowed');
  if (base.length === 0) base = parseDn(env.dit.suffix); // one/sub from "" search the directory

  const ctl = readControls(controls);
  let plan: SearchPlan[];
  if (inChangeLog(base)) {
    env.reads.requireChangeLog(env.actor); // the core's rule, the same as the REST change feed's
    plan = planChangeLog(base, req.scope);
  } else plan = planDirectory(env.dit, base, req.scope);
  // RFC 2891: entries without the sort key (root, containers, organisations) follow the sorted ones.
  if (ctl.sort) plan = [...plan.filter((x) => 'people' in x), ...plan.filter((x) => !('people' in x))];

  const selection = new Selection(req.attributes, req.typesOnly);
  const deadline = req.timeLimit > 0 ? Date.now() + req.timeLimit * 1000 : Infinity;
  const run: Run = { env, req, send: (e) => send(e, selection), op, deadline };
  if (ctl.vlv) return vlvWindow(run, plan, ctl, ctl.vlv);
  return stream(run, plan, ctl, base);
}

/** rootDSE and subschema, readable by anyone (RFC 4512 section 5.1); null for any other base. */
async function specialEntry(env: SearchEnv, req: SearchRequest, base: Rdn[], send: Send) {
  const subschemaBase = base.length === 1 && base[0].type === 'cn' && base[0].value.toLowerCase() === 'subschema';
  if (!(base.length === 0 && req.scope === 0) && !subschemaBase) return null;
  const e = subschemaBase ? subschema : await rootDse(env);
  if (!(subschemaBase && req.scope === 1) && matchEntry(req.filter, Object.fromEntries(e.attrs)) === true)
    await send(e, new RootSelection(req.attributes, req.typesOnly));
  return { code: Result.success };
}

/** VLV: a window of the sorted people and mailboxes (Outlook's browsing). */
async function vlvWindow(run: Run, plan: SearchPlan[], ctl: SearchControls, vlv: Vlv) {
  const reading = vlvRows(run, plan, ctl, vlv);
  const window = await inTime(reading, run.deadline);
  if (window === LATE) return late(run, reading, ctl.response);
  for (const entry of window.entries) {
    if (run.op.signal.aborted) return ABANDONED;
    await run.send(entry);
  }
  return { code: Result.success, controls: [...ctl.response, window.response] };
}

/** A VLV window's entries and its response control. */
async function vlvRows(run: Run, plan: SearchPlan[], ctl: SearchControls, vlv: Vlv) {
  const { env, req } = run;
  const step = plan.find((x): x is PeoplePlan => 'people' in x);
  const query = {
    ...(step?.people ?? {}),
    filter: step ? toFilter(req.filter, 'people') : { const: false as const },
    sort: ctl.sort,
    limit: 0,
  };
  const { signal } = run.op;
  const total = step ? await env.reads.countPeople(env.actor, query, undefined, signal) : 0;
  const rank = vlv.gte !== undefined ? await env.reads.countPeople(env.actor, query, vlv.gte, signal) : undefined;
  const position = vlvPosition(vlv, total, rank);
  const start = Math.max(1, position - vlv.before);
  const size = Math.min(position - start + vlv.after + 1, env.sizeCap);
  const rows =
    step && total > 0
      ? await env.reads.searchPeople(env.actor, { ...query, offset: start - 1, limit: size }, signal, env.said)
      : [];
  const book = step?.book;
  const entries = rows.map((row) => personEntry(env.dit, row, book === 'own' ? (row.org_code ?? undefined) : book));
  return { entries, response: vlvResponse(Math.min(position, total), total, VlvResult.success, vlv.context) };
}

/** Every step of the plan in turn, under the size limit or a page. */
async function stream(
  run: Run,
  plan: SearchPlan[],
  ctl: SearchControls,
  base: Rdn[],
): Promise<SearchOutcome | Abandoned> {
  const { env, req } = run;
  const { paging, response } = ctl;
  // RFC 2696: a page size of zero ends a paged search.
  if (paging?.size === 0) return { code: Result.success, controls: [...response, pagedResponse(null)] };
  const limit = paging
    ? Math.min(paging.size > 0 ? paging.size : env.sizeCap, env.sizeCap)
    : Math.min(req.sizeLimit || env.sizeCap, env.sizeCap);
  const scope = paging ? pagingScope(env, req, ctl.sort) : '';
  const cursor = paging?.cookie ? openCursor(paging.cookie, scope, plan.length) : { s: 0 };
  if (!cursor)
    throw new LdapError(
      Result.unwillingToPerform,
      'the paged results cookie was not given for this search on this connection',
      '',
      response,
    );
  let sent = 0;
  for (let i = cursor.s; i < plan.length; i++) {
    if (run.op.signal.aborted) return ABANDONED;
    const room = limit - sent;
    const reading = readStep(run, plan[i], i, i === cursor.s ? cursor : { s: i }, room, ctl);
    const read = await inTime(reading, run.deadline);
    if (read === LATE) return late(run, reading, response);
    const { entries, next } = read;
    const shown = Math.min(entries.length, Math.max(room, 0));
    for (let k = 0; k < shown; k++) {
      if (run.op.signal.aborted) return ABANDONED;
      const waiting = run.send(entries[k]);
      if (waiting) await waiting;
    }
    sent += shown;
    if (entries.length > room) {
      if (paging)
        return { code: Result.success, controls: [...response, pagedResponse(sealCursor(next ?? { s: i }, scope))] };
      return { code: Result.sizeLimitExceeded, diagnostic: `more than ${limit} entries match`, controls: response };
    }
  }
  if (sent === 0 && !paging?.cookie) await mustExist(env, plan, base);
  return { code: Result.success, controls: paging ? [...response, pagedResponse(null)] : response };
}

const LATE = Symbol('late');

/**
 * `read`'s answer, or LATE once the client's time limit has passed: the client is answered then
 * (timeLimitExceeded, RFC 4511 section 4.5.1.5), and the statement still running ends at the
 * server's own limit. Only reads are raced, so no entry is ever sent after the result.
 */
async function inTime<T>(read: Promise<T>, deadline: number): Promise<T | typeof LATE> {
  if (deadline === Infinity) return read;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => (timer = setTimeout(resolve, deadline - Date.now(), LATE)));
  try {
    return await Promise.race([read, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The client's time limit has passed: answered now, and a read still waiting for its turn leaves
 * the queue; one already running ends at the server's limit, and the connection waits for it.
 */
function late(run: Run, reading: Promise<unknown>, controls: Control[]): SearchOutcome {
  run.op.abort();
  return { code: Result.timeLimitExceeded, controls, settling: reading.catch(() => {}) };
}

/** What makes a paged search "the same search" (RFC 2696 section 3), with who asks and where. */
function pagingScope(env: SearchEnv, req: SearchRequest, sort: Sort | undefined): string {
  const caller = env.actor ? `${env.actor.kind}:${env.actor.personId ?? env.actor.name}` : 'anonymous';
  const search = [req.base, req.scope, req.filter, req.attributes, req.typesOnly, sort ?? null];
  return cookieScope(env.connection, caller, search);
}

/** Up to `room` + 1 entries of one plan step (one more says there are more), and where a next page starts. */
async function readStep(
  run: Run,
  step: SearchPlan,
  i: number,
  from: Cursor,
  room: number,
  ctl: SearchControls,
): Promise<{ entries: Entry[]; next: Cursor | null }> {
  const { env, req } = run;
  const limit = room + 1;
  const more = <R>(rows: R[], cursor: (last: R) => Cursor) =>
    rows.length > room && room > 0 ? cursor(rows[room - 1]) : null;
  if ('fixed' in step) {
    const matches = matchEntry(req.filter, Object.fromEntries(step.fixed.attrs)) === true;
    return { entries: matches ? [step.fixed] : [], next: null };
  }
  if ('people' in step) {
    const filter = toFilter(req.filter, 'people');
    const after = from.id !== undefined ? { id: from.id, key: from.key } : undefined;
    const rows = never(filter)
      ? []
      : await env.reads.searchPeople(
          env.actor,
          { ...step.people, filter, sort: ctl.sort, after, paged: !!ctl.paging, limit },
          run.op.signal,
          env.said,
        );
    const book = step.book;
    const entries = rows.map((r) => personEntry(env.dit, r, book === 'own' ? (r.org_code ?? undefined) : book));
    const sort = ctl.sort;
    return { entries, next: more(rows, (r) => ({ s: i, id: r.id, key: sort ? sortValue(r, sort.key) : undefined })) };
  }
  if ('orgs' in step || 'bookOus' in step) {
    const isBook = 'bookOus' in step;
    const code = isBook ? step.bookOus.code : step.orgs.code;
    const filter = toFilter(req.filter, isBook ? 'bookOu' : 'organisation');
    const opts = { code, afterCode: from.code, limit };
    const rows = never(filter) ? [] : await env.reads.searchOrganisations(env.actor, filter, opts);
    const books = `ou=AddressBooks,${env.dit.suffix}`;
    const entries = rows.map((r) =>
      isBook ? container(`ou=${r.code},${books}`, r.code) : organisationEntry(env.dit, r),
    );
    return { entries, next: more(rows, (r) => ({ s: i, code: r.code })) };
  }
  if ('services' in step) {
    // Service accounts are listed for those the core lets see them (administrators, services).
    const filter = toFilter(req.filter, 'service');
    const opts = { name: step.services.name, afterName: from.code, limit };
    const rows = never(filter) ? [] : await env.reads.searchServices(env.actor, filter, opts);
    return { entries: rows.map((r) => serviceEntry(env.dit, r)), next: more(rows, (r) => ({ s: i, code: r.name })) };
  }
  const filter = toFilter(req.filter, 'change');
  const opts = { seq: step.changes.seq, afterSeq: from.seq, limit };
  const rows = never(filter) ? [] : await env.reads.searchChanges(env.actor, filter, opts);
  return { entries: rows.map((r) => changeEntry(env.dit, r)), next: more(rows, (r) => ({ s: i, seq: r.seq })) };
}

/** A base search on an entry that is not there (or not visible) is noSuchObject, not an empty success. */
async function mustExist(env: SearchEnv, plan: SearchPlan[], base: Rdn[]) {
  // Only a search whose one step is a single named entry can point at nothing.
  if (plan.length !== 1) return;
  const [leaf] = plan;
  const { reads, actor } = env;
  let found = true;
  if ('people' in leaf && leaf.people.uid)
    found = (await reads.searchPeople(actor, { ...leaf.people, filter: TRUE, limit: 1 })).length > 0;
  else if ('orgs' in leaf && leaf.orgs.code)
    found = (await reads.searchOrganisations(actor, TRUE, { code: leaf.orgs.code, limit: 1 })).length > 0;
  else if ('bookOus' in leaf && leaf.bookOus.code)
    found = (await reads.searchOrganisations(actor, TRUE, { code: leaf.bookOus.code, limit: 1 })).length > 0;
  else if ('services' in leaf && leaf.services.name)
    found = (await reads.searchServices(actor, TRUE, { name: leaf.services.name, limit: 1 })).length > 0;
  else if ('changes' in leaf && leaf.changes.seq !== undefined)
    found = (await reads.searchChanges(actor, TRUE, { seq: leaf.changes.seq, limit: 1 })).length > 0;
  if (!found) throw new LdapError(Result.noSuchObject, `no entry ${rdnString(base)}`, rdnString(base.slice(1)));
}

function sortValue(
  row: { cn: string; family_name: string; given_name: string | null; mail: string; display_name: string },
  key: Sort['key'],
): string {
  switch (key) {
    case 'cn':
      return row.cn.toLowerCase();
    case 'sn':
      return row.family_name.toLowerCase();
    case 'givenName':
      return (row.given_name ?? '').toLowerCase();
    case 'mail':
      return row.mail.toLowerCase();
    case 'displayName':
      return row.display_name.toLowerCase();
  }
}

/**
 * Parts a search's filter may hold. Mail clients send up to nine items in 14 parts (an empty
 * `(&)` counts, or a filter of 340,000 of them would hold the event loop); PostgreSQL's planning of an OR
 * grows faster than its items (measured at national size: 32 prefixes of mail 0.5 s, 128 15 s,
 * 2,000 77 s and 2 GB of one connection's memory), so a few wide filters could hold every search
 * connection. A filter of more is refused (adminLimitExceeded, as slapd answers its own limits).
 */
const MAX_FILTER_PARTS = 32;

/** The filter's parts: each item (equality, substrings, presence…) and each and, or and not, empty ones too. */
function filterParts(f: LdapFilter): number {
  if (f.type === 'and' || f.type === 'or') return f.filters.reduce((n, g) => n + filterParts(g), 1);
  return f.type === 'not' ? 1 + filterParts(f.filter) : 1;
}

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
  const { first, last } = await env.reads.changeBounds();
  return {
    dn: '',
    attrs: [
      ['objectClass', ['top', 'extensibleObject']],
      ['namingContexts', [env.dit.suffix]],
      ['supportedLDAPVersion', ['3']],
      ['supportedControl', [OID.paged, OID.sort, OID.vlv]],
      ['supportedExtension', [...(env.startTls ? [OID.startTls] : []), OID.whoAmI, OID.passwordModify]],
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

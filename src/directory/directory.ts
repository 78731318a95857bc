// The core as one object: each operation runs in its own transaction with the caller's Actor.
// Front ends call these; the sync engine composes the same functions inside one `run`.
import type { Database } from '../db/client.js';
import * as accounts from './accounts.service.js';
import { DatabaseUnavailable, fail } from './errors.js';
import type { EntryCache, FoundIds } from '../model/entry-cache.js';
import type { EntryRow } from '../model/rows.js';
import { announceChanges, everything, listAudit, listChanges, trackChanges } from './audit.js';
import type { Ctx, CoreSettings } from './context.js';
import * as mailboxes from './mailboxes.service.js';
import * as moves from './moves.service.js';
import * as orgs from './organisations.service.js';
import * as people from './people.service.js';
import { findView, getPerson, listPeople, visible } from './people.queries.js';
import { createHeard } from './heard.js';
import { createReadCache } from './read-cache.js';
import { createReads } from './reads.js';
import type { Actor } from './actor.js';
import * as quotas from './quotas.js';
import * as secure from './secure-domains.js';
import { createSignIn } from './sign-in.js';
import * as tokens from './tokens.service.js';
import { lockFeed, planForBulk } from './feed-lock.js';

/**
 * About what a cached row holds: the row's text, up to four LDAP encodings of it and its REST JSON
 * (each about as long as the text), and the objects around them.
 */
function entryBytes(row: EntryRow): number {
  let text = 0;
  for (const v of Object.values(row)) {
    if (typeof v === 'string') text += v.length;
    else if (Array.isArray(v)) for (const s of v) text += String(s).length;
  }
  return 1024 + 6 * text;
}

/**
 * What a value of the read cache shows: its own key (a token is evicted by it), the person or
 * service an actor or a token is for (a grant, a leaver, a new password), and a person view's uid
 * and organisation (a rename changes its organisation's name).
 */
function cachedTags(value: unknown, key: unknown): string[] {
  const v = value as Record<string, unknown>;
  const tags = [String(key)];
  const actor = (v.actor ?? v) as Partial<Actor>;
  if (actor.roles) tags.push(actor.kind === 'service' ? `service:${actor.name}` : `uid:${actor.name}`);
  else if (typeof v.uid === 'string') tags.push(`uid:${v.uid}`, `org:${v.orgCode}`);
  return tags;
}

/** The longest search kept by what it asked (mail clients' are under 2 KB). */
const MAX_KEPT_KEY = 4096;

export function createDirectory(database: Database, settings: CoreSettings, now: () => Date = () => new Date()) {
  // Embedded: this process is the only writer. PostgreSQL: only once watchChanges follows the others.
  const embedded = database.kind === 'pglite';
  const heard = createHeard(database.lastNotice);
  const cache = createReadCache(embedded, 50_000, cachedTags, undefined, heard.freshness);
  // Directory rows by id, what mail clients' searches (and REST's) return again and again.
  // Each row is tagged with what it shows (its uid, its organisation: a rename changes every row of it).
  const entryCache = createReadCache(
    embedded,
    settings.entryCacheSize ?? 100_000,
    (r) => {
      const row = r as EntryRow;
      return [`uid:${row.uid}`, `org:${row.org_code}`];
    },
    { bytes: (settings.entryCacheMb ?? 256) * 1024 * 1024, sizeOf: (r) => entryBytes(r as EntryRow) },
    heard.freshness,
  );
  // The ids each search found, by what it asked: a search asked again (a prefix typed again by
  // someone else) is answered without a statement. Tagged `attr:<attribute>` for what it reads;
  // a write says `search` when it may change who any search finds (audit.ts `tagsOf`).
  type Kept = FoundIds & { tags: string[]; bytes: number };
  const foundCache = createReadCache(
    embedded,
    20_000,
    (v) => (v as Kept).tags,
    { bytes: 32 * 1024 * 1024, sizeOf: (v) => (v as Kept).bytes },
    heard.freshness,
  );
  const entries: EntryCache = {
    ...entryCache,
    // A long key (a filter of many or long values) is not kept, as `built` keeps no long statement:
    // an attacker's pass pushed every other search out with 35 filters of 900 KB.
    found: (key, reads, load, said) =>
      key.length > MAX_KEPT_KEY
        ? load()
        : foundCache.read(
            key,
            async (): Promise<Kept> => {
              const found = await load();
              const tags = [...reads].map((a) => `attr:${a}`);
              return { ...found, tags, bytes: 200 + 2 * key.length + 8 * found.ids.length };
            },
            said,
          ),
  };
  // issue 15: a node started before its database could be reached serves nothing until start-up
  // (bootstrap.ts) has migrated it; front ends ask `checkAvailable` first, and /readyz says why.
  let waiting: string | undefined;
  const trust = (lost: boolean) => {
    if (lost) heard.lost();
    cache.setTrusted(!lost);
    entryCache.setTrusted(!lost);
    foundCache.setTrusted(!lost);
  };
  // After a write, here or in another process, the caches lose only what the write changed.
  // Without a list of what changed (`*`), everything goes.
  const changed = (what: Set<string> | '*') => {
    if (what === '*' || everything(what)) {
      cache.clear();
      entryCache.clear();
      foundCache.clear();
    } else {
      cache.evict(what);
      entryCache.evict(what);
      if (what.has('search')) foundCache.clear();
      else foundCache.evict(what);
    }
  };
  const run = async <R>(fn: (ctx: Ctx) => Promise<R>, cause?: string): Promise<R> => {
    let touched: Set<string> | undefined;
    try {
      return await database.db.transaction(async (tx) => {
        touched = trackChanges(tx);
        const result = await fn({ tx, settings, now, cause });
        await announceChanges(tx, touched);
        return result;
      });
    } finally {
      database.wrote?.(); // issue 15: reads from standbys wait until they have replayed this write
      changed(touched ?? '*'); // evicting what a failed write touched loses nothing
    }
  };
  const op =
    <A extends unknown[], R>(f: (ctx: Ctx, ...a: A) => Promise<R>) =>
    (...a: A) =>
      run((ctx) => f(ctx, ...a));
  // A write to a person answers the caller's view of them, read in the write's own transaction:
  // once it has committed nothing is left to fail, so an answer of "unavailable, try again" never
  // follows a write that was made (a retry would make it twice: a second joiner).
  const opViewing =
    <A extends unknown[]>(f: (ctx: Ctx, actor: Actor, ...a: A) => Promise<{ uid: string }>) =>
    (actor: Actor, ...a: A) =>
      run(async (ctx) => getPerson(ctx, actor, (await f(ctx, actor, ...a)).uid));
  // Reads need no transaction: one statement each, or a view where a moment's skew is harmless.
  // issue 15: `database.read` may answer from a hot standby that has replayed every write known here.
  const readCtx: Ctx = { tx: database.read, settings, now };
  const read =
    <A extends unknown[], R>(f: (ctx: Ctx, ...a: A) => Promise<R>) =>
    (...a: A) =>
      f(readCtx, ...a);
  // An actor as the directory has it now, from memory until the next write (sign-ins and LDAP's
  // per-operation check ask for it again and again).
  // `said`: a change number the caller's own statement saw (sign-in's look-up of the account).
  const currentActor = (who: { personId: number } | { service: string }, said?: number) =>
    cache.read(
      `actor:${'personId' in who ? `person:${who.personId}` : `service:${who.service}`}`,
      () => accounts.loadActor(readCtx, who),
      said,
    );
  // Sign-in writes only lockout counters, which nothing kept in memory holds: binds (every mail
  // client connection) leave the caches as they are.
  const authenticate = createSignIn(database, settings, now, currentActor);
  return {
    // Reads with the caller's visibility ANDed in (reads.ts): LDAP, export, /readyz.
    ...createReads(database, entries, () => waiting),
    /** Throws DatabaseUnavailable (REST 503, LDAP unavailable) while start-up waits for the database. */
    checkAvailable: (): void => {
      if (waiting !== undefined) throw new DatabaseUnavailable(waiting);
    },
    /** Start-up says why the directory cannot serve yet, and `undefined` once it can. */
    setWaiting: (why: string | undefined) => {
      waiting = why;
    },
    /** Which of these row ids the entry cache would have to read from the database (tests, diagnostics). */
    uncachedEntries: async (ids: number[]): Promise<number[]> => {
      const missing: number[] = [];
      await entryCache.readMany(
        ids,
        async (m: number[]) => {
          missing.push(...m);
          return new Map();
        },
        0, // as memory has them, heard of or not
      );
      return missing;
    },
    settings,
    now,
    run,
    authenticate,
    loadActor: read(accounts.loadActor),
    /**
     * The actor as the directory has it now: null once a leaver, deleted or gone, with today's
     * grants otherwise. From memory until the next write, so a front end can ask on every operation.
     * `said`: from `current`, asked at the operation's start.
     */
    currentActor: (actor: Actor, said?: number): Promise<Actor | null> => {
      if (actor.kind === 'system') return Promise.resolve(actor);
      return currentActor(actor.kind === 'person' ? { personId: actor.personId! } : { service: actor.name }, said);
    },
    /**
     * The change number an operation beginning now may read memory up to (heard.ts `current`):
     * asked once, then passed as `said` to each of its reads (LDAP asks it before every operation).
     */
    current: () => heard.freshness.current(),
    /**
     * A person changing their own password proves the current one through sign-in first, so that
     * wrong guesses count towards the lockout and a locked account cannot be changed (or unlocked).
     */
    setPassword: async (actor: Actor, uid: string, input: Parameters<typeof accounts.setPassword>[3]) => {
      if (actor.kind === 'person' && actor.name === uid && !(await authenticate({ uid }, input.currentPassword ?? '')))
        fail('auth.invalid_credentials', 'The current password is not right, or the account is locked');
      return run((ctx) => accounts.setPassword(ctx, actor, uid, input));
    },
    grantRole: op(accounts.grantRole),
    revokeRole: op(accounts.revokeRole),
    createService: op(accounts.createService),
    createOrganisation: op(orgs.createOrganisation),
    renameOrganisation: op(orgs.renameOrganisation),
    closeOrganisation: op(orgs.closeOrganisation),
    getOrganisation: read(orgs.getOrganisation),
    listOrganisations: read(orgs.listOrganisations),
    createJoiner: opViewing(people.createJoiner),
    updatePerson: opViewing(people.updatePerson),
    markLeaver: opViewing(people.markLeaver),
    joinOrganisation: op(moves.joinOrganisation),
    listMoveRequests: read(moves.listMoveRequests),
    releaseMove: op(moves.releaseMove),
    declineMove: op(moves.declineMove),
    softDeleteExpiredLeavers: op(people.softDeleteExpiredLeavers),
    restorePerson: opViewing(people.restorePerson),
    /** A feed run's transaction: under the feed lock of `orgCode` (see feed-lock.ts), planned for bulk statements. */
    runFeedWrite: <R>(orgCode: string | null, fn: (ctx: Ctx) => Promise<R>, cause?: string): Promise<R> =>
      run(async (ctx) => {
        await lockFeed(ctx, orgCode);
        if (database.kind === 'postgres') await planForBulk(ctx);
        return fn(ctx);
      }, cause),
    getPerson: async (actor: Actor, uid: string, kind: 'person' | 'mailbox' = 'person') =>
      visible(actor, await cache.read(`${kind}:${uid}`, () => findView(readCtx, uid, kind)), uid, kind),
    listPeople: (actor: Actor, q: Parameters<typeof listPeople>[3]) => listPeople(database, entries, actor, q),
    setQuota: op(quotas.setQuota),
    getQuotaSummary: read(quotas.getQuotaSummary),
    createMailbox: op(mailboxes.createMailbox),
    getMailbox: read(mailboxes.getMailbox),
    listOwnedMailboxes: read(mailboxes.listOwnedMailboxes),
    setDelegate: op(mailboxes.setDelegate),
    removeDelegate: op(mailboxes.removeDelegate),
    listSecureDomains: read(secure.listSecureDomains),
    checkAddress: read(secure.checkAddress),
    listAudit: read(listAudit),
    listChanges: read(listChanges),
    issueToken: op(tokens.issueToken),
    issueServiceToken: op(tokens.issueServiceToken),
    /** The token's holder, or null; from memory when it was verified since the last write. */
    verifyToken: async (token: string) => {
      const found = await cache.read(tokens.tokenKey(token), () => tokens.verifyToken(readCtx, token));
      return found && found.expiresAt > now().getTime() ? found.actor : null;
    },
    /** Follow writes by other processes sharing the database (PostgreSQL), so the read cache stays true. */
    watchChanges: () =>
      database.watchChanges?.((notice) => {
        const [said] = notice.split(' #', 1);
        changed(said === '*' ? '*' : new Set(said.split(' ')));
        heard.heard(notice); // after its evictions: reads may now trust memory up to its number
      }, trust),
    revokeToken: op(tokens.revokeToken),
  };
}

export type Directory = ReturnType<typeof createDirectory>;

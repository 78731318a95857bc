// The core's read API: what the front ends (LDAP, REST, export, the web pages) read, each call with
// the caller's Actor. The caller's visibility (visibility.ts) is ANDed into every query here, so no
// front end decides who sees what, and none reaches storage.
import type { Database } from '../db/client.js';
import { SEARCH_SECONDS } from '../db/replicas.js';
import * as search from '../db/search-sql.js';
import type { EntryCache } from '../model/entry-cache.js';
import type { Filter } from '../model/filter.js';
import type { BookEntry, ChangeRow, EntryRow, OrganisationRow, ServiceRow } from '../model/rows.js';
import type { PeopleSearch } from '../model/search.js';
import type { Actor } from './actor.js';
import { DirectoryError, fail, isStatementCancelled } from './errors.js';
import { Gate } from './gate.js';
import { changeScope, visibilityOf } from './visibility.js';

export type { BookEntry, ChangeRow, EntryRow, OrganisationRow, PeopleSearch, ServiceRow };
export type { SortKey } from '../model/search.js';

/** The caller: an Actor, or null for an anonymous LDAP client (where anonymous reads are allowed). */
type Caller = Actor | null;

/**
 * Searches of people that may read every row (a filter no index answers, such as `(mail=*qa*)`)
 * run a few at a time, with a few more waiting; beyond that they are refused as busy. One can cost
 * in proportion to the directory (an item matching nobody reads all of 100,000 people: 0.06 s),
 * so without this a handful of clients could hold every search connection, and the mail clients'
 * indexed searches would wait behind them. On PostgreSQL each statement also stops at the search
 * pools' time limit.
 */
const SCANS_AT_ONCE = { postgres: 2, pglite: 1 };
const SCANS_WAITING = 8;
const SCANS_BUSY =
  'Too many searches that read the whole directory are running: narrow the filter, or try again shortly';
// A client told busy may ask again at once, and each refusal costs a little; one answered after a
// second's pause costs a timer. (An attacker's pass measured 2,000 refusals a second from two
// connections asking again and again.)
const BUSY_PAUSE_MS = 1000;

/** `waiting`: why start-up has not yet reached and migrated the database, or undefined once it has. */
export function createReads(database: Database, entryCache: EntryCache, waiting: () => string | undefined) {
  const scanning = new Gate(SCANS_AT_ONCE[database.kind], SCANS_WAITING);
  /** A search stopped at the search pools' time limit is refused as too long, not an internal error. */
  async function timed<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (err) {
      if (isStatementCancelled(err))
        fail('search.too_long', `The search ran longer than ${SEARCH_SECONDS} seconds: narrow the filter`);
      throw err;
    }
  }
  /** A search of people, through the gate when it may read every row; `signal`: its client has gone. */
  const gated = <T>(q: { filter: Filter; offset?: number }, read: () => Promise<T>, signal?: AbortSignal) =>
    timed(() => (search.scansPeople(q) ? scan(read, signal) : read()));
  async function scan<T>(read: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await scanning.run(read, SCANS_BUSY, signal);
    } catch (err) {
      if (err instanceof DirectoryError && err.code === 'service.busy')
        await new Promise((resolve) => setTimeout(resolve, BUSY_PAUSE_MS));
      throw err;
    }
  }
  return {
    /**
     * People and mailboxes matching `q`, in its order; rows from the entry cache where it has them.
     * `signal`: the asker has gone (abandoned, disconnected), so a search still waiting need not run.
     * `said`: the number memory may answer up to, asked at the operation's start (directory `current`).
     */
    searchPeople: (caller: Caller, q: PeopleSearch, signal?: AbortSignal, said?: number): Promise<EntryRow[]> =>
      gated(
        q,
        () => search.searchPeople(database, { ...q, visibility: visibilityOf(caller) }, entryCache, said),
        signal,
      ),
    /** How many match; with `below`, how many come before that value in `q.sort`'s order (VLV's target). */
    countPeople: (caller: Caller, q: PeopleSearch, below?: string, signal?: AbortSignal): Promise<number> =>
      gated(
        { filter: q.filter },
        () => search.countPeople(database, { ...q, visibility: visibilityOf(caller) }, below),
        signal,
      ),
    /** Organisations (everyone signed in sees them all). */
    searchOrganisations: (
      _caller: Caller,
      filter: Filter,
      opts: { code?: string; afterCode?: string; limit: number },
    ): Promise<OrganisationRow[]> => timed(() => search.searchOrganisations(database, filter, opts)),
    /** Service accounts, for administrators and service accounts; nothing for anyone else. */
    searchServices: (
      caller: Caller,
      filter: Filter,
      opts: { name?: string; afterName?: string; limit: number },
    ): Promise<ServiceRow[]> => timed(() => search.searchServices(database, filter, visibilityOf(caller), opts)),
    /**
     * Whether the caller may read the change log at all: refused (auth.forbidden) otherwise, as the
     * REST feed is. Front ends ask before showing even the log's own entry.
     */
    requireChangeLog: (caller: Caller): void => void changeScope(caller),
    /** Change-log entries in the caller's scope (refused for anyone without one). */
    searchChanges: async (
      caller: Caller,
      filter: Filter,
      opts: { seq?: number; afterSeq?: number; limit: number },
    ): Promise<ChangeRow[]> => {
      changeScope(caller);
      return timed(() => search.searchChanges(database, filter, visibilityOf(caller), opts));
    },
    /** The first and last change numbers (the rootDSE says them to anyone, as RFC 4512 readers expect). */
    changeBounds: (): Promise<{ first: number; last: number }> => search.changeBounds(database),
    /** An organisation's address book (its active people and listed mailboxes), read in batches as it is consumed. */
    addressBook: async function* (caller: Caller, orgCode: string, batch = 1000): AsyncGenerator<BookEntry> {
      const visibility = visibilityOf(caller);
      for (let after = 0; ;) {
        const rows = await search.addressBookBatch(database, orgCode, visibility, after, batch);
        yield* rows;
        if (rows.length < batch) return;
        after = rows[rows.length - 1].id;
      }
    },
    /**
     * Readiness: whether a database answers, and which kind it is. With standbys (DATABASE_READ_URL),
     * each database with its role as configured and as found (a promoted standby answers primary),
     * its lag and whether reads go there: a node that can still read stays ready without its primary.
     */
    readiness: async () => {
      const primary = await search.databaseAnswers(database);
      const why = waiting();
      const standbys = database.databases?.().some((d) => d.configured === 'standby');
      if (!standbys && !why) return { ready: primary, database: database.kind };
      // Start-up waiting for its database: not ready whatever answers, and the primary named.
      const databases = standbys
        ? (await database.checkDatabases!()).map((d) => ({
            name: d.name,
            configured: d.configured,
            role: d.configured === 'primary' && !primary ? ('unknown' as const) : d.role,
            reachable: d.configured === 'primary' ? primary : d.reachable,
            ...(d.configured === 'standby' ? { lag_seconds: d.lagSeconds ?? 0, lag_bytes: d.lagBytes ?? 0 } : {}),
            in_reads: d.inReads,
          }))
        : [
            {
              name: database.name ?? database.kind,
              configured: 'primary' as const,
              role: primary ? ('primary' as const) : ('unknown' as const),
              reachable: primary,
              in_reads: false,
            },
          ];
      return {
        ready: !why && databases.some((d) => d.reachable),
        database: database.kind,
        writable: primary,
        databases,
        ...(why ? { detail: why } : {}),
      };
    },
    /** The connection pool's figures and, with standbys, each database's state, for /metrics. */
    poolStats: () => database.poolStats?.(),
    databases: () => database.databases?.(),
  };
}

export type Reads = ReturnType<typeof createReads>;

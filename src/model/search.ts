// The shapes of a search, shared by the core (which fills in who may see what) and storage
// (which compiles them to SQL).
import type { Filter } from './filter.js';

/**
 * What one caller may see, as plain data (src/directory/visibility.ts makes it from an Actor;
 * storage ANDs it into every query, and its JSON is part of each cached statement's key).
 */
export interface Visibility {
  /** Soft-deleted people and mailboxes too (national administrators). */
  deleted: boolean;
  /** Leavers of every organisation (true), or of these organisations (sorted). */
  leavers: true | string[];
  /** Service accounts are listed. */
  services: boolean;
  /** The change log: all of it, the changes to these organisations and their people, or none. */
  changes: { all: true } | { orgs: string[] } | null;
}

export type SortKey = 'cn' | 'sn' | 'givenName' | 'mail' | 'displayName';

/** A search of people and mailboxes as a front end asks it (the core adds the caller's visibility). */
export interface PeopleSearch {
  filter: Filter;
  kind?: 'person' | 'mailbox';
  orgCode?: string;
  /** Address-book views: active people and listed mailboxes only. */
  listedOnly?: boolean;
  uid?: string;
  sort?: { key: SortKey; reverse: boolean };
  /** Keyset paging: rows after this (sort value, id); `paged` orders by id from the first page. */
  after?: { key?: string; id: number };
  paged?: boolean;
  offset?: number;
  limit: number;
}

/** The search as storage runs it. */
export interface PeopleQuery extends PeopleSearch {
  visibility: Visibility;
}

// One small interface for every feed: a name, what kind of records it yields, a zod schema for its
// configuration, and `read`, which turns one snapshot into typed records with their line numbers.
import type { Readable } from 'node:stream';
import type { z } from 'zod';

/** One person of a staff snapshot (contract section 5), whatever the file looked like. */
export interface StaffRecord {
  employeeNumber: string;
  givenName: string;
  familyName: string;
  preferredName: string | null;
  orgCode: string;
  // Optional fields: null clears the value; undefined (a feed without that column) changes nothing.
  title?: string | null;
  department?: string | null;
  site?: string | null;
  telephone?: string | null;
  mobile?: string | null;
  email: string | null;
  startDate: string | null; // YYYY-MM-DD
  endDate: string | null;
  niNumber: string | null;
  dateOfBirth: string | null;
}

/** One organisation of an ODS reference file. */
export interface OrganisationRecord {
  code: string;
  name: string;
  status: 'A' | 'C' | 'D' | 'P';
  openDate: string | null;
  closeDate: string | null;
}

export interface SuccessionRecord {
  predecessorCode: string;
  successorCode: string;
  effectiveDate: string;
}

export interface RecordKinds {
  staff: StaffRecord;
  organisations: OrganisationRecord;
  successions: SuccessionRecord;
}
export type FeedKind = keyof RecordKinds;

/**
 * What `read` yields per row: the record with the column each field came from (so the engine can
 * point at a wrong `org_code`), or the row's first error. `key` names the row's person when it could
 * be read, so that a bad row never makes that person a leaver.
 */
export type Item<R> = Lined<R> | { line: number; error: { column: number; message: string }; key?: string };

/** A record read, with its line and the column each field came from. */
export interface Lined<R> {
  line: number;
  record: R;
  columns: Partial<Record<keyof R, number>>;
}

/**
 * The feed stream a connector reads one snapshot from: an uploaded or dropped file (pulling
 * connectors have none), and the organisation it is for.
 */
export interface FeedStream {
  stream?: Readable;
  orgCode?: string;
}

export interface Connector<K extends FeedKind = FeedKind, C = unknown> {
  name: string;
  kind: K;
  config: z.ZodType<C>;
  /** Throws FeedRejected when the snapshot cannot be read at all: then nothing may be applied. */
  read(feed: FeedStream, config: C): AsyncIterable<Item<RecordKinds[K]>>;
}

export const defineConnector = <K extends FeedKind, C>(c: Connector<K, C>): Connector<K, C> => c;

/** The whole snapshot is unusable (not UTF-8, binary, no header, broken quoting, unreachable server). */
export class FeedRejected extends Error {
  constructor(
    message: string,
    readonly line = 0,
  ) {
    super(message);
    this.name = 'FeedRejected';
  }
}

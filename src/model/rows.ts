// What storage returns to the core and the core to the front ends: plain rows, times as ISO 8601
// text in UTC (2026-01-05T09:00:00.000Z). Each front end formats them its own way (LDAP as
// GeneralizedTime, in src/ldap/mapping.ts).

/** A person or generic mailbox as searches show it. */
export interface EntryRow {
  id: number;
  kind: 'person' | 'mailbox';
  uid: string;
  mail: string;
  given_name: string | null;
  family_name: string;
  cn: string;
  display_name: string;
  org_code: string | null;
  org_name: string | null;
  title: string | null;
  department: string | null;
  site: string | null;
  telephone: string | null;
  mobile: string | null;
  entry_uuid: string;
  status: 'active' | 'leaver';
  quota_mb: number;
  aliases: string[] | null;
  owner_uid: string | null;
  delegates: string[] | null;
  /** ISO 8601 in UTC, to the millisecond. */
  created_at: string;
  updated_at: string;
  /** Soft-deleted (seen by national administrators only), ISO 8601; null otherwise. */
  deleted_at: string | null;
}

export interface OrganisationRow {
  code: string;
  name: string;
  status: string;
  parent_code: string | null;
  successor_code: string | null;
  entry_uuid: string;
  /** ISO 8601 in UTC. */
  created: string;
  modified: string;
  previous_names: string[] | null;
}

export interface ServiceRow {
  name: string;
  description: string | null;
  entry_uuid: string;
  /** ISO 8601 in UTC. */
  created: string;
}

/** One change-log entry (an audit record). */
export interface ChangeRow {
  seq: number;
  /** ISO 8601 in UTC. */
  at: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  before: unknown;
  after: unknown;
}

/** One row of an organisation's address book (people and listed mailboxes, active). */
export interface BookEntry {
  id: number;
  kind: 'person' | 'mailbox';
  uid: string;
  mail: string;
  given_name: string | null;
  family_name: string;
  cn: string;
  display_name: string;
  org_code: string;
  org_name: string;
  title: string | null;
  department: string | null;
  site: string | null;
  telephone: string | null;
  mobile: string | null;
  entry_uuid: string;
}

// Every table of the directory. drizzle-kit generates migrations/ from this file.
// Keep to what PostgreSQL 15 has: PGlite is 18, production is 15.
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const organisations = pgTable(
  'organisations',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    status: text('status', { enum: ['active', 'closed'] })
      .notNull()
      .default('active'),
    parentCode: text('parent_code'),
    successorCode: text('successor_code'),
    entryUuid: uuid('entry_uuid').notNull().defaultRandom(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    closedAt: ts('closed_at'),
  },
  (t) => [
    check('organisations_code_form', sql`${t.code} ~ '^[A-Z0-9]{1,9}$'`),
    index('organisations_name_lower').on(sql`lower(${t.name}) text_pattern_ops`),
  ],
);

/** Earlier names of an organisation, each with the period it was in use. */
export const organisationNames = pgTable(
  'organisation_names',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orgCode: text('org_code')
      .notNull()
      .references(() => organisations.code),
    name: text('name').notNull(),
    validFrom: ts('valid_from').notNull(),
    validTo: ts('valid_to').notNull(),
  },
  (t) => [index('organisation_names_org').on(t.orgCode)],
);

/**
 * People and generic mailboxes: both are address-book entries with a uid and a mail, found by the
 * same searches, so they share one table (kind tells them apart) and one set of indexes.
 */
export const people = pgTable(
  'people',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind', { enum: ['person', 'mailbox'] })
      .notNull()
      .default('person'),
    uid: text('uid').notNull(),
    entryUuid: uuid('entry_uuid').notNull().defaultRandom(),
    mail: text('mail').notNull(),
    givenName: text('given_name'),
    familyName: text('family_name').notNull(),
    cn: text('cn').notNull(),
    // Denormalised so that search, sort and VLV on it use an index; rewritten with the organisation's name.
    displayName: text('display_name').notNull(),
    orgCode: text('org_code').references(() => organisations.code),
    title: text('title'),
    department: text('department'),
    site: text('site'),
    telephone: text('telephone'),
    mobile: text('mobile'),
    // Phone numbers match ignoring spaces and hyphens (contract section 3).
    telephoneDigits: text('telephone_digits').generatedAlwaysAs(
      sql`regexp_replace(telephone, '[[:space:]-]', '', 'g')`,
    ),
    mobileDigits: text('mobile_digits').generatedAlwaysAs(sql`regexp_replace(mobile, '[[:space:]-]', '', 'g')`),
    status: text('status', { enum: ['active', 'leaver'] })
      .notNull()
      .default('active'),
    quotaMb: integer('quota_mb').notNull().default(200),
    ownerId: bigint('owner_id', { mode: 'number' }),
    listed: boolean('listed').notNull().default(true),
    passwordHash: text('password_hash'),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lockedUntil: ts('locked_until'),
    // When the password last changed: an LDAP connection bound before it is closed at its next operation.
    passwordChangedAt: ts('password_changed_at'),
    niHmac: text('ni_hmac'),
    dobHmac: text('dob_hmac'),
    leftAt: ts('left_at'),
    deletedAt: ts('deleted_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('people_uid').on(t.uid),
    uniqueIndex('people_mail').on(t.mail),
    check('people_quota_tier', sql`${t.quotaMb} in (50, 200, 500, 1024)`),
    check('people_mailbox_owner', sql`${t.kind} = 'person' or ${t.ownerId} is not null`),
    index('people_org').on(t.orgCode, t.status),
    // Prefix search (LIKE 'x%') on lower-cased names and mail: what mail clients send as a person
    // types. Each index also carries the column itself and what a search's other conditions read
    // (who may see the row, which view it is in), so the ids of "any 50 matches" come from the index
    // alone (an index-only scan), never from the table. The id comes second: REST pages by (value, id).
    ...(
      [
        ['people_cn_prefix', t.cn],
        ['people_sn_prefix', t.familyName],
        ['people_given_prefix', t.givenName],
        ['people_mail_prefix', t.mail],
      ] as const
    ).map(([name, col]) =>
      index(name).on(
        sql`lower(${col}) text_pattern_ops`,
        t.id,
        col,
        t.status,
        t.deletedAt,
        t.kind,
        t.orgCode,
        t.listed,
      ),
    ),
    index('people_display_prefix').on(sql`lower(${t.displayName}) text_pattern_ops`),
    index('people_title_prefix').on(sql`lower(${t.title}) text_pattern_ops`),
    index('people_department_prefix').on(sql`lower(${t.department}) text_pattern_ops`),
    // In byte order, so that a number's prefix (iOS asks telephoneNumber=0113*) is a range of it.
    index('people_telephone').on(sql`${t.telephoneDigits} text_pattern_ops`),
    index('people_mobile').on(sql`${t.mobileDigits} text_pattern_ops`),
    // Substring search (LIKE '%x%') through trigrams.
    index('people_cn_trgm').using('gin', sql`lower(${t.cn}) gin_trgm_ops`),
    index('people_sn_trgm').using('gin', sql`lower(${t.familyName}) gin_trgm_ops`),
    index('people_given_trgm').using('gin', sql`lower(${t.givenName}) gin_trgm_ops`),
    index('people_mail_trgm').using('gin', sql`lower(${t.mail}) gin_trgm_ops`),
    index('people_rehire').on(t.niHmac, t.dobHmac),
    // Names as people read them (nhs_fold, migrations/0009_fold.sql: accents, case and punctuation
    // folded), then id: the order of LDAP sort and VLV, and REST name search's prefix and order. Byte
    // order (text_pattern_ops), as the folded text is ASCII: the same on every database, whatever its
    // locale. Covering as the prefix indexes above, so a search's ids and a VLV count come from the
    // index alone.
    ...(
      [
        ['people_cn_fold', t.cn],
        ['people_sn_fold', t.familyName],
        ['people_display_fold', t.displayName],
      ] as const
    ).map(([name, col]) =>
      index(name).on(
        sql`nhs_fold(${col}) text_pattern_ops`,
        t.id,
        col,
        t.status,
        t.deletedAt,
        t.kind,
        t.orgCode,
        t.listed,
      ),
    ),
    index('people_given_fold').on(
      sql`nhs_fold(coalesce(${t.givenName}, '')) text_pattern_ops`,
      t.id,
      t.status,
      t.deletedAt,
      t.kind,
      t.orgCode,
      t.listed,
    ),
  ],
);

/** Every address ever allocated; rows are never deleted, so an address is never given twice. */
export const addresses = pgTable(
  'addresses',
  {
    address: text('address').primaryKey(), // lower case
    personId: bigint('person_id', { mode: 'number' })
      .notNull()
      .references(() => people.id),
    /** The holder's mail now; false for old addresses (aliases). */
    current: boolean('current').notNull().default(true),
    allocatedAt: ts('allocated_at').notNull().defaultNow(),
  },
  (t) => [
    index('addresses_person').on(t.personId),
    index('addresses_prefix').on(sql`${t.address} text_pattern_ops`), // allocation looks up base%
    // Old addresses only: the current ones are searched on people.mail.
    index('addresses_alias_prefix')
      .on(sql`${t.address} text_pattern_ops`)
      .where(sql`not ${t.current}`),
    index('addresses_alias_trgm')
      .using('gin', sql`${t.address} gin_trgm_ops`)
      .where(sql`not ${t.current}`),
    index('addresses_alias_person')
      .on(t.personId)
      .where(sql`not ${t.current}`), // an entry's nhsMailAlias values
  ],
);

/** Employment history: which organisation, under which HR key, from when to when. */
export const employments = pgTable(
  'employments',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    personId: bigint('person_id', { mode: 'number' })
      .notNull()
      .references(() => people.id),
    orgCode: text('org_code')
      .notNull()
      .references(() => organisations.code),
    hrKey: text('hr_key'),
    source: text('source').notNull(),
    startedAt: ts('started_at').notNull().defaultNow(),
    endedAt: ts('ended_at'),
  },
  (t) => [index('employments_person').on(t.personId), index('employments_hr_key').on(t.orgCode, t.hrKey)],
);

export const mailboxDelegates = pgTable(
  'mailbox_delegates',
  {
    mailboxId: bigint('mailbox_id', { mode: 'number' })
      .notNull()
      .references(() => people.id),
    personId: bigint('person_id', { mode: 'number' })
      .notNull()
      .references(() => people.id),
    permission: text('permission', { enum: ['full_access', 'send_as', 'send_on_behalf'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.mailboxId, t.personId] })],
);

/** Service accounts (cn=<name>,ou=Services): connectors and the national `admin`. */
export const services = pgTable(
  'services',
  {
    name: text('name').primaryKey(),
    description: text('description'),
    passwordHash: text('password_hash'),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lockedUntil: ts('locked_until'),
    entryUuid: uuid('entry_uuid').notNull().defaultRandom(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [check('services_name_form', sql`${t.name} ~ '^[a-z][a-z0-9-]{0,63}$'`)],
);

/** Roles beyond "user": held by a person or a service account, some for one organisation. */
export const roleGrants = pgTable(
  'role_grants',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    personId: bigint('person_id', { mode: 'number' }).references(() => people.id),
    serviceName: text('service_name').references(() => services.name),
    role: text('role', { enum: ['national_admin', 'local_admin', 'connector', 'auditor'] }).notNull(),
    orgCode: text('org_code').references(() => organisations.code),
  },
  (t) => [
    check('role_grants_holder', sql`(${t.personId} is null) <> (${t.serviceName} is null)`),
    check('role_grants_org', sql`(${t.role} in ('local_admin', 'connector')) = (${t.orgCode} is not null)`),
    index('role_grants_person').on(t.personId),
    index('role_grants_service').on(t.serviceName),
  ],
);

export const secureDomains = pgTable('secure_domains', {
  domain: text('domain').primaryKey(),
});

/**
 * The append-only audit log. Its sequence numbers are the change numbers of the LDAP change log
 * and the REST change feed; writers take a lock so that numbers are assigned in commit order.
 */
export const audit = pgTable(
  'audit',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull().defaultNow(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type', { enum: ['person', 'mailbox', 'organisation', 'service'] }).notNull(),
    targetId: text('target_id').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    cause: text('cause'),
  },
  (t) => [index('audit_target').on(t.targetType, t.targetId), index('audit_actor').on(t.actor)],
);

/**
 * The number of the last notice of changes said on the changes channel (one row). Every notice
 * counts it up and carries its number, and the row stays locked to commit, so numbers follow
 * commit order: a server whose reads see number n, and that has heard notice n, has heard of
 * every change those reads can see (issue 13: no stale read from memory, across servers).
 */
export const announced = pgTable(
  'announced',
  {
    one: boolean('one').primaryKey().default(true),
    n: bigint('n', { mode: 'number' }).notNull().default(0),
  },
  (t) => [check('announced_one_row', sql`${t.one}`)],
);

/** Bearer tokens: only a hash is kept; a leaver's stop at once because the holder must be active. */
export const tokens = pgTable(
  'tokens',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    hash: text('hash').notNull(),
    personId: bigint('person_id', { mode: 'number' }).references(() => people.id),
    serviceName: text('service_name').references(() => services.name),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    uniqueIndex('tokens_hash').on(t.hash),
    check('tokens_holder', sql`(${t.personId} is null) <> (${t.serviceName} is null)`),
  ],
);

/** Small facts about this installation (the identifier-key check). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * One row per feed run (contract section 5): the report users see, and for a held run the records
 * it would apply (identifiers already reduced to keyed HMACs), so that approval applies exactly them.
 */
export const syncRuns = pgTable(
  'sync_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    connector: text('connector').notNull(),
    orgCode: text('org_code'),
    status: text('status', { enum: ['applied', 'dry_run', 'held', 'rejected'] }).notNull(),
    actor: text('actor').notNull(),
    startedAt: ts('started_at').notNull(),
    finishedAt: ts('finished_at').notNull(),
    report: jsonb('report').notNull(),
    held: jsonb('held'),
  },
  (t) => [index('sync_runs_org').on(t.orgCode, t.id)],
);

/** Possible re-hires found by a staff feed: an administrator links them to the earlier person or makes a new one. */
export const reviewQueue = pgTable(
  'review_queue',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    orgCode: text('org_code')
      .notNull()
      .references(() => organisations.code),
    hrKey: text('hr_key').notNull(),
    record: jsonb('record').notNull(),
    candidateId: bigint('candidate_id', { mode: 'number' })
      .notNull()
      .references(() => people.id),
    status: text('status', { enum: ['open', 'linked', 'new'] })
      .notNull()
      .default('open'),
    resolvedBy: text('resolved_by'),
    resolvedAt: ts('resolved_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('review_queue_open')
      .on(t.orgCode, t.hrKey)
      .where(sql`${t.status} = 'open'`),
  ],
);

/**
 * A move of someone active in another organisation: asked for by the new organisation (its
 * administrators or its feed), done when the current organisation's administrators release them or
 * its own feed makes them a leaver. Nobody is taken from an organisation that has not let them go.
 */
export const moveRequests = pgTable(
  'move_requests',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    personId: bigint('person_id', { mode: 'number' })
      .notNull()
      .references(() => people.id),
    fromOrg: text('from_org')
      .notNull()
      .references(() => organisations.code),
    toOrg: text('to_org')
      .notNull()
      .references(() => organisations.code),
    /** The fields and HR key the new organisation gave, applied with the move. */
    fields: jsonb('fields').notNull(),
    hrKey: text('hr_key'),
    source: text('source').notNull(),
    requestedBy: text('requested_by').notNull(),
    requestedAt: ts('requested_at').notNull(),
    status: text('status', { enum: ['open', 'done', 'cancelled'] })
      .notNull()
      .default('open'),
    resolvedBy: text('resolved_by'),
    resolvedAt: ts('resolved_at'),
  },
  (t) => [
    index('move_requests_open')
      .on(t.personId)
      .where(sql`${t.status} = 'open'`),
    index('move_requests_org').on(t.fromOrg, t.toOrg),
  ],
);

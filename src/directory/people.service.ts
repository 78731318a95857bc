// People: joiners, edits, name changes, leavers, movers, soft-delete and restore (contract section 2).
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import { addresses, employments, people } from '../db/schema.js';
import type { Actor } from './actor.js';
import { isAdminOf, requireNational } from './actor.js';
import { markLeavers } from './employment.js';
import { requireAuthorityOverPerson } from './grants.js';
import { allocateAddress, baseLocalPart, baseOf } from './addresses.js';
import { record, recordWith } from './audit.js';
import type { Ctx } from './context.js';
import { fail } from './errors.js';
import { activeOrganisation, findOrganisation } from './organisations.service.js';
import { displayName, findRow, type PersonRow } from './people.queries.js';
import { checkTier, ensureRoom } from './quotas.js';
import { identifierHmac } from './secrets.js';

export interface PersonFields {
  title?: string | null;
  department?: string | null;
  site?: string | null;
  telephone?: string | null;
  mobile?: string | null;
}

export interface JoinerInput extends PersonFields {
  givenName: string;
  familyName: string;
  orgCode: string;
  quotaMb?: number;
  /** The HR system's key for this person in this organisation, and which feed it came from. */
  hrKey?: string | null;
  source?: string;
  niNumber?: string | null;
  dateOfBirth?: string | null;
}

export interface PersonPatch extends PersonFields {
  givenName?: string;
  familyName?: string;
}

const selfEditable = new Set(['telephone', 'mobile']);

/** People writes: the organisation's administrators, or its connector (a feed does exactly these). */
export function requireWriterOf(actor: Actor, org: string | null): void {
  if (!isAdminOf(actor, org) && !(org && actor.feedsFor.has(org))) {
    fail('auth.forbidden', `Only an administrator of ${org ?? 'the organisation'} may change its people`);
  }
}

// NUL and the other C0/C1 controls are never part of a name or a field (PostgreSQL refuses NUL).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
export const hasControls = (v: string) => controls.test(v);

function refuseControls(v: string, field: string): string {
  if (controls.test(v))
    fail('validation.failed', `${field} contains a control character`, {
      [field]: 'must not contain control characters',
    });
  return v;
}

export function cleanName(value: string, field: string): string {
  const v = refuseControls(value, field).normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!v) fail('validation.failed', `${field} must not be empty`, { [field]: 'must not be empty' });
  return v;
}

const clean = (v: string | null | undefined, field: string) =>
  v == null ? v : refuseControls(v, field).trim() || null;

/**
 * What is wrong with a telephone number, or null: digits, spaces, "+", brackets and hyphens only,
 * 3 to 20 digits (a short internal extension to an international number with its prefix).
 */
export function phoneProblem(v: string): string | null {
  const digits = v.replace(/\D/g, '').length;
  if (!/^\+?[0-9 ()-]+$/.test(v) || digits < 3 || digits > 20)
    return 'must be a telephone number: digits, spaces, +, brackets and hyphens (3 to 20 digits)';
  return null;
}

export function cleanFields(f: PersonFields): PersonFields {
  const out: PersonFields = {};
  for (const k of ['title', 'department', 'site', 'telephone', 'mobile'] as const) {
    if (f[k] === undefined) continue; // not given: unchanged
    const v = clean(f[k], k);
    const problem = (k === 'telephone' || k === 'mobile') && v ? phoneProblem(v) : null;
    if (problem) fail('validation.failed', `${k} ${problem}`, { [k]: problem });
    out[k] = v;
  }
  return out;
}

export function identifierHashes(ctx: Ctx, input: { niNumber?: string | null; dateOfBirth?: string | null }) {
  const key = ctx.settings.identifierKey;
  return {
    ...(input.niNumber ? { niHmac: identifierHmac(key, 'ni', input.niNumber) } : {}),
    ...(input.dateOfBirth ? { dobHmac: identifierHmac(key, 'dob', input.dateOfBirth) } : {}),
  };
}

/** A new person in an organisation, with a freshly allocated address; the uid is its local part. */
export async function createJoiner(ctx: Ctx, actor: Actor, input: JoinerInput): Promise<PersonRow> {
  requireWriterOf(actor, input.orgCode);
  const givenName = cleanName(input.givenName, 'given_name');
  const familyName = cleanName(input.familyName, 'family_name');
  const base = baseLocalPart(givenName, familyName);
  const quotaMb = checkTier(input.quotaMb ?? 200);
  const org = await activeOrganisation(ctx, input.orgCode);
  await ensureRoom(ctx, org.code, quotaMb, true);
  const now = ctx.now();
  const cn = `${givenName} ${familyName}`;
  // The row needs an id before its address can point at it: insert with a placeholder, then allocate.
  const placeholder = `pending-${crypto.randomUUID()}`;
  const [row] = await ctx.tx
    .insert(people)
    .values({
      uid: placeholder,
      mail: placeholder,
      givenName,
      familyName,
      cn,
      displayName: displayName(cn, org.name),
      orgCode: org.code,
      quotaMb,
      ...cleanFields(input),
      ...identifierHashes(ctx, input),
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: people.id });
  const mail = await allocateAddress(ctx.tx, base, ctx.settings.mailDomain, row.id);
  const uid = mail.slice(0, mail.indexOf('@'));
  const [person] = await ctx.tx.update(people).set({ uid, mail }).where(eq(people.id, row.id)).returning();
  await ctx.tx.insert(employments).values({
    personId: row.id,
    orgCode: org.code,
    hrKey: input.hrKey ?? null,
    source: input.source ?? 'api',
    startedAt: now,
  });
  await record(ctx.tx, actor, {
    action: 'person.create',
    targetType: 'person',
    targetId: uid,
    after: person,
    cause: ctx.cause,
  });
  return person;
}

/**
 * The address for a (possibly new) name: unchanged when the base is the same; one of the person's
 * own older addresses when they return to an earlier name; otherwise newly allocated.
 */
async function addressForName(ctx: Ctx, row: PersonRow, givenName: string, familyName: string): Promise<string> {
  const base = baseLocalPart(givenName, familyName);
  if (baseOf(row.mail) === base) return row.mail;
  const own = await ctx.tx.select({ address: addresses.address }).from(addresses).where(eq(addresses.personId, row.id));
  const earlier = own
    .map((a) => a.address)
    .find((a) => baseOf(a) === base && a.endsWith(`@${ctx.settings.mailDomain}`));
  return earlier ?? allocateAddress(ctx.tx, base, ctx.settings.mailDomain, row.id);
}

/**
 * Edit a person. Their organisation's administrators edit everything of someone over whom they have
 * authority; its feed (`feed`) keeps HR's fields true for everyone it employs, whatever roles they
 * hold; a person edits their own phone numbers.
 */
export async function updatePerson(
  ctx: Ctx,
  actor: Actor,
  uid: string,
  patch: PersonPatch,
  opts: { feed?: boolean } = {},
): Promise<PersonRow> {
  const row = await findRow(ctx, uid, { forUpdate: true, seenBy: actor });
  const self = actor.personId === row.id;
  if (!isAdminOf(actor, row.orgCode) && !(row.orgCode && actor.feedsFor.has(row.orgCode))) {
    const forbidden = Object.keys(patch).filter((k) => !selfEditable.has(k));
    if (!self || forbidden.length)
      fail(
        'auth.forbidden',
        self
          ? `You may change only your telephone and mobile, not ${forbidden.join(', ')}`
          : 'Only an administrator of the organisation may change this person',
      );
  } else if (!self && !opts.feed) {
    await requireAuthorityOverPerson(ctx, actor, row);
  }
  if (row.status !== 'active' && !isAdminOf(actor, row.orgCode)) fail('person.not_active', `${uid} is a leaver`);
  const change: Partial<PersonRow> = cleanFields(patch);
  if (patch.givenName !== undefined || patch.familyName !== undefined) {
    const givenName = cleanName(patch.givenName ?? row.givenName ?? '', 'given_name');
    const familyName = cleanName(patch.familyName ?? row.familyName, 'family_name');
    const cn = `${givenName} ${familyName}`;
    Object.assign(change, { givenName, familyName, cn, mail: await addressForName(ctx, row, givenName, familyName) });
    const org = row.orgCode ? await findOrganisation(ctx, row.orgCode) : null;
    change.displayName = displayName(cn, org?.name);
  }
  const changed = Object.entries(change).filter(([k, v]) => row[k as keyof PersonRow] !== v);
  if (changed.length === 0) return row;
  const diff = Object.fromEntries(changed);
  if (diff.mail)
    await ctx.tx
      .update(addresses)
      .set({ current: sql`${addresses.address} = ${diff.mail}` })
      .where(eq(addresses.personId, row.id));
  const before = Object.fromEntries(changed.map(([k]) => [k, row[k as keyof PersonRow]]));
  const logged = recordWith(ctx.tx, actor, {
    action: 'person.update',
    targetType: 'person',
    targetId: uid,
    before,
    after: diff,
    cause: ctx.cause,
  });
  const [updated] = await ctx.tx
    .with(logged)
    .update(people)
    .set({ ...diff, updatedAt: ctx.now() })
    .where(eq(people.id, row.id))
    .returning();
  return updated;
}

/**
 * Leaver: inactive at once (no bind, no token, hidden), address kept. Grants for the organisation
 * end, each recorded; a move another organisation asked for happens now.
 */
export async function markLeaver(ctx: Ctx, actor: Actor, uid: string): Promise<PersonRow> {
  const row = await findRow(ctx, uid, { forUpdate: true, seenBy: actor });
  requireWriterOf(actor, row.orgCode);
  await requireAuthorityOverPerson(ctx, actor, row);
  if (row.status === 'leaver') return row;
  await markLeavers(ctx, actor, sql`id = ${row.id}`);
  return findRow(ctx, uid);
}

/** Leavers not joined elsewhere within LEAVER_RETENTION_DAYS are soft-deleted. Returns their uids. */
export async function softDeleteExpiredLeavers(ctx: Ctx, actor: Actor): Promise<string[]> {
  requireNational(actor);
  const now = ctx.now();
  const cutoff = new Date(now.getTime() - ctx.settings.leaverRetentionDays * 86_400_000);
  const gone = await ctx.tx
    .update(people)
    .set({ deletedAt: now, updatedAt: now })
    .where(and(eq(people.status, 'leaver'), isNull(people.deletedAt), lt(people.leftAt, cutoff)))
    .returning({ uid: people.uid, kind: people.kind });
  for (const g of gone)
    await record(ctx.tx, actor, {
      action: 'person.soft_delete',
      targetType: g.kind,
      targetId: g.uid,
      after: { deleted: true },
      cause: ctx.cause,
    });
  return gone.map((g) => g.uid);
}

/** A national administrator brings a soft-deleted leaver back (still a leaver, visible to admins). */
export async function restorePerson(ctx: Ctx, actor: Actor, uid: string): Promise<PersonRow> {
  requireNational(actor);
  const row = await findRow(ctx, uid, { forUpdate: true, deleted: true });
  if (!row.deletedAt) fail('person.not_deleted', `${uid} is not soft-deleted`);
  // The retention clock restarts, or the next sweep would delete them again at once.
  const [restored] = await ctx.tx
    .update(people)
    .set({ deletedAt: null, leftAt: ctx.now(), updatedAt: ctx.now() })
    .where(eq(people.id, row.id))
    .returning();
  await record(ctx.tx, actor, {
    action: 'person.restore',
    targetType: 'person',
    targetId: uid,
    before: { deleted: true },
    after: { deleted: false },
    cause: ctx.cause,
  });
  return restored;
}

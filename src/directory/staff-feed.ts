// What a staff feed reads of an organisation's people, and the two writes of its own that no other
// core function makes: adopting an employee number for someone matched by address, and keeping the
// identifier hashes (keyed HMACs of NI number and date of birth) that find re-hires. Each statement
// is set-based, a run's whole set at once; each write is audited, person by person.
import { sql } from 'drizzle-orm';
import { rows } from '../db/client.js';
import type { Actor } from './actor.js';
import { recordMany } from './audit.js';
import { markLeavers } from './employment.js';
import type { Ctx } from './context.js';

/** A person as a feed compares them with its row. */
export interface FedPerson {
  id: number;
  uid: string;
  mail: string;
  status: 'active' | 'leaver';
  org_code: string | null;
  deleted: boolean;
  given_name: string | null;
  family_name: string;
  title: string | null;
  department: string | null;
  site: string | null;
  telephone: string | null;
  mobile: string | null;
  ni_hmac: string | null;
  dob_hmac: string | null;
}
/** Found by employee number: `open` while that employment has not ended. */
export type ByEmployeeNumber = FedPerson & { hr_key: string; open: boolean };
/** Found by address: with their employee number in the organisation now, if any. */
export type ByAddress = FedPerson & { address: string; hr_key: string | null };

const personColumns = sql`p.id, p.uid, p.mail, p.status, p.org_code, p.deleted_at is not null as deleted,
  p.given_name, p.family_name, p.title, p.department, p.site, p.telephone, p.mobile, p.ni_hmac, p.dob_hmac`;

/** Everyone `orgCode` has employed under an employee number, by their latest employment with each. */
export async function peopleByEmployeeNumber(ctx: Ctx, orgCode: string): Promise<Map<string, ByEmployeeNumber>> {
  const found = await rows<ByEmployeeNumber>(
    ctx.tx.execute(sql`
    select distinct on (e.hr_key) e.hr_key, e.ended_at is null as open, ${personColumns}
    from employments e join people p on p.id = e.person_id
    where e.org_code = ${orgCode} and e.hr_key is not null and p.kind = 'person'
    order by e.hr_key, e.started_at desc, e.id desc`),
  );
  return new Map(found.map((k) => [k.hr_key, k]));
}

/** The people holding `emails`, with the employee number of their open employment in `orgCode`. */
export async function peopleByAddress(ctx: Ctx, orgCode: string, emails: string[]): Promise<Map<string, ByAddress>> {
  const found = await rows<ByAddress>(
    ctx.tx.execute(sql`
    select a.address, ${personColumns},
      (select e.hr_key from employments e
        where e.person_id = p.id and e.org_code = ${orgCode} and e.ended_at is null
        order by e.started_at desc limit 1) as hr_key
    from addresses a join people p on p.id = a.person_id
    where a.address = any(${sql.param(emails)}::text[]) and p.kind = 'person'`),
  );
  return new Map(found.map((m) => [m.address, m]));
}

export const identifierPair = (ni: string | null, dob: string | null) => `${ni}|${dob}`;

/** Leavers with these identifier hashes, by `identifierPair`: the latest leaver wins. */
export async function leaversByIdentifiers(
  ctx: Ctx,
  pairs: { ni: string; dob: string }[],
): Promise<Map<string, FedPerson>> {
  const ni = sql.param(pairs.map((p) => p.ni));
  const dob = sql.param(pairs.map((p) => p.dob));
  const found = await rows<FedPerson>(
    ctx.tx.execute(sql`
    select ${personColumns} from people p
    where p.kind = 'person' and p.status = 'leaver'
      and (p.ni_hmac, p.dob_hmac) in (select * from unnest(${ni}::text[], ${dob}::text[]))
    order by p.left_at`),
  );
  return new Map(found.map((k) => [identifierPair(k.ni_hmac, k.dob_hmac), k]));
}

/** Which of `ids` hold a role (any organisation's). */
export async function roleHolders(ctx: Ctx, ids: number[]): Promise<Set<number>> {
  const found = await rows<{ id: string }>(
    ctx.tx.execute(sql`
    select distinct person_id as id from role_grants where person_id = any(${sql.param(ids)}::bigint[])`),
  );
  // (Ids arrive as text from PostgreSQL's bigint, as numbers from PGlite.)
  return new Set(found.map((r) => Number(r.id)));
}

/** How many people (not mailboxes) are active in `orgCode`: what a feed's leavers are a share of. */
export async function countActiveStaff(ctx: Ctx, orgCode: string): Promise<number> {
  const [{ n }] = await rows<{ n: number }>(
    ctx.tx.execute(sql`select count(*)::int as n from people
      where org_code = ${orgCode} and kind = 'person' and status = 'active' and deleted_at is null`),
  );
  return n;
}

export interface Adoption {
  personId: number;
  uid: string;
  /** The employee number they had in the organisation (null: none). */
  previous: string | null;
  employeeNumber: string;
}

/**
 * People a feed matched by address take its employee number: their open employment in `orgCode`
 * (the latest) is keyed by it from now on, and `source` is the feed it came from.
 */
export async function adoptEmployeeNumbers(
  ctx: Ctx,
  actor: Actor,
  orgCode: string,
  source: string,
  adoptions: Adoption[],
): Promise<void> {
  if (adoptions.length === 0) return;
  const ids = sql.param(adoptions.map((a) => a.personId));
  const keys = sql.param(adoptions.map((a) => a.employeeNumber));
  await ctx.tx.execute(sql`update employments e set hr_key = a.hr_key, source = ${source}
    from unnest(${ids}::bigint[], ${keys}::text[]) as a(person_id, hr_key)
    where e.id = (select id from employments where person_id = a.person_id and org_code = ${orgCode}
      and ended_at is null order by started_at desc limit 1)`);
  await recordMany(
    ctx.tx,
    actor,
    adoptions.map((a) => ({
      action: 'person.employee_number',
      targetType: 'person',
      targetId: a.uid,
      before: { orgCode, employeeNumber: a.previous },
      after: { orgCode, employeeNumber: a.employeeNumber, source },
      cause: ctx.cause,
    })),
  );
}

export interface IdentifierHashes {
  personId: number;
  uid: string;
  /** A new hash, or null to keep the one they have. */
  niHmac: string | null;
  dobHmac: string | null;
}

/**
 * Keep people's identifier hashes as their organisation's HR has them. The audit record names which
 * identifiers changed, never a value (the audit log keeps no hash, as it keeps no password).
 */
export async function storeIdentifierHashes(ctx: Ctx, actor: Actor, hashes: IdentifierHashes[]): Promise<void> {
  if (hashes.length === 0) return;
  const col = (f: (h: IdentifierHashes) => unknown) => sql.param(hashes.map(f));
  await ctx.tx.execute(sql`update people p
    set ni_hmac = coalesce(h.ni, p.ni_hmac), dob_hmac = coalesce(h.dob, p.dob_hmac)
    from unnest(${col((h) => h.personId)}::bigint[], ${col((h) => h.niHmac)}::text[], ${col((h) => h.dobHmac)}::text[])
      as h(id, ni, dob)
    where p.id = h.id`);
  await recordMany(
    ctx.tx,
    actor,
    hashes.map((h) => ({
      action: 'person.identifiers',
      targetType: 'person',
      targetId: h.uid,
      after: { identifiers: [...(h.niHmac ? ['ni_number'] : []), ...(h.dobHmac ? ['date_of_birth'] : [])] },
      cause: ctx.cause,
    })),
  );
}

/** The people of `ids` still active become leavers, as a feed finds them gone (see markLeavers). */
export function markFeedLeavers(ctx: Ctx, actor: Actor, ids: number[]): Promise<{ uid: string; mail: string }[]> {
  return markLeavers(ctx, actor, sql`id = any(${sql.param(ids)}::bigint[])`);
}

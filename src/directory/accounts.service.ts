// Accounts: the Actor a person or service account becomes (sign-in itself is sign-in.ts), passwords,
// role grants and service accounts.
import { and, eq, isNull, sql } from 'drizzle-orm';
import { people, roleGrants, services } from '../db/schema.js';
import type { Actor, Role } from './actor.js';
import { isAdminOf, requireNational } from './actor.js';
import { record } from './audit.js';
import type { Ctx } from './context.js';
import { fail } from './errors.js';
import { requireAuthorityOverPerson, revokeGrants } from './grants.js';
import { findOrganisation } from './organisations.service.js';
import { findRow } from './people.queries.js';
import { hashPassword, verifyPassword } from './secrets.js';
import { revokeTokensOf } from './tokens.service.js';

/** Who is signing in: a person by uid or address (current or old), or a service account by name. */
export type Principal = { uid: string } | { address: string } | { service: string };

/** A bare user name: an address has an @, a person's uid has a dot, a service name has neither. */
export function principalFromName(name: string): Principal {
  const n = name.trim().toLowerCase();
  if (n.includes('@')) return { address: n };
  return n.includes('.') ? { uid: n } : { service: n };
}

/** The Actor for a person (only while active) or a service account, with its role grants. */
export async function loadActor(ctx: Ctx, who: { personId: number } | { service: string }): Promise<Actor | null> {
  let base: Pick<Actor, 'kind' | 'name' | 'personId' | 'passwordChangedAt'>;
  if ('personId' in who) {
    const [p] = await ctx.tx
      .select({
        uid: people.uid,
        status: people.status,
        deletedAt: people.deletedAt,
        kind: people.kind,
        changed: people.passwordChangedAt,
      })
      .from(people)
      .where(eq(people.id, who.personId));
    if (!p || p.kind !== 'person' || p.status !== 'active' || p.deletedAt) return null;
    base = { kind: 'person', name: p.uid, personId: who.personId, passwordChangedAt: p.changed?.getTime() };
  } else {
    const [s] = await ctx.tx.select({ name: services.name }).from(services).where(eq(services.name, who.service));
    if (!s) return null;
    base = { kind: 'service', name: s.name };
  }
  const grants = await ctx.tx
    .select()
    .from(roleGrants)
    .where('personId' in who ? eq(roleGrants.personId, who.personId) : eq(roleGrants.serviceName, who.service));
  return actorWith(base, grants);
}

/** An Actor from who it is and its role grants: a person is always a user too. */
export function actorWith(
  base: Pick<Actor, 'kind' | 'name' | 'personId' | 'passwordChangedAt'>,
  grants: { role: Exclude<Role, 'user'>; orgCode: string | null }[],
): Actor {
  const roles = new Set<Role>(base.kind === 'person' ? ['user'] : []);
  const adminOf = new Set<string>();
  const feedsFor = new Set<string>();
  for (const g of grants) {
    roles.add(g.role);
    if (g.role === 'local_admin' && g.orgCode) adminOf.add(g.orgCode);
    if (g.role === 'connector' && g.orgCode) feedsFor.add(g.orgCode);
  }
  return { ...base, roles, adminOf, feedsFor };
}

export function checkNewPassword(password: string): string {
  if (password.length < 8)
    fail('validation.failed', 'A password needs at least 8 characters', {
      new_password: 'must be at least 8 characters',
    });
  if (password.length > 256)
    fail('validation.failed', 'A password may have at most 256 characters', {
      new_password: 'must be at most 256 characters',
    });
  return password;
}

/**
 * Own password (with the current one), or someone with authority over the person (a national
 * administrator; an administrator of their organisation when they hold no role). Every token and
 * session of theirs ends, except, for a change of one's own, the one making it (`keepToken`); LDAP
 * connections bound before the change close at their next operation.
 */
export async function setPassword(
  ctx: Ctx,
  actor: Actor,
  uid: string,
  input: { currentPassword?: string; newPassword: string; keepToken?: string | null },
) {
  checkNewPassword(input.newPassword);
  const row = await findRow(ctx, uid, { forUpdate: true, seenBy: actor });
  const self = actor.personId === row.id;
  if (self) {
    if (input.currentPassword === undefined || !(await verifyPassword(input.currentPassword, row.passwordHash))) {
      fail('auth.invalid_credentials', 'The current password is not right');
    }
  } else {
    if (!isAdminOf(actor, row.orgCode))
      fail('auth.forbidden', 'Only the person or an administrator may set this password');
    await requireAuthorityOverPerson(ctx, actor, row);
  }
  const now = ctx.now();
  await ctx.tx
    .update(people)
    .set({
      passwordHash: await hashPassword(input.newPassword),
      failedAttempts: 0,
      lockedUntil: null,
      passwordChangedAt: now,
      updatedAt: now,
    })
    .where(eq(people.id, row.id));
  await record(ctx.tx, actor, {
    action: 'person.password',
    targetType: 'person',
    targetId: uid,
    after: { password: self ? 'changed' : 'reset' },
    cause: ctx.cause,
  });
  // Tokens after the log's lock (record), in the order a logout takes them (audit.ts `touch`).
  await revokeTokensOf(ctx, row.id, self ? input.keepToken : null);
}

export interface Grant {
  role: Exclude<Role, 'user'>;
  orgCode?: string | null;
}

/** National administrators grant roles: to a person by uid, or to a service account by name. */
export async function grantRole(ctx: Ctx, actor: Actor, holder: { uid: string } | { service: string }, grant: Grant) {
  requireNational(actor);
  const perOrg = grant.role === 'local_admin' || grant.role === 'connector';
  if (perOrg !== Boolean(grant.orgCode))
    fail(
      'validation.failed',
      perOrg ? `${grant.role} is for one organisation: give org_code` : `${grant.role} is not for one organisation`,
      { org_code: perOrg ? 'is required' : 'must be empty' },
    );
  if (grant.orgCode) await findOrganisation(ctx, grant.orgCode);
  const key =
    'uid' in holder
      ? { personId: (await findRow(ctx, holder.uid)).id, serviceName: null }
      : { personId: null, serviceName: (await findService(ctx, holder.service)).name };
  const existing = await ctx.tx
    .select()
    .from(roleGrants)
    .where(
      and(
        key.personId ? eq(roleGrants.personId, key.personId) : eq(roleGrants.serviceName, key.serviceName!),
        eq(roleGrants.role, grant.role),
        grant.orgCode ? eq(roleGrants.orgCode, grant.orgCode) : isNull(roleGrants.orgCode),
      ),
    );
  if (existing.length) return;
  await ctx.tx.insert(roleGrants).values({ ...key, role: grant.role, orgCode: grant.orgCode ?? null });
  const target =
    'uid' in holder
      ? { targetType: 'person' as const, targetId: holder.uid }
      : { targetType: 'service' as const, targetId: holder.service };
  await record(ctx.tx, actor, {
    action: 'role.grant',
    ...target,
    after: { role: grant.role, orgCode: grant.orgCode ?? null },
    cause: ctx.cause,
  });
}

/** National administrators take a role away: an audited act of its own. */
export async function revokeRole(ctx: Ctx, actor: Actor, holder: { uid: string } | { service: string }, grant: Grant) {
  requireNational(actor);
  const who =
    'uid' in holder
      ? sql`g.person_id = ${(await findRow(ctx, holder.uid)).id}`
      : sql`g.service_name = ${holder.service}`;
  const org = grant.orgCode ? sql`g.org_code = ${grant.orgCode}` : sql`g.org_code is null`;
  const n = await revokeGrants(ctx, actor, sql`${who} and g.role = ${grant.role} and ${org}`, 'revoked');
  if (n === 0) fail('validation.failed', `No such grant of ${grant.role} to revoke`, { role: 'is not held' });
}

async function findService(ctx: Ctx, name: string) {
  const [s] = await ctx.tx.select().from(services).where(eq(services.name, name));
  if (!s) fail('service.not_found', `No service account is named ${name}`);
  return s;
}

export async function createService(
  ctx: Ctx,
  actor: Actor,
  input: { name: string; description?: string; password?: string; grants?: Grant[] },
) {
  requireNational(actor);
  if (!/^[a-z][a-z0-9-]{0,63}$/.test(input.name))
    fail('validation.failed', 'A service name is lower-case letters, digits and hyphens, starting with a letter', {
      name: 'must match ^[a-z][a-z0-9-]{0,63}$',
    });
  const passwordHash = input.password ? await hashPassword(checkNewPassword(input.password)) : null;
  const [created] = await ctx.tx
    .insert(services)
    .values({ name: input.name, description: input.description ?? null, passwordHash })
    .onConflictDoNothing()
    .returning();
  if (!created) fail('service.exists', `A service account named ${input.name} already exists`);
  await record(ctx.tx, actor, {
    action: 'service.create',
    targetType: 'service',
    targetId: input.name,
    after: { name: input.name, description: input.description ?? null },
    cause: ctx.cause,
  });
  for (const g of input.grants ?? []) await grantRole(ctx, actor, { service: input.name }, g);
  return created;
}

// Who is asking. A bound LDAP identity, a REST token and the sync engine all become an Actor, and
// the core checks it on every write, whichever front end the request came through.
import { fail } from './errors.js';

export type Role = 'national_admin' | 'local_admin' | 'connector' | 'auditor' | 'user';

export interface Actor {
  kind: 'person' | 'service' | 'system';
  /** The person's uid, the service account's name, or "system". */
  name: string;
  /** The person's row id; undefined for services and the system. */
  personId?: number;
  roles: ReadonlySet<Role>;
  /** Organisations this actor administers (local_admin) or feeds (connector). */
  adminOf: ReadonlySet<string>;
  feedsFor: ReadonlySet<string>;
  /** When the person's password last changed (ms since the epoch), where known. */
  passwordChangedAt?: number;
}

/** The process itself: migrations, the demo loader, retention sweeps. */
export const systemActor: Actor = {
  kind: 'system',
  name: 'system',
  roles: new Set(['national_admin']),
  adminOf: new Set(),
  feedsFor: new Set(),
};

export const isNational = (a: Actor) => a.roles.has('national_admin');
export const isAdmin = (a: Actor) => isNational(a) || a.adminOf.size > 0;
export const isAdminOf = (a: Actor, org: string | null | undefined) =>
  isNational(a) || (org != null && a.adminOf.has(org));

export function requireNational(a: Actor): void {
  if (!isNational(a)) fail('auth.forbidden', 'Only a national administrator may do that');
}

export function requireAdminOf(a: Actor, org: string | null | undefined): void {
  if (!isAdminOf(a, org)) fail('auth.forbidden', `Only an administrator of ${org ?? 'the organisation'} may do that`);
}

export function requireAdmin(a: Actor): void {
  if (!isAdmin(a)) fail('auth.forbidden', 'Only administrators may do that');
}

export function requireAuditor(a: Actor): void {
  if (!isNational(a) && !a.roles.has('auditor')) fail('auth.forbidden', 'Only auditors may read the audit log');
}

/** What a person holds beyond "user": a role, and for some roles the organisation it is for. */
export interface HeldRole {
  role: Exclude<Role, 'user'>;
  orgCode: string | null;
}

/**
 * Authority over a person's credentials, roles, organisation and details (architecture rule 11):
 * a national administrator over anyone; an administrator (or the connector) of the person's
 * organisation over a person who holds no role beyond "user". So a local administrator never resets,
 * edits, moves or removes another administrator, an auditor or a national administrator.
 */
export function hasAuthorityOver(a: Actor, org: string | null, held: readonly HeldRole[]): boolean {
  if (isNational(a)) return true;
  const ofOrg = org !== null && (a.adminOf.has(org) || a.feedsFor.has(org));
  return ofOrg && held.length === 0;
}

export function requireAuthorityOver(
  a: Actor,
  who: { uid: string; orgCode: string | null },
  held: readonly HeldRole[],
): void {
  if (hasAuthorityOver(a, who.orgCode, held)) return;
  if (held.length === 0)
    fail('auth.forbidden', `Only an administrator of ${who.orgCode ?? 'their organisation'} may do that to ${who.uid}`);
  const roles = [...new Set(held.map((h) => h.role.replace('_', ' ')))].join(', ');
  fail('auth.forbidden', `${who.uid} holds the role ${roles}: only a national administrator may do that`);
}

// Who may see what: ONE rule, for every front end (LDAP, REST, export, the change feed, the web
// pages). `visibilityOf` turns the caller into the restriction storage ANDs into every query
// (as LLDAP's access-control wrapper narrows list_users); `canSee` answers the same rule for one
// row already in hand (a cached person view).
//
// - active people and mailboxes: everyone signed in (and anonymous LDAP, where it is allowed);
// - leavers: administrators of their organisation and its connector (which makes them);
//   national administrators all;
// - soft-deleted: national administrators only;
// - service accounts: administrators and service accounts;
// - the change log: national administrators, auditors and service accounts all of it; a local
//   administrator the changes to their organisations and to the people in them now.
import type { Visibility } from '../model/search.js';
import { isAdmin, isNational, type Actor } from './actor.js';
import { fail } from './errors.js';

export type { Visibility };

const nobody: Visibility = { deleted: false, leavers: [], services: false, changes: null };
const everything: Visibility = { deleted: true, leavers: true, services: true, changes: { all: true } };

// An actor object lives as long as the read cache keeps it (until a write changes its grants):
// its visibility is made once, not on every search.
const made = new WeakMap<Actor, Visibility>();

/** What `actor` may see (null: an anonymous LDAP client). */
export function visibilityOf(actor: Actor | null): Visibility {
  if (!actor) return nobody;
  let v = made.get(actor);
  if (!v) made.set(actor, (v = compute(actor)));
  return v;
}

function compute(actor: Actor): Visibility {
  if (isNational(actor)) return everything;
  const leavers = [...new Set([...actor.adminOf, ...actor.feedsFor])].sort();
  const allChanges = actor.roles.has('auditor') || actor.kind !== 'person';
  return {
    deleted: false,
    leavers,
    services: actor.kind === 'service' || isAdmin(actor),
    changes: allChanges ? { all: true } : actor.adminOf.size ? { orgs: [...actor.adminOf].sort() } : null,
  };
}

/** The row-level form of the same rule, for a row in hand (REST's cached person views). */
export function canSee(v: Visibility, row: { deletedAt?: unknown; status: string; orgCode: string | null }): boolean {
  if (row.deletedAt) return v.deleted;
  if (row.status === 'leaver') return v.leavers === true || (row.orgCode !== null && v.leavers.includes(row.orgCode));
  return true;
}

/** Whether the caller sees any leavers (REST lists them on request only then). */
export const seesLeavers = (v: Visibility) => v.leavers === true || v.leavers.length > 0;

/** The caller's change-log scope; refused for anyone who may not read it. */
export function changeScope(actor: Actor | null): { all: true } | { orgs: string[] } {
  const scope = visibilityOf(actor).changes;
  if (scope) return scope;
  return fail(
    'auth.forbidden',
    'The change feed is for administrators, auditors and service accounts: it says who did what',
  );
}

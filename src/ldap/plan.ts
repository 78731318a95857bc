// Where a search's base points and which parts of the tree its scope covers, as a list of plan
// steps: fixed entries (the suffix, containers, cn=changelog) and reads of the core (people and
// mailboxes, organisations, address-book containers, services, change-log entries).
import type { PeopleSearch } from '../directory/reads.js';
import { endsWith, parseDn, type Rdn } from './dn.js';
import { LdapError } from './errors.js';
import { type Dit, type Entry } from './mapping.js';
import { Result } from './protocol.js';
import { objectClasses } from './schema.js';

/** People and mailboxes, shown under their own DNs, or under an address book (`own`: each its organisation's). */
export type PeoplePlan = { people: Omit<PeopleSearch, 'filter' | 'limit'>; book?: 'own' | string };
export type SearchPlan =
  | { fixed: Entry }
  | PeoplePlan
  | { orgs: { code?: string } }
  | { bookOus: { code?: string } }
  | { services: { name?: string } }
  | { changes: { seq?: number } };

export type Scope = 0 | 1 | 2;

export const container = (dn: string, ou: string): Entry => ({
  dn,
  attrs: [
    ['objectClass', objectClasses.container],
    ['ou', [ou]],
  ],
});
const containers = ['People', 'Mailboxes', 'Organisations', 'AddressBooks', 'Services'] as const;

export const rdnString = (rdns: Rdn[]) => rdns.map((r) => `${r.type}=${r.value}`).join(',');

const changelogEntry: Entry = {
  dn: 'cn=changelog',
  attrs: [
    ['objectClass', ['top', 'nsContainer']],
    ['cn', ['changelog']],
  ],
};

/** Whether the base is in cn=changelog (draft-good-ldap-changelog), outside the directory's suffix. */
export const inChangeLog = (base: Rdn[]) => endsWith(base, [{ type: 'cn', value: 'changelog' }]);

/** The plan of a search below cn=changelog: the log's own entry, and its changes. */
export function planChangeLog(base: Rdn[], scope: Scope): SearchPlan[] {
  const rel = base.slice(0, -1);
  const log = { fixed: changelogEntry };
  if (rel.length === 0) return scope === 0 ? [log] : scope === 1 ? [{ changes: {} }] : [log, { changes: {} }];
  if (rel.length === 1 && rel[0].type === 'changenumber' && /^\d+$/.test(rel[0].value))
    return scope === 1 ? [] : [{ changes: { seq: Number(rel[0].value) } }];
  throw new LdapError(Result.noSuchObject, 'no such change', 'cn=changelog');
}

/** The plan of a search in the directory's suffix. */
export function planDirectory(dit: Dit, base: Rdn[], scope: Scope): SearchPlan[] {
  const suffix = parseDn(dit.suffix);
  const s = dit.suffix;
  if (!endsWith(base, suffix)) throw new LdapError(Result.noSuchObject, `${rdnString(base)} is not in this directory`);
  const rel = base
    .slice(0, base.length - suffix.length)
    .map((r) => ({ type: r.type, value: r.value, lower: r.value.toLowerCase() }));
  const under = (self: SearchPlan, children: SearchPlan[]): SearchPlan[] =>
    scope === 0 ? [self] : scope === 1 ? children : [self, ...children];
  if (rel.length === 0) {
    const root: Entry = {
      dn: s,
      attrs: [
        ['objectClass', objectClasses.root],
        ...suffix.slice(0, 1).map((r): [string, string[]] => [r.type, [r.value]]),
      ],
    };
    const conts = containers.map((c) => ({ fixed: container(`ou=${c},${s}`, c) }));
    const everything = [...conts, { people: {} }, { orgs: {} }, { bookOus: {} }, { services: {} }];
    return under({ fixed: root }, scope === 1 ? conts : everything);
  }
  const top = rel[rel.length - 1];
  const name = top.type === 'ou' ? containers.find((c) => c.toLowerCase() === top.lower) : undefined;
  if (!name) throw new LdapError(Result.noSuchObject, `no entry ${rdnString(base)}`, s);
  const found = inContainer(name, rel, scope, under, { fixed: container(`ou=${name},${s}`, name) });
  if (!found) throw new LdapError(Result.noSuchObject, `no entry ${rdnString(base)}`, `ou=${name},${s}`);
  return found;
}

type Rel = { type: string; value: string; lower: string }[];

/** The plan below one of the containers; undefined when the base names nothing there. */
function inContainer(
  name: (typeof containers)[number],
  rel: Rel,
  scope: Scope,
  under: (self: SearchPlan, children: SearchPlan[]) => SearchPlan[],
  cont: SearchPlan,
): SearchPlan[] | undefined {
  const leaf = (step: SearchPlan): SearchPlan[] => (scope === 1 ? [] : [step]);
  const at = (i: number, type: string) => rel[i]?.type === type;
  const kind = name === 'People' ? 'person' : 'mailbox';
  switch (rel.length === 1 ? name : `${name}/${rel.length}`) {
    case 'People':
    case 'Mailboxes':
      return under(cont, [{ people: { kind } }]);
    case 'People/2':
    case 'Mailboxes/2':
      return at(0, 'uid') ? leaf({ people: { kind, uid: rel[0].lower } }) : undefined;
    case 'Organisations':
      return under(cont, [{ orgs: {} }]);
    case 'Organisations/2':
      return at(0, 'nhsorgcode') ? leaf({ orgs: { code: rel[0].value } }) : undefined;
    case 'Services':
      return under(cont, [{ services: {} }]);
    case 'Services/2':
      return at(0, 'cn') ? leaf({ services: { name: rel[0].value } }) : undefined;
    case 'AddressBooks':
      return under(
        cont,
        scope === 1 ? [{ bookOus: {} }] : [{ bookOus: {} }, { people: { listedOnly: true }, book: 'own' }],
      );
    case 'AddressBooks/2': {
      if (!at(0, 'ou')) return undefined;
      const code = rel[0].value.toUpperCase();
      return under({ bookOus: { code } }, [{ people: { orgCode: code, listedOnly: true }, book: code }]);
    }
    case 'AddressBooks/3': {
      if (!at(0, 'uid') || !at(1, 'ou')) return undefined;
      const code = rel[1].value.toUpperCase();
      return leaf({ people: { orgCode: code, listedOnly: true, uid: rel[0].lower }, book: code });
    }
  }
  return undefined;
}

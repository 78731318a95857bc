// From RFC 4515 filters to the core's Filter, for each kind of entry. An attribute no entry has is
// Undefined (so the iOS filter's IMHandle does not spoil its OR); a known attribute that this kind of
// entry lacks is false. The few fixed entries (containers, root) are matched in memory.
import { FALSE, simplify, TRUE, UNDEFINED, type Attr, type Filter } from '../model/filter.js';
import type { LdapFilter } from './protocol.js';
import { attributeNames, objectClasses } from './schema.js';

export type EntryType = 'people' | 'organisation' | 'change' | 'bookOu' | 'service';

const attrs: Record<EntryType, Record<string, Attr>> = {
  people: {
    uid: 'uid',
    mail: 'mail',
    nhsmailalias: 'alias',
    cn: 'cn',
    sn: 'sn',
    givenname: 'givenName',
    displayname: 'displayName',
    telephonenumber: 'telephone',
    mobile: 'mobile',
    title: 'title',
    ou: 'department',
    o: 'orgName',
    nhsorgcode: 'orgCode',
    physicaldeliveryofficename: 'site',
    entryuuid: 'entryUuid',
    createtimestamp: 'created',
    modifytimestamp: 'modified',
  },
  organisation: {
    o: 'orgName',
    nhsorgcode: 'orgCode',
    nhsorgstatus: 'orgStatus',
    nhspreviousname: 'previousName',
    nhssuccessororgcode: 'successorCode',
    nhsparentorgcode: 'parentCode',
    entryuuid: 'entryUuid',
    createtimestamp: 'created',
    modifytimestamp: 'modified',
  },
  change: { changenumber: 'changeNumber', changetime: 'created' },
  // The address-book containers (ou=<CODE>,ou=AddressBooks): their one attribute is the code.
  bookOu: { ou: 'orgCode' },
  service: { cn: 'cn', description: 'description', entryuuid: 'entryUuid', createtimestamp: 'created' },
};

/** Attributes every entry of the kind has: present on them is simply true (and the plan simpler). */
const always: Record<EntryType, Set<string>> = {
  people: new Set(['uid', 'mail', 'cn', 'sn', 'displayname', 'entryuuid', 'createtimestamp', 'modifytimestamp']),
  organisation: new Set(['o', 'nhsorgcode', 'nhsorgstatus', 'entryuuid', 'createtimestamp', 'modifytimestamp']),
  change: new Set(['changenumber', 'changetime']),
  bookOu: new Set(['ou']),
  service: new Set(['cn', 'entryuuid', 'createtimestamp']),
};

const lc = (xs: readonly string[]) => xs.map((x) => x.toLowerCase());
const classesOf = {
  person: lc(objectClasses.person),
  mailbox: lc(objectClasses.mailbox),
  organisation: lc(objectClasses.organisation),
  change: lc(objectClasses.change),
  bookOu: lc(objectClasses.container),
  service: lc(objectClasses.service),
};

/** The attribute type without options (`cn;lang-en` → `cn`), lower-cased. */
const baseName = (attr: string) => attr.split(';')[0].toLowerCase();

function objectClassItem(type: EntryType, value: string): Filter {
  const v = value.toLowerCase();
  if (type === 'people') {
    const p = classesOf.person.includes(v);
    const m = classesOf.mailbox.includes(v);
    if (p && m) return TRUE;
    if (p || m) return { attr: 'kind', op: 'eq', value: p ? 'person' : 'mailbox' };
    return FALSE;
  }
  return classesOf[type].includes(v) ? TRUE : FALSE;
}

/** The core's filter for one kind of entry, with constants folded. */
export function toFilter(f: LdapFilter, type: EntryType): Filter {
  return simplify(translate(f, type));
}

function translate(f: LdapFilter, type: EntryType): Filter {
  switch (f.type) {
    case 'and':
      return { and: f.filters.map((x) => translate(x, type)) };
    case 'or':
      return { or: f.filters.map((x) => translate(x, type)) };
    case 'not':
      return { not: translate(f.filter, type) };
    case 'ext':
      return UNDEFINED; // no extensible matching rules are offered
    default:
      break;
  }
  const name = baseName(f.attr);
  if (name === 'objectclass') {
    if (f.type === 'present') return TRUE;
    return f.type === 'eq' || f.type === 'approx' ? objectClassItem(type, f.value) : UNDEFINED;
  }
  const attr = attrs[type][name];
  if (!attr) return attributeNames.has(name) ? FALSE : UNDEFINED;
  if (f.type === 'present' && always[type].has(name)) return TRUE;
  // An old address still finds its person (contract section 2): mail matches aliases too.
  if (attr === 'mail' && f.type !== 'present') return { or: [item(f, 'mail'), item(f, 'alias')] };
  return item(f, attr);
}

function item(f: Exclude<LdapFilter, { type: 'and' | 'or' | 'not' | 'ext' }>, attr: Attr): Filter {
  switch (f.type) {
    case 'present':
      return { attr, op: 'present' };
    case 'sub':
      return { attr, op: 'sub', initial: f.initial, any: f.any, final: f.final };
    // Approximate matching is equality here (RFC 4511 allows it).
    case 'approx':
      return { attr, op: 'eq', value: f.value };
    default:
      return { attr, op: f.type, value: f.value };
  }
}

/** Three-valued match of a small in-memory entry (root, containers, subschema). */
export function matchEntry(f: LdapFilter, entry: Record<string, readonly string[]>): boolean | undefined {
  const values = (a: string) => Object.entries(entry).find(([k]) => k.toLowerCase() === baseName(a))?.[1];
  switch (f.type) {
    case 'and': {
      let r: boolean | undefined = true;
      for (const x of f.filters) {
        const v = matchEntry(x, entry);
        if (v === false) return false;
        if (v === undefined) r = undefined;
      }
      return r;
    }
    case 'or': {
      let r: boolean | undefined = false;
      for (const x of f.filters) {
        const v = matchEntry(x, entry);
        if (v === true) return true;
        if (v === undefined) r = undefined;
      }
      return r;
    }
    case 'not': {
      const v = matchEntry(f.filter, entry);
      return v === undefined ? undefined : !v;
    }
    case 'present':
      return values(f.attr) !== undefined || (attributeNames.has(baseName(f.attr)) ? false : undefined);
    case 'ext':
      return undefined;
    default:
      break;
  }
  const vs = values(f.attr);
  if (!vs) return attributeNames.has(baseName(f.attr)) ? false : undefined;
  const lower = vs.map((v) => v.toLowerCase());
  if (f.type === 'eq' || f.type === 'approx') return lower.includes(f.value.toLowerCase());
  if (f.type === 'ge') return lower.some((v) => v >= f.value.toLowerCase());
  if (f.type === 'le') return lower.some((v) => v <= f.value.toLowerCase());
  if (f.type !== 'sub') return undefined;
  const parts = [f.initial ?? '', ...f.any, f.final ?? ''].map((p) =>
    p.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  );
  const re = new RegExp(`^${parts.join('.*')}$`, 's');
  return lower.some((v) => re.test(v));
}

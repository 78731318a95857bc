// The LDAP mapping: the core's rows as LDAP entries: DNs (contract section 3), attribute values
// (times as GeneralizedTime, formatted here and only here), and the attribute selection of a search
// request (RFC 4511 section 4.5.1.8: "*", "+", "1.1", names; typesOnly). Export names and classes
// address-book entries with it too.
import type { ChangeRow, EntryRow, OrganisationRow, ServiceRow } from '../directory/reads.js';
import { escapeValue } from './dn.js';
import { BerWriter } from './ber.js';
import { objectClasses, operational } from './schema.js';

export type Attrs = [string, readonly string[]][];
export interface Entry {
  dn: string;
  attrs: Attrs;
  /** The row the entry shows, when it is kept in the entry cache: its encodings are kept with it. */
  row?: object;
}

export class Dit {
  constructor(readonly suffix: string) {}
  person = (uid: string) => `uid=${escapeValue(uid)},ou=People,${this.suffix}`;
  mailbox = (uid: string) => `uid=${escapeValue(uid)},ou=Mailboxes,${this.suffix}`;
  inAddressBook = (uid: string, code: string) =>
    `uid=${escapeValue(uid)},ou=${escapeValue(code)},ou=AddressBooks,${this.suffix}`;
  organisation = (code: string) => `nhsOrgCode=${escapeValue(code)},ou=Organisations,${this.suffix}`;
  service = (name: string) => `cn=${escapeValue(name)},ou=Services,${this.suffix}`;
  change = (n: number) => `changeNumber=${n},cn=changelog`;
  entryOf = (row: { kind: string; uid: string }) =>
    row.kind === 'mailbox' ? this.mailbox(row.uid) : this.person(row.uid);
}

const some = (name: string, v: string | null | undefined): Attrs => (v ? [[name, [v]]] : []);
const many = (name: string, vs: readonly string[] | null | undefined): Attrs => (vs?.length ? [[name, vs]] : []);

export function personEntry(dit: Dit, row: EntryRow, addressBook?: string): Entry {
  const dn = addressBook ? dit.inAddressBook(row.uid, addressBook) : dit.entryOf(row);
  // The attributes are built only when they are encoded, which for a row seen before is seldom.
  return {
    dn,
    row,
    get attrs() {
      return personAttributes(dit, row);
    },
  };
}

function personAttributes(dit: Dit, row: EntryRow): Attrs {
  const mailbox = row.kind === 'mailbox';
  return [
    ['objectClass', mailbox ? objectClasses.mailbox : objectClasses.person],
    ['uid', [row.uid]],
    ['cn', [row.cn]],
    ['sn', [row.family_name]],
    ...some('givenName', row.given_name),
    ['displayName', [row.display_name]],
    ['mail', [row.mail]],
    ...many('nhsMailAlias', row.aliases),
    ...some('telephoneNumber', row.telephone),
    ...some('mobile', row.mobile),
    ...some('title', row.title),
    ...some('ou', row.department),
    ...some('o', row.org_name),
    ...some('nhsOrgCode', row.org_code),
    ...some('physicalDeliveryOfficeName', row.site),
    ...some('owner', row.owner_uid && dit.person(row.owner_uid)),
    ...many('nhsDelegate', row.delegates?.map(dit.person)),
    ['entryUUID', [row.entry_uuid]],
    ['createTimestamp', [generalizedTime(row.created_at)]],
    ['modifyTimestamp', [generalizedTime(row.updated_at)]],
  ];
}

/** ISO 8601 in UTC (2026-01-05T09:00:00.000Z) as LDAP's GeneralizedTime (20260105090000Z). */
export const generalizedTime = (iso: string) => `${iso.slice(0, 19).replace(/[-T:]/g, '')}Z`;

export function organisationEntry(dit: Dit, row: OrganisationRow): Entry {
  return {
    dn: dit.organisation(row.code),
    attrs: [
      ['objectClass', objectClasses.organisation],
      ['o', [row.name]],
      ['nhsOrgCode', [row.code]],
      ['nhsOrgStatus', [row.status]],
      ...many('nhsPreviousName', row.previous_names),
      ...some('nhsSuccessorOrgCode', row.successor_code),
      ...some('nhsParentOrgCode', row.parent_code),
      ['entryUUID', [row.entry_uuid]],
      ['createTimestamp', [generalizedTime(row.created)]],
      ['modifyTimestamp', [generalizedTime(row.modified)]],
    ],
  };
}

/** A service account: its name and description, never its password. */
export function serviceEntry(dit: Dit, row: ServiceRow): Entry {
  return {
    dn: dit.service(row.name),
    attrs: [
      ['objectClass', objectClasses.service],
      ['cn', [row.name]],
      ...some('description', row.description),
      ['entryUUID', [row.entry_uuid]],
      ['createTimestamp', [generalizedTime(row.created)]],
    ],
  };
}

// Domain field names in audit records, as the LDAP attributes a replica knows.
const fieldAttribute: Record<string, string> = {
  givenName: 'givenName',
  familyName: 'sn',
  cn: 'cn',
  displayName: 'displayName',
  mail: 'mail',
  title: 'title',
  department: 'ou',
  site: 'physicalDeliveryOfficeName',
  telephone: 'telephoneNumber',
  mobile: 'mobile',
  orgCode: 'nhsOrgCode',
  successorCode: 'nhsSuccessorOrgCode',
};
const orgFieldAttribute: Record<string, string> = {
  ...fieldAttribute,
  name: 'o',
  status: 'nhsOrgStatus',
  code: 'nhsOrgCode',
  parentCode: 'nhsParentOrgCode',
};

/** A change-log entry (draft-good-ldap-changelog): what changed, as LDIF change records. */
export function changeEntry(dit: Dit, row: ChangeRow): Entry {
  const target =
    row.target_type === 'organisation'
      ? dit.organisation(row.target_id)
      : row.target_type === 'service'
        ? dit.service(row.target_id)
        : row.target_type === 'mailbox'
          ? dit.mailbox(row.target_id)
          : dit.person(row.target_id);
  const type = row.action.endsWith('.create') ? 'add' : row.action === 'person.soft_delete' ? 'delete' : 'modify';
  const after = (row.after ?? {}) as Record<string, unknown>;
  const names = row.target_type === 'organisation' ? orgFieldAttribute : fieldAttribute;
  const lines = Object.entries(after).flatMap(([k, v]) => {
    const attr = names[k];
    if (!attr || v === null || typeof v === 'object') return [];
    return type === 'add' ? [`${attr}: ${v}`] : [`replace: ${attr}`, `${attr}: ${v}`, '-'];
  });
  return {
    dn: dit.change(row.seq),
    attrs: [
      ['objectClass', objectClasses.change],
      ['changeNumber', [String(row.seq)]],
      ['targetDN', [target]],
      ['changeType', [type]],
      ...(lines.length ? [['changes', [lines.join('\n') + '\n']] as [string, string[]]] : []),
      ['changeTime', [generalizedTime(row.at)]],
    ],
  };
}

/** Which attributes a search asked for. */
export class Selection {
  private readonly names = new Set<string>();
  readonly all: boolean;
  readonly operational: boolean;
  readonly none: boolean;
  /** What was asked for, as one string: the key of the encodings above. */
  private readonly key: string;

  constructor(
    requested: string[],
    readonly typesOnly: boolean,
  ) {
    for (const r of requested) this.names.add(r.split(';')[0].toLowerCase());
    this.key = `${typesOnly ? 't' : 'v'}${[...this.names].sort().join(' ')}`;
    this.all = requested.length === 0 || this.names.has('*');
    this.operational = this.names.has('+');
    this.none = !this.all && !this.operational && [...this.names].every((n) => n === '1.1');
  }

  wants(name: string): boolean {
    if (this.none) return false;
    if (this.names.has(name.toLowerCase())) return true;
    return operational.has(name) ? this.operational : this.all;
  }

  /** A whole SearchResultEntry message (RFC 4511 section 4.5.2), written in place. */
  writeEntry(w: BerWriter, messageId: number, entry: Entry): void {
    w.start(0x30).int(messageId).start(0x64).string(entry.dn);
    if (entry.row) w.raw(this.encoded(entry.row, entry));
    else this.writeAttributes(w, entry.attrs);
    w.end().end();
  }

  /** The attribute list of a cached row's entry for this selection, encoded once and then copied. */
  private encoded(row: object, entry: Entry): Buffer {
    let bySelection = encodings.get(row);
    if (!bySelection) encodings.set(row, (bySelection = new Map()));
    let bytes = bySelection.get(this.key);
    if (!bytes) {
      const w = new BerWriter(256);
      this.writeAttributes(w, entry.attrs);
      bytes = w.take();
      // A few attribute lists a row: a client asking for ever-different lists must not grow memory.
      if (bySelection.size < ENCODINGS_PER_ROW) bySelection.set(this.key, bytes);
    }
    return bytes;
  }

  private writeAttributes(w: BerWriter, attrs: Attrs) {
    w.start(0x30);
    for (const [name, values] of attrs) {
      if (!this.wants(name)) continue;
      w.start(0x30).string(name).start(0x31);
      if (!this.typesOnly) for (const v of values) w.string(v);
      w.end().end();
    }
    w.end();
  }
}

// Encoded attribute lists by row and selection. Mail clients ask for the same attributes in every
// search, so an entry found again is copied rather than encoded again; a row leaving the entry
// cache takes its encodings with it.
const encodings = new WeakMap<object, Map<string, Buffer>>();
const ENCODINGS_PER_ROW = 4;

// Attribute types and object classes as LDAP presents them, and the cn=Subschema entry.
// The nhs* definitions live under the UUID-based OID arc 2.25.34769803589376912444527480531100450153
// (X.667: usable without registration); .1.x are attribute types, .2.x object classes.

export const ARC = '2.25.34769803589376912444527480531100450153';

/** Canonical spelling by lower-cased name; names not here are unknown (Undefined in filters). */
export const attributeNames = new Map<string, string>([
  'objectClass', 'uid', 'cn', 'sn', 'givenName', 'displayName', 'mail', 'nhsMailAlias', 'telephoneNumber', 'mobile',
  'title', 'ou', 'o', 'nhsOrgCode', 'physicalDeliveryOfficeName', 'entryUUID', 'createTimestamp', 'modifyTimestamp',
  'owner', 'nhsDelegate', 'nhsOrgStatus', 'nhsPreviousName', 'nhsSuccessorOrgCode', 'nhsParentOrgCode', 'description',
  'changeNumber', 'targetDN', 'changeType', 'changes', 'changeTime', 'subschemaSubentry', 'entryDN',
].map((n) => [n.toLowerCase(), n]));

/** Returned only when asked for by name or with "+". */
export const operational = new Set(['entryUUID', 'createTimestamp', 'modifyTimestamp', 'subschemaSubentry', 'entryDN']);

export const objectClasses = {
  person: ['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'nhsPerson'],
  mailbox: ['top', 'inetOrgPerson', 'nhsGenericMailbox'],
  organisation: ['top', 'organization', 'nhsOrganisation'],
  service: ['top', 'applicationProcess', 'simpleSecurityObject'],
  container: ['top', 'organizationalUnit'],
  root: ['top', 'organization'],
  change: ['top', 'changeLogEntry'],
} as const;

const dirString = '1.3.6.1.4.1.1466.115.121.1.15';
const nhsAttributes = [
  ['1.1', 'nhsMailAlias', 'Earlier addresses of the person, kept for good', 'caseIgnoreIA5Match', '1.3.6.1.4.1.1466.115.121.1.26', false],
  ['1.2', 'nhsOrgCode', 'ODS code of the organisation', 'caseIgnoreMatch', dirString, true],
  ['1.3', 'nhsOrgStatus', 'active or closed', 'caseIgnoreMatch', dirString, true],
  ['1.4', 'nhsPreviousName', 'Earlier names of the organisation', 'caseIgnoreMatch', dirString, false],
  ['1.5', 'nhsSuccessorOrgCode', 'ODS code of the organisation that took over a closed one', 'caseIgnoreMatch', dirString, true],
  ['1.6', 'nhsParentOrgCode', 'ODS code of the parent organisation', 'caseIgnoreMatch', dirString, true],
  ['1.7', 'nhsDelegate', 'People who may use a generic mailbox', 'distinguishedNameMatch', '1.3.6.1.4.1.1466.115.121.1.12', false],
] as const;

export const subschemaAttributes: Record<string, string[]> = {
  objectClass: ['top', 'subentry', 'subschema', 'extensibleObject'],
  cn: ['Subschema'],
  attributeTypes: nhsAttributes.map(([oid, name, desc, eq, syntax, single]) =>
    `( ${ARC}.${oid} NAME '${name}' DESC '${desc}' EQUALITY ${eq} SYNTAX ${syntax}${single ? ' SINGLE-VALUE' : ''} )`),
  objectClasses: [
    `( ${ARC}.2.1 NAME 'nhsPerson' DESC 'A member of NHS staff' SUP inetOrgPerson AUXILIARY MAY ( nhsMailAlias $ nhsOrgCode ) )`,
    `( ${ARC}.2.2 NAME 'nhsGenericMailbox' DESC 'A shared team mailbox' SUP inetOrgPerson AUXILIARY MAY ( nhsMailAlias $ nhsOrgCode $ owner $ nhsDelegate ) )`,
    `( ${ARC}.2.3 NAME 'nhsOrganisation' DESC 'An NHS organisation by ODS code' SUP top AUXILIARY MUST nhsOrgCode MAY ( nhsOrgStatus $ nhsPreviousName $ nhsSuccessorOrgCode $ nhsParentOrgCode ) )`,
  ],
};

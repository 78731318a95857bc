// Attribute types and object classes as LDAP presents them, and the cn=Subschema entry: the standard
// definitions the entries use (schema.standard.ts) and the nhs* ones. The nhs* definitions live under
// the UUID-based OID arc 2.25.34769803589376912444527480531100450153 (X.667: usable without
// registration); .1.x are attribute types, .2.x object classes.
import * as standard from './schema.standard.js';
import { definitions } from './schema.standard.js';

export const ARC = '2.25.34769803589376912444527480531100450153';

/** Returned only when asked for by name or with "+". */
export const operational = new Set(['entryUUID', 'createTimestamp', 'modifyTimestamp', 'subschemaSubentry', 'entryDN']);

// Each entry lists one structural class chain (RFC 4512 section 2.4.2) and auxiliary classes. A change
// carries changeTime, which changeLogEntry does not name: extensibleObject allows it.
export const objectClasses = {
  person: ['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'nhsPerson'],
  mailbox: ['top', 'inetOrgPerson', 'nhsGenericMailbox'],
  organisation: ['top', 'organization', 'nhsOrganisation'],
  service: ['top', 'applicationProcess', 'simpleSecurityObject'],
  container: ['top', 'organizationalUnit'],
  root: ['top', 'organization'],
  change: ['top', 'changeLogEntry', 'extensibleObject'],
} as const;

/** The nhs* attribute types. */
export const nhsAttributeTypes = definitions(`
  ( ${ARC}.1.1 NAME 'nhsMailAlias'
    DESC 'Earlier addresses of the person, kept for good'
    EQUALITY caseIgnoreIA5Match
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 )
  ( ${ARC}.1.2 NAME 'nhsOrgCode'
    DESC 'ODS code of the organisation'
    EQUALITY caseIgnoreMatch
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.15
    SINGLE-VALUE )
  ( ${ARC}.1.3 NAME 'nhsOrgStatus'
    DESC 'active or closed'
    EQUALITY caseIgnoreMatch
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.15
    SINGLE-VALUE )
  ( ${ARC}.1.4 NAME 'nhsPreviousName'
    DESC 'Earlier names of the organisation'
    EQUALITY caseIgnoreMatch
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
  ( ${ARC}.1.5 NAME 'nhsSuccessorOrgCode'
    DESC 'ODS code of the organisation that took over a closed one'
    EQUALITY caseIgnoreMatch
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.15
    SINGLE-VALUE )
  ( ${ARC}.1.6 NAME 'nhsParentOrgCode'
    DESC 'ODS code of the parent organisation'
    EQUALITY caseIgnoreMatch
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.15
    SINGLE-VALUE )
  ( ${ARC}.1.7 NAME 'nhsDelegate'
    DESC 'People who may use a generic mailbox'
    EQUALITY distinguishedNameMatch
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )
`);

/**
 * The nhs* object classes: auxiliary, so SUP top (RFC 4512 section 2.4.3: an auxiliary class may not
 * subclass a structural one). A person is an inetOrgPerson with nhsPerson, a mailbox likewise with
 * nhsGenericMailbox, an organisation an organization with nhsOrganisation.
 */
export const nhsObjectClasses = definitions(`
  ( ${ARC}.2.1 NAME 'nhsPerson'
    DESC 'A member of NHS staff'
    SUP top AUXILIARY
    MAY ( nhsMailAlias $ nhsOrgCode ) )
  ( ${ARC}.2.2 NAME 'nhsGenericMailbox'
    DESC 'A shared team mailbox'
    SUP top AUXILIARY
    MAY ( nhsMailAlias $ nhsOrgCode $ owner $ nhsDelegate ) )
  ( ${ARC}.2.3 NAME 'nhsOrganisation'
    DESC 'An NHS organisation by ODS code'
    SUP top AUXILIARY
    MUST nhsOrgCode
    MAY ( nhsOrgStatus $ nhsPreviousName $ nhsSuccessorOrgCode $ nhsParentOrgCode ) )
`);

const namesOf = (def: string) =>
  /NAME (?:'([^']*)'|\(([^)]*)\))/
    .exec(def)!
    .slice(1)
    .join(' ')
    .match(/[\w-]+/g)!;
const allTypes = [...standard.attributeTypes, ...nhsAttributeTypes];
// A supertype (name, distinguishedName) would match its subtypes' values, which filters do not follow.
const supertypes = new Set(allTypes.flatMap((def) => /SUP (\S+)/.exec(def)?.[1].toLowerCase() ?? []));

/**
 * Every attribute type the schema defines but a supertype, by lower-cased name, with its spelling
 * there. A filter item naming one that an entry lacks is false; any other name is unknown, so
 * Undefined (RFC 4511 section 4.5.1.7).
 */
export const attributeNames = new Map<string, string>(
  allTypes
    .map(namesOf)
    .filter((names) => !names.some((n) => supertypes.has(n.toLowerCase())))
    .flat()
    .map((n) => [n.toLowerCase(), n]),
);

/** The cn=Subschema entry (RFC 4512 section 4.2): every definition the entries it governs use. */
export const subschemaAttributes: Record<string, string[]> = {
  objectClass: ['top', 'subentry', 'subschema', 'extensibleObject'],
  cn: ['Subschema'],
  ldapSyntaxes: standard.ldapSyntaxes,
  matchingRules: standard.matchingRules,
  attributeTypes: [...standard.attributeTypes, ...nhsAttributeTypes],
  objectClasses: [...standard.objectClasses, ...nhsObjectClasses],
};

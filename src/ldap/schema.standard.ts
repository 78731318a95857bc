// The standard definitions the directory's entries use, as the RFCs print them (RFC 4512 section 4.2:
// cn=Subschema holds every definition used by the entries it governs). Data, not code: each
// parenthesised block is one definition, read with its whitespace folded to single spaces. Where a
// source is not valid RFC 4512 text the change is said beside it; nothing else differs.

/** The definitions in a text, each on one line. */
export function definitions(text: string): string[] {
  const found: string[] = [];
  let depth = 0;
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    else if (quoted) continue;
    else if (c === '(' && depth++ === 0) start = i;
    else if (c === ')' && --depth === 0) found.push(text.slice(start, i).replace(/\s+/g, ' ').trim() + ' )');
  }
  return found;
}

/** Every syntax named by the definitions below. */
export const ldapSyntaxes: string[] = [
  // RFC 4517 section 3.3
  ...definitions(`
    ( 1.3.6.1.4.1.1466.115.121.1.3 DESC 'Attribute Type Description' )
    ( 1.3.6.1.4.1.1466.115.121.1.6 DESC 'Bit String' )
    ( 1.3.6.1.4.1.1466.115.121.1.7 DESC 'Boolean' )
    ( 1.3.6.1.4.1.1466.115.121.1.12 DESC 'DN' )
    ( 1.3.6.1.4.1.1466.115.121.1.14 DESC 'Delivery Method' )
    ( 1.3.6.1.4.1.1466.115.121.1.15 DESC 'Directory String' )
    ( 1.3.6.1.4.1.1466.115.121.1.16
      DESC 'DIT Content Rule Description' )
    ( 1.3.6.1.4.1.1466.115.121.1.17
      DESC 'DIT Structure Rule Description' )
    ( 1.3.6.1.4.1.1466.115.121.1.22 DESC 'Facsimile Telephone Number')
    ( 1.3.6.1.4.1.1466.115.121.1.23 DESC 'Fax' )
    ( 1.3.6.1.4.1.1466.115.121.1.24 DESC 'Generalized Time' )
    ( 1.3.6.1.4.1.1466.115.121.1.25 DESC 'Guide' )
    ( 1.3.6.1.4.1.1466.115.121.1.26 DESC 'IA5 String' )
    ( 1.3.6.1.4.1.1466.115.121.1.27 DESC 'INTEGER' )
    ( 1.3.6.1.4.1.1466.115.121.1.28 DESC 'JPEG' )
    ( 1.3.6.1.4.1.1466.115.121.1.30 DESC 'Matching Rule Description' )
    ( 1.3.6.1.4.1.1466.115.121.1.31
      DESC 'Matching Rule Use Description' )
    ( 1.3.6.1.4.1.1466.115.121.1.35 DESC 'Name Form Description' )
    ( 1.3.6.1.4.1.1466.115.121.1.36 DESC 'Numeric String' )
    ( 1.3.6.1.4.1.1466.115.121.1.37 DESC 'Object Class Description' )
    ( 1.3.6.1.4.1.1466.115.121.1.38 DESC 'OID' )
    ( 1.3.6.1.4.1.1466.115.121.1.40 DESC 'Octet String' )
    ( 1.3.6.1.4.1.1466.115.121.1.41 DESC 'Postal Address' )
    ( 1.3.6.1.4.1.1466.115.121.1.44 DESC 'Printable String' )
    ( 1.3.6.1.4.1.1466.115.121.1.50 DESC 'Telephone Number' )
    ( 1.3.6.1.4.1.1466.115.121.1.51
      DESC 'Teletex Terminal Identifier' )
    ( 1.3.6.1.4.1.1466.115.121.1.52 DESC 'Telex Number' )
    ( 1.3.6.1.4.1.1466.115.121.1.54 DESC 'LDAP Syntax Description' )
    ( 1.3.6.1.4.1.1466.115.121.1.58 DESC 'Substring Assertion' )
  `),
  // RFC 4523 sections 2.1 and 2.5
  ...definitions(`
    ( 1.3.6.1.4.1.1466.115.121.1.8 DESC 'X.509 Certificate' )
    ( 1.3.6.1.1.15.1 DESC 'X.509 Certificate Exact Assertion' )
  `),
  // RFC 4530 section 2.1 (UUID)
  ...definitions(`
    ( 1.3.6.1.1.16.1 DESC 'UUID' )
  `),
  // RFC 3672 section 2.1
  ...definitions(`
    ( 1.3.6.1.4.1.1466.115.121.1.45 DESC 'SubtreeSpecification' )
  `),
  // RFC 2252 section 6.5, as RFC 2798 section 9.2.1 repeats it: RFC 4517 dropped Binary, RFC 2798 names it
  ...definitions(`
    ( 1.3.6.1.4.1.1466.115.121.1.5 DESC 'Binary' )
  `),
];

/** Every matching rule named by the attribute types below. */
export const matchingRules: string[] = [
  // RFC 4517 section 4.2
  ...definitions(`
    ( 2.5.13.16 NAME 'bitStringMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.6 )
    ( 2.5.13.13 NAME 'booleanMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.7 )
    ( 2.5.13.5 NAME 'caseExactMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
    ( 2.5.13.7 NAME 'caseExactSubstringsMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.58 )
    ( 1.3.6.1.4.1.1466.109.114.1 NAME 'caseExactIA5Match'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 )
    ( 1.3.6.1.4.1.1466.109.114.2 NAME 'caseIgnoreIA5Match'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 )
    ( 1.3.6.1.4.1.1466.109.114.3 NAME 'caseIgnoreIA5SubstringsMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.58 )
    ( 2.5.13.11 NAME 'caseIgnoreListMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.41 )
    ( 2.5.13.12 NAME 'caseIgnoreListSubstringsMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.58 )
    ( 2.5.13.2 NAME 'caseIgnoreMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
    ( 2.5.13.4 NAME 'caseIgnoreSubstringsMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.58 )
    ( 2.5.13.1 NAME 'distinguishedNameMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )
    ( 2.5.13.27 NAME 'generalizedTimeMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 )
    ( 2.5.13.28 NAME 'generalizedTimeOrderingMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 )
    ( 2.5.13.29 NAME 'integerFirstComponentMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 )
    ( 2.5.13.14 NAME 'integerMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 )
    ( 2.5.13.15 NAME 'integerOrderingMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 )
    ( 2.5.13.8 NAME 'numericStringMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.36 )
    ( 2.5.13.10 NAME 'numericStringSubstringsMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.58 )
    ( 2.5.13.30 NAME 'objectIdentifierFirstComponentMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.38 )
    ( 2.5.13.0 NAME 'objectIdentifierMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.38 )
    ( 2.5.13.17 NAME 'octetStringMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )
    ( 2.5.13.20 NAME 'telephoneNumberMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.50 )
    ( 2.5.13.21 NAME 'telephoneNumberSubstringsMatch'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.58 )
  `),
  // RFC 4523 section 3.1
  ...definitions(`
    ( 2.5.13.34 NAME 'certificateExactMatch'
      DESC 'X.509 Certificate Exact Match'
      SYNTAX 1.3.6.1.1.15.1 )
  `),
  // RFC 4530 sections 2.2 and 2.3
  ...definitions(`
    ( 1.3.6.1.1.16.2 NAME 'uuidMatch'
      SYNTAX 1.3.6.1.1.16.1 )
    ( 1.3.6.1.1.16.3 NAME 'uuidOrderingMatch'
      SYNTAX 1.3.6.1.1.16.1 )
  `),
];

/** Every attribute type the entries, the rootDSE and this subschema entry hold, and all the classes below name. */
export const attributeTypes: string[] = [
  // RFC 4512 sections 3.3, 3.4, 4.2 and 5.1
  ...definitions(`
    ( 2.5.4.0 NAME 'objectClass'
      EQUALITY objectIdentifierMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.38 )
    ( 2.5.18.1 NAME 'createTimestamp'
      EQUALITY generalizedTimeMatch
      ORDERING generalizedTimeOrderingMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.24
      SINGLE-VALUE NO-USER-MODIFICATION
      USAGE directoryOperation )
    ( 2.5.18.2 NAME 'modifyTimestamp'
      EQUALITY generalizedTimeMatch
      ORDERING generalizedTimeOrderingMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.24
      SINGLE-VALUE NO-USER-MODIFICATION
      USAGE directoryOperation )
    ( 2.5.18.10 NAME 'subschemaSubentry'
      EQUALITY distinguishedNameMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.12
      SINGLE-VALUE NO-USER-MODIFICATION
      USAGE directoryOperation )
    ( 2.5.21.1 NAME 'dITStructureRules'
      EQUALITY integerFirstComponentMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.17
      USAGE directoryOperation )
    ( 2.5.21.2 NAME 'dITContentRules'
      EQUALITY objectIdentifierFirstComponentMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.16
      USAGE directoryOperation )
    ( 2.5.21.4 NAME 'matchingRules'
      EQUALITY objectIdentifierFirstComponentMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.30
      USAGE directoryOperation )
    ( 2.5.21.5 NAME 'attributeTypes'
      EQUALITY objectIdentifierFirstComponentMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.3
      USAGE directoryOperation )
    ( 2.5.21.6 NAME 'objectClasses'
      EQUALITY objectIdentifierFirstComponentMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.37
      USAGE directoryOperation )
    ( 2.5.21.7 NAME 'nameForms'
      EQUALITY objectIdentifierFirstComponentMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.35
      USAGE directoryOperation )
    ( 2.5.21.8 NAME 'matchingRuleUse'
      EQUALITY objectIdentifierFirstComponentMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.31
      USAGE directoryOperation )
    ( 1.3.6.1.4.1.1466.101.120.16 NAME 'ldapSyntaxes'
      EQUALITY objectIdentifierFirstComponentMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.54
      USAGE directoryOperation )
    ( 1.3.6.1.4.1.1466.101.120.5 NAME 'namingContexts'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.12
      USAGE dSAOperation )
    ( 1.3.6.1.4.1.1466.101.120.13 NAME 'supportedControl'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.38
      USAGE dSAOperation )
    ( 1.3.6.1.4.1.1466.101.120.7 NAME 'supportedExtension'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.38
      USAGE dSAOperation )
    ( 1.3.6.1.4.1.1466.101.120.15 NAME 'supportedLDAPVersion'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.27
      USAGE dSAOperation )
    ( 1.3.6.1.4.1.1466.101.120.14 NAME 'supportedSASLMechanisms'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15
      USAGE dSAOperation )
  `),
  // RFC 3672 section 2.3; SYNTAX moved before SINGLE-VALUE, where RFC 4512 section 4.1.2 puts it
  ...definitions(`
    ( 2.5.18.6 NAME 'subtreeSpecification'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.45
      SINGLE-VALUE
      USAGE directoryOperation )
  `),
  // RFC 4519 section 2
  ...definitions(`
    ( 2.5.4.15 NAME 'businessCategory'
      EQUALITY caseIgnoreMatch
      SUBSTR caseIgnoreSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
    ( 2.5.4.3 NAME 'cn'
      SUP name )
    ( 2.5.4.13 NAME 'description'
      EQUALITY caseIgnoreMatch
      SUBSTR caseIgnoreSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
    ( 2.5.4.27 NAME 'destinationIndicator'
      EQUALITY caseIgnoreMatch
      SUBSTR caseIgnoreSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.44 )
    ( 2.5.4.49 NAME 'distinguishedName'
      EQUALITY distinguishedNameMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )
    ( 2.5.4.23 NAME 'facsimileTelephoneNumber'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.22 )
    ( 2.5.4.42 NAME 'givenName'
      SUP name )
    ( 2.5.4.43 NAME 'initials'
      SUP name )
    ( 2.5.4.25 NAME 'internationalISDNNumber'
      EQUALITY numericStringMatch
      SUBSTR numericStringSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.36 )
    ( 2.5.4.7 NAME 'l'
      SUP name )
    ( 2.5.4.41 NAME 'name'
      EQUALITY caseIgnoreMatch
      SUBSTR caseIgnoreSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
    ( 2.5.4.10 NAME 'o'
      SUP name )
    ( 2.5.4.11 NAME 'ou'
      SUP name )
    ( 2.5.4.32 NAME 'owner'
      SUP distinguishedName )
    ( 2.5.4.19 NAME 'physicalDeliveryOfficeName'
      EQUALITY caseIgnoreMatch
      SUBSTR caseIgnoreSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
    ( 2.5.4.16 NAME 'postalAddress'
      EQUALITY caseIgnoreListMatch
      SUBSTR caseIgnoreListSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.41 )
    ( 2.5.4.17 NAME 'postalCode'
      EQUALITY caseIgnoreMatch
      SUBSTR caseIgnoreSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
    ( 2.5.4.18 NAME 'postOfficeBox'
      EQUALITY caseIgnoreMatch
      SUBSTR caseIgnoreSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
    ( 2.5.4.28 NAME 'preferredDeliveryMethod'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.14
      SINGLE-VALUE )
    ( 2.5.4.26 NAME 'registeredAddress'
      SUP postalAddress
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.41 )
    ( 2.5.4.14 NAME 'searchGuide'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.25 )
    ( 2.5.4.34 NAME 'seeAlso'
      SUP distinguishedName )
    ( 2.5.4.4 NAME 'sn'
      SUP name )
    ( 2.5.4.8 NAME 'st'
      SUP name )
    ( 2.5.4.9 NAME 'street'
      EQUALITY caseIgnoreMatch
      SUBSTR caseIgnoreSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
    ( 2.5.4.20 NAME 'telephoneNumber'
      EQUALITY telephoneNumberMatch
      SUBSTR telephoneNumberSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.50 )
    ( 2.5.4.22 NAME 'teletexTerminalIdentifier'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.51 )
    ( 2.5.4.21 NAME 'telexNumber'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.52 )
    ( 2.5.4.12 NAME 'title'
      SUP name )
    ( 0.9.2342.19200300.100.1.1 NAME 'uid'
      EQUALITY caseIgnoreMatch
      SUBSTR caseIgnoreSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
    ( 2.5.4.35 NAME 'userPassword'
      EQUALITY octetStringMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )
    ( 2.5.4.24 NAME 'x121Address'
      EQUALITY numericStringMatch
      SUBSTR numericStringSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.36 )
    ( 2.5.4.45 NAME 'x500UniqueIdentifier'
      EQUALITY bitStringMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.6 )
  `),
  // RFC 4524 section 2
  ...definitions(`
    ( 0.9.2342.19200300.100.1.20 NAME 'homePhone'
      EQUALITY telephoneNumberMatch
      SUBSTR telephoneNumberSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.50 )
    ( 0.9.2342.19200300.100.1.39 NAME 'homePostalAddress'
      EQUALITY caseIgnoreListMatch
      SUBSTR caseIgnoreListSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.41 )
    ( 0.9.2342.19200300.100.1.3 NAME 'mail'
      EQUALITY caseIgnoreIA5Match
      SUBSTR caseIgnoreIA5SubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.26{256} )
    ( 0.9.2342.19200300.100.1.10 NAME 'manager'
      EQUALITY distinguishedNameMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )
    ( 0.9.2342.19200300.100.1.41 NAME 'mobile'
      EQUALITY telephoneNumberMatch
      SUBSTR telephoneNumberSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.50 )
    ( 0.9.2342.19200300.100.1.42 NAME 'pager'
      EQUALITY telephoneNumberMatch
      SUBSTR telephoneNumberSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.50 )
    ( 0.9.2342.19200300.100.1.6 NAME 'roomNumber'
      EQUALITY caseIgnoreMatch
      SUBSTR caseIgnoreSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{256} )
    ( 0.9.2342.19200300.100.1.21 NAME 'secretary'
      EQUALITY distinguishedNameMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )
  `),
  // RFC 2798 section 2; audio, photo and labeledURI from its section 9.1 (RFC 4524 left audio and photo out).
  // RFC 2798 gives photo no SYNTAX, which RFC 4512 section 4.1.2 requires: Fax (RFC 4517 section 3.3.12),
  // the syntax of its G3 images, is added.
  ...definitions(`
    ( 2.16.840.1.113730.3.1.1 NAME 'carLicense'
      DESC 'vehicle license or registration plate'
      EQUALITY caseIgnoreMatch
      SUBSTR caseIgnoreSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
    ( 2.16.840.1.113730.3.1.2
      NAME 'departmentNumber'
      DESC 'identifies a department within an organization'
      EQUALITY caseIgnoreMatch
      SUBSTR caseIgnoreSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
    ( 2.16.840.1.113730.3.1.241
      NAME 'displayName'
      DESC 'preferred name of a person to be used when displaying entries'
      EQUALITY caseIgnoreMatch
      SUBSTR caseIgnoreSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15
      SINGLE-VALUE )
    ( 2.16.840.1.113730.3.1.3
      NAME 'employeeNumber'
      DESC 'numerically identifies an employee within an organization'
      EQUALITY caseIgnoreMatch
      SUBSTR caseIgnoreSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15
      SINGLE-VALUE )
    ( 2.16.840.1.113730.3.1.4
      NAME 'employeeType'
      DESC 'type of employment for a person'
      EQUALITY caseIgnoreMatch
      SUBSTR caseIgnoreSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
    ( 2.16.840.1.113730.3.1.39
      NAME 'preferredLanguage'
      DESC 'preferred written or spoken language for a person'
      EQUALITY caseIgnoreMatch
      SUBSTR caseIgnoreSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15
      SINGLE-VALUE )
    ( 2.16.840.1.113730.3.1.40
      NAME 'userSMIMECertificate'
      DESC 'PKCS#7 SignedData used to support S/MIME'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.5 )
    ( 2.16.840.1.113730.3.1.216
      NAME 'userPKCS12'
      DESC 'PKCS #12 PFX PDU for exchange of personal identity information'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.5 )
    ( 0.9.2342.19200300.100.1.60
      NAME 'jpegPhoto'
      DESC 'a JPEG image'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.28 )
    ( 0.9.2342.19200300.100.1.55
      NAME 'audio'
      EQUALITY octetStringMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.40{250000} )
    ( 0.9.2342.19200300.100.1.7
      NAME 'photo'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.23 )
    ( 1.3.6.1.4.1.250.1.57
      NAME 'labeledURI'
      EQUALITY caseExactMatch
      SUBSTR caseExactSubstringsMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
  `),
  // RFC 4523 section 4.1
  ...definitions(`
    ( 2.5.4.36 NAME 'userCertificate'
      DESC 'X.509 user certificate'
      EQUALITY certificateExactMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.8 )
  `),
  // RFC 4530 section 2.4
  ...definitions(`
    ( 1.3.6.1.1.16.4 NAME 'entryUUID'
      DESC 'UUID of the entry'
      EQUALITY uuidMatch
      ORDERING uuidOrderingMatch
      SYNTAX 1.3.6.1.1.16.1
      SINGLE-VALUE
      NO-USER-MODIFICATION
      USAGE directoryOperation )
  `),
  // RFC 3045 section 2
  ...definitions(`
    ( 1.3.6.1.1.4 NAME 'vendorName' EQUALITY
      1.3.6.1.4.1.1466.109.114.1 SYNTAX 1.3.6.1.4.1.1466.115.121.1.15
      SINGLE-VALUE NO-USER-MODIFICATION USAGE dSAOperation )
    ( 1.3.6.1.1.5 NAME 'vendorVersion' EQUALITY
      1.3.6.1.4.1.1466.109.114.1 SYNTAX 1.3.6.1.4.1.1466.115.121.1.15
      SINGLE-VALUE NO-USER-MODIFICATION USAGE dSAOperation )
  `),
  // RFC 5020 section 2
  ...definitions(`
    ( 1.3.6.1.1.20 NAME 'entryDN'
      DESC 'DN of the entry'
      EQUALITY distinguishedNameMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.12
      SINGLE-VALUE
      NO-USER-MODIFICATION
      USAGE directoryOperation )
  `),
  // draft-good-ldap-changelog-01 (changelog from its section on the root DSE). It writes syntaxes by name
  // in quotes ('INTEGER', 'DN', 'DirectoryString', 'OctetString', 'BOOLEAN') and quotes two rule names,
  // which RFC 4512 does not allow: here they are the OIDs RFC 4517 gives those syntaxes, the rules
  // unquoted, fields in RFC 4512's order, and the apostrophe in "server's" escaped as \27.
  ...definitions(`
    ( 2.16.840.1.113730.3.1.5
      NAME 'changeNumber'
      DESC 'a number which uniquely identifies a change made to a
            directory entry'
      EQUALITY integerMatch
      ORDERING integerOrderingMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 )
    ( 2.16.840.1.113730.3.1.6
      NAME 'targetDN'
      DESC 'the DN of the entry which was modified'
      EQUALITY distinguishedNameMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )
    ( 2.16.840.1.113730.3.1.7
      NAME 'changeType'
      DESC 'the type of change made to an entry'
      EQUALITY caseIgnoreMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
    ( 2.16.840.1.113730.3.1.8
      NAME 'changes'
      DESC 'a set of changes to apply to an entry'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )
    ( 2.16.840.1.113730.3.1.9
      NAME 'newRDN'
      DESC 'the new RDN of an entry which is the target of a
            modrdn operation'
      EQUALITY distinguishedNameMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )
    ( 2.16.840.1.113730.3.1.10
      NAME 'deleteOldRDN'
      DESC 'a flag which indicates if the old RDN should be retained
            as an attribute of the entry'
      EQUALITY booleanMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.7 )
    ( 2.16.840.1.113730.3.1.11
      NAME 'newSuperior'
      DESC 'the new parent of an entry which is the target of a
            moddn operation'
      EQUALITY distinguishedNameMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )
    ( 2.16.840.1.113730.3.1.35
      NAME 'changelog'
      DESC 'the distinguished name of the entry which contains
            the set of entries comprising this server\\27s changelog'
      EQUALITY distinguishedNameMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )
  `),
  // Not in the draft: changeTime as Netscape Directory Server defined it (Sun's and 389's kept it), and
  // the root DSE's bounds of the change log, firstChangeNumber and lastChangeNumber, as OpenDS defined
  // them (OpenDJ and PingDS kept them).
  ...definitions(`
    ( 2.16.840.1.113730.3.1.77 NAME 'changeTime'
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
    ( 1.3.6.1.4.1.26027.1.1.593 NAME 'firstChangeNumber'
      EQUALITY integerMatch
      ORDERING integerOrderingMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.27
      SINGLE-VALUE
      USAGE directoryOperation )
    ( 1.3.6.1.4.1.26027.1.1.594 NAME 'lastChangeNumber'
      EQUALITY integerMatch
      ORDERING integerOrderingMatch
      SYNTAX 1.3.6.1.4.1.1466.115.121.1.27
      SINGLE-VALUE
      USAGE directoryOperation )
  `),
];

/** Every object class an entry, the rootDSE or this subschema entry lists, and their superclasses. */
export const objectClasses: string[] = [
  // RFC 4512 sections 2.4.1, 4.2 and 4.3
  ...definitions(`
    ( 2.5.6.0 NAME 'top' ABSTRACT MUST objectClass )
    ( 1.3.6.1.4.1.1466.101.120.111 NAME 'extensibleObject'
      SUP top AUXILIARY )
    ( 2.5.20.1 NAME 'subschema' AUXILIARY
      MAY ( dITStructureRules $ nameForms $ ditContentRules $
      objectClasses $ attributeTypes $ matchingRules $
      matchingRuleUse ) )
  `),
  // RFC 3672 section 2.4
  ...definitions(`
    ( 2.5.17.0 NAME 'subentry'
      SUP top STRUCTURAL
      MUST ( cn $ subtreeSpecification ) )
  `),
  // RFC 4519 section 3
  ...definitions(`
    ( 2.5.6.11 NAME 'applicationProcess'
      SUP top
      STRUCTURAL
      MUST cn
      MAY ( seeAlso $
      ou $
      l $
      description ) )
    ( 2.5.6.4 NAME 'organization'
      SUP top
      STRUCTURAL
      MUST o
      MAY ( userPassword $ searchGuide $ seeAlso $
      businessCategory $ x121Address $ registeredAddress $
      destinationIndicator $ preferredDeliveryMethod $
      telexNumber $ teletexTerminalIdentifier $
      telephoneNumber $ internationalISDNNumber $
      facsimileTelephoneNumber $ street $ postOfficeBox $
      postalCode $ postalAddress $ physicalDeliveryOfficeName $
      st $ l $ description ) )
    ( 2.5.6.7 NAME 'organizationalPerson'
      SUP person
      STRUCTURAL
      MAY ( title $ x121Address $ registeredAddress $
      destinationIndicator $ preferredDeliveryMethod $
      telexNumber $ teletexTerminalIdentifier $
      telephoneNumber $ internationalISDNNumber $
      facsimileTelephoneNumber $ street $ postOfficeBox $
      postalCode $ postalAddress $ physicalDeliveryOfficeName $
      ou $ st $ l ) )
    ( 2.5.6.5 NAME 'organizationalUnit'
      SUP top
      STRUCTURAL
      MUST ou
      MAY ( businessCategory $ description $ destinationIndicator $
      facsimileTelephoneNumber $ internationalISDNNumber $ l $
      physicalDeliveryOfficeName $ postalAddress $ postalCode $
      postOfficeBox $ preferredDeliveryMethod $
      registeredAddress $ searchGuide $ seeAlso $ st $ street $
      telephoneNumber $ teletexTerminalIdentifier $
      telexNumber $ userPassword $ x121Address ) )
    ( 2.5.6.6 NAME 'person'
      SUP top
      STRUCTURAL
      MUST ( sn $
      cn )
      MAY ( userPassword $
      telephoneNumber $
      seeAlso $ description ) )
  `),
  // RFC 2798 section 3
  ...definitions(`
    ( 2.16.840.1.113730.3.2.2
      NAME 'inetOrgPerson'
      SUP organizationalPerson
      STRUCTURAL
      MAY (
      audio $ businessCategory $ carLicense $ departmentNumber $
      displayName $ employeeNumber $ employeeType $ givenName $
      homePhone $ homePostalAddress $ initials $ jpegPhoto $
      labeledURI $ mail $ manager $ mobile $ o $ pager $
      photo $ roomNumber $ secretary $ uid $ userCertificate $
      x500uniqueIdentifier $ preferredLanguage $
      userSMIMECertificate $ userPKCS12
      )
      )
  `),
  // RFC 4524 section 3.9
  ...definitions(`
    ( 0.9.2342.19200300.100.4.19 NAME 'simpleSecurityObject'
      SUP top AUXILIARY
      MUST userPassword )
  `),
  // draft-good-ldap-changelog-01
  ...definitions(`
    ( 2.16.840.1.113730.3.2.1
      NAME 'changeLogEntry'
      SUP top
      STRUCTURAL
      MUST (
        changeNumber $ targetDN $ changeType
      )
      MAY (
        changes $ newRDN $ deleteOldRDN $ newSuperior
      )
    )
  `),
  // cn=changelog's class, as Netscape Directory Server defined it (389's kept it)
  ...definitions(`
    ( 2.16.840.1.113730.3.2.104 NAME 'nsContainer'
      SUP top STRUCTURAL
      MUST cn )
  `),
];

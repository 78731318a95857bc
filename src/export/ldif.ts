// LDIF (RFC 2849): `version: 1`, base64 for values that are not SAFE-STRINGs, lines folded at 76.
import { objectClasses } from '../ldap/schema.js';
import type { Dit } from '../ldap/mapping.js';
import type { BookEntry } from '../directory/reads.js';

// RFC 2849's SAFE-CHAR and SAFE-INIT-CHAR are ranges of control characters too.
// eslint-disable-next-line no-control-regex
const safe = /^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/;

export function ldifLine(name: string, value: string): string {
  const line =
    value === '' || (safe.test(value) && !value.endsWith(' '))
      ? `${name}: ${value}`
      : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
  // Every character of such a line is ASCII, so folding by characters is folding by octets.
  const parts = [line.slice(0, 76)];
  for (let i = 76; i < line.length; i += 75) parts.push(` ${line.slice(i, i + 75)}`);
  return parts.join('\n') + '\n';
}

export const ldifHeader = 'version: 1\n\n';

/** One address-book entry, named and classed as the LDAP directory shows it (its DN escaped as LDAP's). */
export function ldifEntry(e: BookEntry, dit: Dit): string {
  const attrs: [string, string | null][] = [
    ['dn', dit.inAddressBook(e.uid, e.org_code)],
    ...(e.kind === 'mailbox' ? objectClasses.mailbox : objectClasses.person).map((c): [string, string] => [
      'objectClass',
      c,
    ]),
    ['uid', e.uid],
    ['cn', e.cn],
    ['sn', e.family_name],
    ['givenName', e.given_name],
    ['displayName', e.display_name],
    ['mail', e.mail],
    ['telephoneNumber', e.telephone],
    ['mobile', e.mobile],
    ['title', e.title],
    ['ou', e.department],
    ['o', e.org_name],
    ['nhsOrgCode', e.org_code],
    ['physicalDeliveryOfficeName', e.site],
  ];
  return (
    attrs
      .filter(([, v]) => v !== null)
      .map(([k, v]) => ldifLine(k, v!))
      .join('') + '\n'
  );
}

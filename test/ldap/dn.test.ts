// Distinguished names (RFC 4514) as the LDAP front end reads them: types lower-cased, values
// unescaped (\, \+ \" and the rest, and \XX hex pairs as UTF-8), separators `,` and `;`, and
// anything that is not a DN refused. escapeValue writes what parseDn reads back.
import t from 'tap';
import { DnError, endsWith, escapeValue, parseDn } from '../../src/ldap/dn.js';

const values = (dn: string) => parseDn(dn).map((r) => r.value);
/** What parseDn throws for `dn`, or null when it parses. */
function refusal(dn: string): unknown {
  try {
    parseDn(dn);
    return null;
  } catch (e) {
    return e;
  }
}

t.test('RDNs in order, types lower-cased, spaces around names and values dropped', async (t) => {
  t.same(parseDn('uid=Jane.Smith, ou=People,O=NHS'), [
    { type: 'uid', value: 'Jane.Smith' },
    { type: 'ou', value: 'People' },
    { type: 'o', value: 'NHS' },
  ]);
  t.same(parseDn('CN = Jane ; o = nhs'), [
    { type: 'cn', value: 'Jane' },
    { type: 'o', value: 'nhs' },
  ]);
  t.same(parseDn('2.5.4.3=Jane,o=nhs')[0], { type: '2.5.4.3', value: 'Jane' }, 'an OID as the type');
  t.same(parseDn(''), [], 'the root DSE');
  t.same(parseDn('   '), []);
});

t.test('escapes: special characters, hex pairs as UTF-8, leading space and #', async (t) => {
  t.same(values('cn=Smith\\, Jane,o=nhs'), ['Smith, Jane', 'nhs'], 'an escaped comma is no separator');
  t.same(values('cn=Smith\\; Jane;o=nhs'), ['Smith; Jane', 'nhs']);
  t.same(values('cn=a\\+b,o=nhs'), ['a+b', 'nhs'], 'an escaped plus is no multi-valued RDN');
  t.same(values('cn=\\"q\\" \\<x\\> \\= \\\\,o=nhs'), ['"q" <x> = \\', 'nhs']);
  t.same(values('cn=Zo\\C3\\AB,o=nhs'), ['Zoë', 'nhs'], 'hex pairs are UTF-8 bytes');
  t.same(values('cn=Zo\\c3\\ab,o=nhs'), ['Zoë', 'nhs'], 'in either case');
  t.same(values('cn=\\2C,o=nhs'), [',', 'nhs'], 'a hex-escaped comma');
  t.same(values('cn=\\ lead,o=nhs'), [' lead', 'nhs'], 'an escaped leading space is kept');
  t.same(values('cn=\\#hash,o=nhs'), ['#hash', 'nhs'], 'an escaped leading #');
});

t.test('what is not a DN is refused', async (t) => {
  for (const dn of ['nonsense', '=value,o=nhs', 'cn=a,,o=nhs', 'cn=a+sn=b,o=nhs', '1cn=a', 'c n=a', 'cn_x=a', 'cn=a,'])
    t.type(refusal(dn), DnError, JSON.stringify(dn));
});

t.test('escapeValue writes what parseDn reads back', async (t) => {
  t.equal(escapeValue('Smith, Jane'), 'Smith\\, Jane');
  t.equal(escapeValue('a+b"c\\d<e>f;g=h'), 'a\\+b\\"c\\\\d\\<e\\>f\\;g\\=h');
  t.equal(escapeValue('#1'), '\\#1', 'a leading # is escaped');
  t.equal(escapeValue('a#1'), 'a#1', 'elsewhere it is not');
  t.equal(escapeValue(' lead'), '\\ lead');
  t.equal(escapeValue('Zoë'), 'Zoë', 'UTF-8 stays as it is');
  for (const v of ['Smith, Jane', 'a+b', '"quoted"', 'back\\slash', '#hash', ' lead', 'Zoë', "O'Brien; =<>"])
    t.same(values(`cn=${escapeValue(v)},o=nhs`), [v, 'nhs'], JSON.stringify(v));
});

// RFC 4514 section 2.4 escapes a trailing space ("trail\ "); parseDn trims the value before it
// unescapes it, so the escaped space is lost and its backslash kept. Left to the LDAP front end's
// owner (src/ldap is not this change's); the test says what a client should see.
t.test('a trailing escaped space survives the round trip', async (t) => {
  t.equal(escapeValue('trail '), 'trail\\ ');
  t.same(values('cn=trail\\ ,o=nhs'), ['trail ', 'nhs']);
  t.equal(escapeValue(' '), '\\ ', 'a value of one space is escaped once');
  for (const v of ['trail ', ' ', 'x  ']) t.same(values(`cn=${escapeValue(v)},o=nhs`), [v, 'nhs'], JSON.stringify(v));
});

t.test('endsWith compares types and values without regard to case', async (t) => {
  const dn = parseDn('uid=jane.smith,ou=People,o=NHS');
  t.ok(endsWith(dn, parseDn('OU=people, o=nhs')));
  t.ok(endsWith(dn, parseDn('o=nhs')));
  t.ok(endsWith(dn, []), 'everything is under the root');
  t.ok(endsWith(dn, dn), 'a DN is under itself');
  t.notOk(endsWith(dn, parseDn('ou=Mailboxes,o=nhs')));
  t.notOk(endsWith(parseDn('o=nhs'), parseDn('ou=People,o=nhs')), 'the suffix is longer');
  t.ok(endsWith(parseDn('cn=Smith\\2C Jane,o=nhs'), parseDn('cn=smith\\, jane,o=nhs')), 'escapes compared unescaped');
});

// Which searches of people must read every row (src/db/filter-sql.ts `scans`): those run a few at a
// time (src/directory/reads.ts). What mail clients send as a person types must never be among them,
// or every user's autocomplete would queue behind one slow search.
import { FilterParser, SearchRequest } from 'ldapts';
import t from 'tap';
import { scansPeople } from '../../src/db/search-sql.js';
import { toFilter } from '../../src/ldap/filter.js';
import { decodeMessage, type LdapFilter } from '../../src/ldap/protocol.js';
import { clientSearches, outlookBrowse, thunderbirdTwoWords } from '../fixtures/mail-client-filters.js';

/** The filter as the server reads it off the wire, then as the core's people filter. */
function scans(text: string): boolean {
  const pdu = new SearchRequest({ messageId: 1, baseDN: 'o=nhs', filter: FilterParser.parseString(text) }).write();
  const { request } = decodeMessage(pdu);
  return scansPeople({ filter: toFilter((request as { filter: LdapFilter }).filter, 'people') });
}

t.test("mail clients' searches are answered from indexes", async (t) => {
  for (const typed of ['j', 'ja', 'jan', 'smith', "o'b", 'jane.smith@nhs.net', '0113'])
    for (const s of clientSearches(typed)) {
      // Thunderbird's address-book window asks for "*X*": fewer than three characters is a scan (below).
      if (s.filter.startsWith('(|(cn=*') && typed.length < 3) continue;
      t.notOk(scans(s.filter), `${s.client}, "${typed}": ${s.filter}`);
    }
  t.notOk(scans(thunderbirdTwoWords('jane', 'sm')), 'Thunderbird, two words');
  for (const f of outlookBrowse) t.notOk(scans(f), `Outlook browsing ${f}`);
  for (const f of ['(uid=jane.smith)', '(mail=jane.smith@nhs.net)', '(&(objectClass=person)(sn=smi*))'])
    t.notOk(scans(f), f);
});

t.test('filters no index answers when few rows match are scans', async (t) => {
  for (const f of [
    '(mail=*qa*)',
    '(cn=*a*b*)',
    '(|(cn=jan*)(mail=*qa*))', // one such arm makes the whole OR read every row
    '(&(cn=a*)(mail=*qa*))', // each of the many people named A… read to test their address
    '(physicalDeliveryOfficeName=Leeds)', // no index on the site
    '(physicalDeliveryOfficeName=*)', // presence where nothing indexes the attribute
    '(!(cn=jane smith))',
    '(telephoneNumber=*4960*)', // telephone numbers are indexed for equality only
    '(nhsMailAlias=*qa*)',
    '(cn>=zzzz)', // text compared in its collation: no index here answers it
    '(title<=a)',
    `(cn=*${'q'.repeat(300)}*)`, // a trigram, but 300 characters of them
    `(mail=${'z'.repeat(300)}*)`,
    '(&(objectClass=person)(mail=*qa*))', // an item everyone matches does not narrow the rest
    '(o=*nhs*)', // nearly every organisation's name, so every person
    '(title=s*zzz)', // every title starting "s" read to find none ending "zzz"
    '(cn=j*smi*)',
    '(mail=q*a*)',
  ])
    t.ok(scans(f), f);
  for (const f of [
    '(mail=*qal*)', // a trigram
    '(mail=qal*a*)', // a prefix of three characters, then the rest
    '(telephoneNumber=jane*)', // not a telephone number: undefined, nothing is read
    '(title=nurse*)',
    '(objectClass=person)', // nearly every row: an index walk stops at once
    '(uid>=jane)', // uids are in a plain b-tree
    '(o=alpha*)',
    '(cn=jan*smi*)', // Thunderbird's two words: a narrow range, then the rest
  ])
    t.notOk(scans(f), f);
});

t.test('a VLV window deep into the results walks every row before it', async (t) => {
  t.notOk(scansPeople({ filter: { const: true }, offset: 200 }), "Outlook's first screens");
  t.ok(scansPeople({ filter: { const: true }, offset: 99_990 }), 'the 99,990th entry onwards');
});

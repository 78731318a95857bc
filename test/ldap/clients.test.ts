// Every filter real mail clients send, through Debian's ldapsearch, with the people expected.
import t from 'tap';
import { clientSearches, outlookBrowse, thunderbirdTwoWords } from '../fixtures/mail-client-filters.js';
import { systemActor } from '../../src/directory/actor.js';
import { ldapFixture, ldapsearch, passwords, uids } from '../helpers/ldap.js';

t.test('mail-client filters find the expected people', async (t) => {
  const { url } = await ldapFixture(t);
  const as = ['-H', url, '-D', 'uid=jane.smith,ou=People,o=nhs', '-w', passwords.jane, '-b', 'o=nhs'];
  const expected: Record<string, Record<string, string[]>> = {
    jane: {
      'Thunderbird autocomplete': ['jane.smith', 'jane.smith2'],
      'Thunderbird address-book search': ['jane.smith', 'jane.smith2'],
      'Outlook lookup': ['jane.smith', 'jane.smith2'],
      'Apple Contacts': ['jane.smith', 'jane.smith2'],
      'Apple Contacts, prefix': ['jane.smith', 'jane.smith2'],
      'iOS Contacts': ['jane.smith', 'jane.smith2'],
    },
    smith: {
      'Thunderbird autocomplete': ['jane.smith', 'jane.smith2', 'john.smithson'],
      'Thunderbird address-book search': ['jane.smith', 'jane.smith2', 'john.smithson', 'sian.obrien-smith'],
      'Outlook lookup': ['jane.smith', 'jane.smith2', 'john.smithson'],
      'Apple Contacts': ['jane.smith', 'jane.smith2'],
      'Apple Contacts, prefix': ['jane.smith', 'jane.smith2', 'john.smithson'],
      // IMHandle is unknown and "smith" is no phone number: both Undefined, the rest still matches.
      'iOS Contacts': ['jane.smith', 'jane.smith2', 'john.smithson'],
    },
    // Mary Evans was Mary Jones: her old address still finds her.
    'mary.jones': {
      'Thunderbird autocomplete': ['mary.jones'],
      'Outlook lookup': ['mary.jones'],
      'Apple Contacts, prefix': ['mary.jones'],
    },
    // Accents: "sian" reaches Siân through her address.
    sian: { 'Thunderbird autocomplete': ['sian.obrien-smith'], 'iOS Contacts': ['sian.obrien-smith'] },
    Siân: { 'Apple Contacts, prefix': ['sian.obrien-smith'], 'Thunderbird address-book search': ['sian.obrien-smith'] },
    // The organisation's name (iOS sends o=X*): everyone active in Alpha, and its mailbox; not the leaver.
    // The organisation's own entry has that `o` too.
    alpha: {
      'iOS Contacts': [
        'alpha.pharmacy',
        'ann.admin',
        'jane.smith',
        'john.smithson',
        'mary.jones',
        'nhsOrgCode=RXA,ou=Organisations,o=nhs',
        'sian.obrien-smith',
      ],
    },
  };
  for (const [typed, byClient] of Object.entries(expected)) {
    for (const search of clientSearches(typed).filter((s) => s.client in byClient)) {
      const args = [
        ...as,
        '-s',
        search.scope,
        ...(search.sizeLimit ? ['-z', String(search.sizeLimit)] : []),
        ...(search.timeLimit ? ['-l', String(search.timeLimit)] : []),
        search.filter,
        ...search.attributes,
      ];
      const res = await ldapsearch(args);
      t.equal(res.code, 0, `${search.client} "${typed}" succeeds: ${res.stderr}`);
      t.same(uids(res.entries), byClient[search.client], `${search.client} "${typed}"`);
    }
  }
  const two = await ldapsearch([...as, thunderbirdTwoWords('jane', 'smi'), 'cn', 'mail']);
  t.same(uids(two.entries), ['jane.smith', 'jane.smith2'], 'two words: "jane smi"');
  t.same(
    two.entries.map((e) => Object.keys(e.attrs).sort()),
    [
      ['cn', 'mail'],
      ['cn', 'mail'],
    ],
    'only the attributes asked for',
  );
  for (const browse of outlookBrowse) {
    const res = await ldapsearch([...as, '-s', 'one', '-b', 'ou=People,o=nhs', browse, 'cn']);
    t.equal(res.entries.length, 7, `Outlook browsing ${browse}: the seven active people`);
  }
});

t.test('entries carry the contract attributes; phone numbers match ignoring spaces and hyphens', async (t) => {
  const { url } = await ldapFixture(t);
  const as = ['-H', url, '-D', 'jane.smith@nhs.net', '-w', passwords.jane];
  const [jane] = (
    await ldapsearch([...as, '-b', 'uid=jane.smith,ou=People,o=nhs', '-s', 'base', '(objectClass=*)', '*', '+'])
  ).entries;
  t.same(jane.attrs.objectClass, ['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'nhsPerson']);
  t.match(jane.attrs, {
    uid: ['jane.smith'],
    cn: ['Jane Smith'],
    sn: ['Smith'],
    givenName: ['Jane'],
    mail: ['jane.smith@nhs.net'],
    displayName: ['Jane Smith (Alpha Hospitals NHS Trust)'],
    telephoneNumber: ['0113 496 0001'],
    mobile: ['07700 900001'],
    title: ['Staff Nurse'],
    ou: ['Cardiology'],
    o: ['Alpha Hospitals NHS Trust'],
    nhsOrgCode: ['RXA'],
    physicalDeliveryOfficeName: ['Main Hospital'],
  });
  t.match(jane.attrs.entryUUID[0], /^[0-9a-f-]{36}$/);
  t.match(jane.attrs.createTimestamp[0], /^\d{14}Z$/);
  t.notOk(
    Object.keys(jane.attrs).some((k) => /password|hash|hmac/i.test(k)),
    'no password material',
  );
  const plain = (await ldapsearch([...as, '-b', 'uid=jane.smith,ou=People,o=nhs', '-s', 'base', '(objectClass=*)']))
    .entries[0];
  t.notOk(plain.attrs.entryUUID, 'operational attributes only when asked for');
  const oneOne = (await ldapsearch([...as, '-b', 'ou=People,o=nhs', '(uid=jane.smith)', '1.1'])).entries;
  t.same(
    oneOne.map((e) => [e.dn, Object.keys(e.attrs).length]),
    [['uid=jane.smith,ou=People,o=nhs', 0]],
    '1.1 returns no attributes',
  );
  for (const phone of ['01134960001', '0113-496-0001', '0113 496 0001']) {
    t.same(
      uids((await ldapsearch([...as, '-b', 'o=nhs', `(telephoneNumber=${phone})`, 'uid'])).entries),
      ['jane.smith'],
      phone,
    );
  }
  t.same(uids((await ldapsearch([...as, '-b', 'o=nhs', '(mobile=07700*)', 'uid'])).entries), ['jane.smith']);
  const mary = (await ldapsearch([...as, '-b', 'o=nhs', '(mail=MARY.JONES@nhs.net)', 'mail', 'nhsMailAlias'])).entries;
  t.same(
    mary.map((e) => e.attrs),
    [{ mail: ['mary.evans@nhs.net'], nhsMailAlias: ['mary.jones@nhs.net'] }],
    'found by an old address, case-insensitively',
  );
  const mailbox = (await ldapsearch([...as, '-b', 'ou=Mailboxes,o=nhs', '(cn=Alpha*)'])).entries;
  t.same(
    mailbox.map((e) => [e.dn, e.attrs.owner]),
    [['uid=alpha.pharmacy,ou=Mailboxes,o=nhs', ['uid=jane.smith,ou=People,o=nhs']]],
  );
  t.ok(mailbox[0].attrs.objectClass.includes('nhsGenericMailbox'));
  const org = (await ldapsearch([...as, '-b', 'ou=Organisations,o=nhs', '(nhsOrgCode=rxa)'])).entries;
  t.same(
    org.map((e) => [e.dn, e.attrs.o, e.attrs.nhsOrgStatus]),
    [['nhsOrgCode=RXA,ou=Organisations,o=nhs', ['Alpha Hospitals NHS Trust'], ['active']]],
  );
});

t.test('old addresses by prefix: a size limit counts people, not addresses', async (t) => {
  const { url, dir } = await ldapFixture(t);
  // Three people found only by old addresses starting "old.q"; the first has two of them.
  const renamed = async (names: string[][]) => {
    const { uid } = await dir.createJoiner(systemActor, {
      givenName: names[0][0],
      familyName: names[0][1],
      orgCode: 'RXA',
    });
    for (const [givenName, familyName] of names.slice(1))
      await dir.updatePerson(systemActor, uid, { givenName, familyName });
    return uid;
  };
  const people = [
    await renamed([
      ['Old', 'Qa'],
      ['Old', 'Qb'],
      ['Ann', 'Other'],
    ]),
    await renamed([
      ['Old', 'Qc'],
      ['Bea', 'Other'],
    ]),
    await renamed([
      ['Old', 'Qd'],
      ['Cy', 'Other'],
    ]),
  ];
  const as = ['-H', url, '-D', 'jane.smith@nhs.net', '-w', passwords.jane, '-b', 'ou=People,o=nhs'];
  const all = await ldapsearch([...as, '(mail=old.q*)', 'uid']);
  t.equal(all.code, 0);
  t.same(uids(all.entries).sort(), [...people].sort(), 'each person once');
  const two = await ldapsearch([...as, '-z', '2', '(mail=old.q*)', 'uid']);
  t.equal(two.code, 4, 'three people match: the size limit of two is exceeded');
  t.equal(two.entries.length, 2);
});

t.test('three-valued filters: unknown attributes and bad values are Undefined, never errors', async (t) => {
  const { url } = await ldapFixture(t);
  const as = ['-H', url, '-D', 'jane.smith@nhs.net', '-w', passwords.jane, '-b', 'ou=People,o=nhs'];
  const run = async (filter: string) => {
    const r = await ldapsearch([...as, filter, 'uid']);
    t.equal(r.code, 0, `${filter}: ${r.stderr}`);
    return uids(r.entries);
  };
  t.same(await run('(IMHandle=jane)'), []);
  t.same(await run('(!(IMHandle=jane))'), [], 'NOT of Undefined is Undefined');
  t.same(await run('(|(IMHandle=x)(uid=jane.smith))'), ['jane.smith']);
  t.same(
    await run('(!(title=Porter))'),
    ['ann.admin', 'bob.builder', 'jane.smith', 'jane.smith2', 'mary.jones', 'ou=People,o=nhs', 'sian.obrien-smith'],
    'absent values are false, so NOT is true',
  );
  t.same(await run('(&(objectClass=person)(sn=smith))'), ['jane.smith', 'jane.smith2']);
  t.same(await run('(modifyTimestamp>=not-a-time)'), []);
  t.same(await run('(sn~=SMITH)'), ['jane.smith', 'jane.smith2'], 'approximate match');
  t.same(await run('(sn>=Smithson)'), ['john.smithson']);
  t.same(await run('(cn=*\\28*)'), [], 'an escaped parenthesis is a literal');
  t.same(await run("(sn=O'Brien-Smith)"), ['sian.obrien-smith']);
  t.same(await run('(cn=Si\\c3\\a2n*)'), ['sian.obrien-smith'], 'escaped UTF-8 is unescaped');
});

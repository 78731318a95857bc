// Binding and access, as clients do it: DN, address, alias, service account; failures alike.
import { spawn } from 'node:child_process';
import { Client } from 'ldapts';
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { ldapFixture, ldapsearch, passwords, uids } from '../helpers/ldap.js';

t.test('bind by DN, by address, by old address, by service DN; who am I', async (t) => {
  const { url, dir } = await ldapFixture(t);
  const whoami = async (name: string, pw: string) => {
    const client = new Client({ url });
    try {
      await client.bind(name, pw);
      const res = await client.exop('1.3.6.1.4.1.4203.1.11.3');
      return res.value;
    } finally {
      await client.unbind();
    }
  };
  t.equal(await whoami('uid=jane.smith,ou=People,o=nhs', passwords.jane), 'dn:uid=jane.smith,ou=People,o=nhs');
  t.equal(
    await whoami('UID=Jane.Smith, OU=people, O=NHS', passwords.jane),
    'dn:uid=jane.smith,ou=People,o=nhs',
    'DNs compare without case',
  );
  t.equal(await whoami('Jane.Smith@nhs.net', passwords.jane), 'dn:uid=jane.smith,ou=People,o=nhs');
  t.equal(await whoami('cn=rxa-feed,ou=Services,o=nhs', passwords.feed), 'dn:cn=rxa-feed,ou=Services,o=nhs');
  await dir.updatePerson(systemActor, 'jane.smith', { familyName: 'Smythe' });
  t.equal(
    await whoami('jane.smith@nhs.net', passwords.jane),
    'dn:uid=jane.smith,ou=People,o=nhs',
    'an alias binds after a name change; the DN stays',
  );
  const anon = new Client({ url });
  t.equal((await anon.exop('1.3.6.1.4.1.4203.1.11.3')).value ?? '', '', 'anonymous is the empty identity');
  await anon.unbind();
});

t.test('wrong password, unknown name, leaver and locked account all answer 49', async (t) => {
  const { url } = await ldapFixture(t);
  const bind = (dn: string, pw: string) =>
    ldapsearch(['-H', url, '-D', dn, '-w', pw, '-b', 'o=nhs', '-s', 'base', '(objectClass=*)', '1.1']);
  for (const [dn, pw, why] of [
    ['uid=jane.smith,ou=People,o=nhs', 'wrong', 'wrong password'],
    ['uid=no.body,ou=People,o=nhs', 'whatever', 'unknown person'],
    ['nobody@nhs.net', 'whatever', 'unknown address'],
    ['uid=lee.leaver,ou=People,o=nhs', passwords.leaver, 'a leaver, with the right password'],
    ['uid=alpha.pharmacy,ou=Mailboxes,o=nhs', 'x', 'a mailbox cannot bind'],
    ['cn=somewhere,o=elsewhere', 'x', 'outside the directory'],
  ]) {
    const r = await bind(dn, pw);
    t.equal(r.code, 49, why);
    t.match(r.stderr, /Invalid credentials \(49\)/, why);
  }
  // The fixture locks after three failures (LOCKOUT_ATTEMPTS); the right password then fails too.
  await bind('uid=jane.smith,ou=People,o=nhs', 'wrong');
  await bind('uid=jane.smith,ou=People,o=nhs', 'wrong');
  t.equal((await bind('uid=jane.smith,ou=People,o=nhs', passwords.jane)).code, 49, 'locked');
  const empty = await bind('uid=jane.smith,ou=People,o=nhs', '');
  t.equal(empty.code, 53, 'a name without a password is an unauthenticated bind, refused');
});

t.test('anonymous searches are refused; the rootDSE and subschema are not', async (t) => {
  const { url } = await ldapFixture(t);
  const refused = await ldapsearch(['-H', url, '-b', 'o=nhs', '(cn=jane*)']);
  t.equal(refused.code, 50);
  t.match(refused.stderr, /Insufficient access \(50\)/);
  const root = await ldapsearch(['-H', url, '-b', '', '-s', 'base', '(objectClass=*)', '+']);
  t.equal(root.code, 0);
  t.match(root.entries[0].attrs, {
    namingContexts: ['o=nhs'],
    supportedLDAPVersion: ['3'],
    subschemaSubentry: ['cn=Subschema'],
    vendorName: ['nhs-directory'],
    supportedControl: ['1.2.840.113556.1.4.319', '1.2.840.113556.1.4.473', '2.16.840.1.113730.3.4.9'],
    // No certificate here, so StartTLS (1.3.6.1.4.1.1466.20037) is not offered: a client that starts
    // TLS whenever it is advertised would otherwise fail.
    supportedExtension: ['1.3.6.1.4.1.4203.1.11.3', '1.3.6.1.4.1.4203.1.11.1'],
    changelog: ['cn=changelog'],
  });
  t.ok(Number(root.entries[0].attrs.lastChangeNumber[0]) > 0);
  const schema = await ldapsearch([
    '-H',
    url,
    '-b',
    'cn=Subschema',
    '-s',
    'base',
    '(objectClass=subschema)',
    'attributeTypes',
    'objectClasses',
  ]);
  t.equal(schema.code, 0);
  const types = schema.entries[0].attrs.attributeTypes.join('\n');
  for (const name of [
    'nhsMailAlias',
    'nhsOrgCode',
    'nhsOrgStatus',
    'nhsPreviousName',
    'nhsSuccessorOrgCode',
    'nhsParentOrgCode',
    'nhsDelegate',
  ])
    t.match(types, `NAME '${name}'`);
  t.match(
    schema.entries[0].attrs.objectClasses.join('\n'),
    /NAME 'nhsPerson'.*\n.*NAME 'nhsGenericMailbox'.*\n.*NAME 'nhsOrganisation'/,
  );
});

t.test('with LDAP_ANONYMOUS=true, anonymous users search, and see no leavers', async (t) => {
  const { url } = await ldapFixture(t, { anonymous: true });
  const r = await ldapsearch(['-H', url, '-b', 'o=nhs', '(sn=L*)', 'uid']);
  t.equal(r.code, 0);
  t.same(uids(r.entries), []);
});

t.test('leavers are seen by administrators of their organisation only', async (t) => {
  const { url } = await ldapFixture(t);
  const find = (dn: string, pw: string) =>
    ldapsearch(['-H', url, '-D', dn, '-w', pw, '-b', 'o=nhs', '(uid=lee.leaver)', 'uid']).then((r) => uids(r.entries));
  t.same(await find('jane.smith@nhs.net', passwords.jane), [], 'hidden from users');
  t.same(await find('ann.admin@nhs.net', passwords.admin), ['lee.leaver'], 'the local administrator sees them');
  t.same(await find('cn=national,ou=Services,o=nhs', passwords.national), ['lee.leaver']);
  t.same(
    await find('jane.smith@nhs.net', passwords.jane),
    [],
    'still hidden from users after administrators asked the very same search',
  );
  const typed = (dn: string, pw: string) =>
    ldapsearch(['-H', url, '-D', dn, '-w', pw, '-b', 'o=nhs', '(|(cn=lee*)(mail=lee*)(sn=lee*))', 'uid']).then((r) =>
      uids(r.entries),
    );
  t.same(
    await typed('ann.admin@nhs.net', passwords.admin),
    ['lee.leaver'],
    'as typed into a mail client, by an administrator',
  );
  t.same(await typed('jane.smith@nhs.net', passwords.jane), [], 'and by a user');
  const base = await ldapsearch([
    '-H',
    url,
    '-D',
    'jane.smith@nhs.net',
    '-w',
    passwords.jane,
    '-b',
    'uid=lee.leaver,ou=People,o=nhs',
    '-s',
    'base',
    '(objectClass=*)',
  ]);
  t.equal(base.code, 32, 'no such object, to a user');
});

t.test('writes are refused: the directory is fed by HR and REST', async (t) => {
  const { url } = await ldapFixture(t);
  const client = new Client({ url });
  t.teardown(() => client.unbind());
  await client.bind('uid=ann.admin,ou=People,o=nhs', passwords.admin);
  await t.rejects(client.modify('uid=jane.smith,ou=People,o=nhs', []), { code: 53 });
  await t.rejects(
    client.add('uid=new.person,ou=People,o=nhs', { cn: 'New Person', sn: 'Person', objectClass: 'inetOrgPerson' }),
    { code: 53 },
  );
  await t.rejects(client.del('uid=jane.smith,ou=People,o=nhs'), { code: 53 });
  await t.rejects(client.modifyDN('uid=jane.smith,ou=People,o=nhs', 'uid=jane.x'), { code: 53 });
  const res = await client.search('ou=People,o=nhs', { filter: '(uid=jane.smith)' });
  t.equal(res.searchEntries.length, 1, 'the connection still works');
});

t.test('password modify: own (with the old one) and an administrator for others', async (t) => {
  const { url } = await ldapFixture(t);
  // ldappasswd (ldap-utils) exits 1 on any refusal and prints the result code.
  const passwd = (args: string[]) =>
    new Promise<string>((resolve) => {
      const child = spawn('ldappasswd', ['-x', '-H', url, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stdout.on('data', (d) => {
        err += d;
      });
      child.stderr.on('data', (d) => {
        err += d;
      });
      child.on('close', (code) => resolve(code === 0 ? 'ok' : err));
    });
  t.match(
    await passwd(['-D', 'jane.smith@nhs.net', '-w', passwords.jane, '-a', 'wrong-old', '-s', 'new-password-1']),
    /Invalid credentials \(49\)/,
    'wrong old password',
  );
  t.equal(
    await passwd(['-D', 'jane.smith@nhs.net', '-w', passwords.jane, '-a', passwords.jane, '-s', 'new-password-1']),
    'ok',
  );
  const client = new Client({ url });
  await client.bind('jane.smith@nhs.net', 'new-password-1');
  await client.unbind();
  t.match(
    await passwd([
      '-D',
      'jane.smith@nhs.net',
      '-w',
      'new-password-1',
      '-s',
      'not-hers-to-set',
      'uid=john.smithson,ou=People,o=nhs',
    ]),
    /Insufficient access \(50\)/,
    "a user cannot set another person's password",
  );
  t.equal(
    await passwd([
      '-D',
      'ann.admin@nhs.net',
      '-w',
      passwords.admin,
      '-s',
      'set-by-admin',
      'uid=john.smithson,ou=People,o=nhs',
    ]),
    'ok',
    'their local administrator can',
  );
  const john = new Client({ url });
  await john.bind('uid=john.smithson,ou=People,o=nhs', 'set-by-admin');
  await john.unbind();
});

t.test('service accounts are entries under ou=Services, for administrators and services only', async (t) => {
  const { url } = await ldapFixture(t);
  const search = (dn: string, pw: string, base = 'ou=Services,o=nhs') =>
    ldapsearch([
      '-H',
      url,
      '-D',
      dn,
      '-w',
      pw,
      '-b',
      base,
      '-s',
      base.startsWith('cn=') ? 'base' : 'one',
      '(objectClass=*)',
    ]);
  const national = await search('cn=national,ou=Services,o=nhs', passwords.national);
  t.same(
    national.entries.map((e) => e.dn),
    ['cn=national,ou=Services,o=nhs', 'cn=rxa-feed,ou=Services,o=nhs'],
  );
  t.same(national.entries[1].attrs.objectClass, ['top', 'applicationProcess', 'simpleSecurityObject']);
  t.notOk(JSON.stringify(national.entries).match(/userPassword|scrypt/), 'no password material');
  t.same((await search('ann.admin@nhs.net', passwords.admin)).entries.length, 2, 'a local administrator sees them');
  t.same((await search('jane.smith@nhs.net', passwords.jane)).entries, [], 'a user does not');
  t.equal((await search('jane.smith@nhs.net', passwords.jane, 'cn=rxa-feed,ou=Services,o=nhs')).code, 32);
});

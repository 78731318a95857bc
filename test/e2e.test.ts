// End to end: write through REST, read back through a real LDAP client (ldapsearch).
import pino from 'pino';
import t from 'tap';
import { Dit } from '../src/ldap/mapping.js';
import { startLdapServer } from '../src/ldap/server.js';
import { testApp } from './helpers/app.js';
import { testDirectory } from './helpers/directory.js';
import { ldapsearch, passwords, seed } from './helpers/ldap.js';

t.test('a joiner, a rename and a leaver, through REST and seen over LDAP', async (t) => {
  const { dir } = await testDirectory(t);
  await seed(dir);
  const { call } = await testApp(t, { directory: dir });
  const ldap = await startLdapServer({
    directory: dir,
    dit: new Dit('o=nhs'),
    anonymous: false,
    sizeCap: 500,
    vendorVersion: 'test',
    host: '127.0.0.1',
    port: 0,
    idleSeconds: 60,
    log: pino({ level: 'silent' }),
  });
  t.teardown(() => ldap.close());
  const url = `ldap://127.0.0.1:${ldap.port}`;
  const national = (
    await call('POST', '/api/v1/auth/token', { body: { username: 'national', password: passwords.national } })
  ).json().access_token;

  const joiner = await call('POST', '/api/v1/people', {
    token: national,
    body: {
      given_name: 'Nadia',
      family_name: 'Newcomer',
      org_code: 'RXB',
      title: 'Pharmacist',
    },
  });
  t.equal(joiner.statusCode, 201);
  await call('PUT', '/api/v1/people/nadia.newcomer/password', {
    token: national,
    body: { new_password: 'nadia-password' },
  });
  const asJane = ['-H', url, '-D', 'jane.smith@nhs.net', '-w', passwords.jane, '-b', 'o=nhs'];
  const found = await ldapsearch([...asJane, '(mail=nadia*)', 'displayName', 'title']);
  t.same(
    found.entries.map((e) => [e.dn, e.attrs.displayName[0], e.attrs.title[0]]),
    [['uid=nadia.newcomer,ou=People,o=nhs', 'Nadia Newcomer (Beta Community NHS Trust)', 'Pharmacist']],
  );

  await call('PATCH', '/api/v1/organisations/RXB', {
    token: national,
    body: { name: 'Beta Health and Care NHS Trust' },
  });
  const renamed = await ldapsearch([...asJane, '(uid=nadia.newcomer)', 'displayName', 'o']);
  t.same(renamed.entries[0].attrs, {
    displayName: ['Nadia Newcomer (Beta Health and Care NHS Trust)'],
    o: ['Beta Health and Care NHS Trust'],
  });

  const nadia = (
    await call('POST', '/api/v1/auth/token', {
      body: {
        username: 'nadia.newcomer@nhs.net',
        password: 'nadia-password',
      },
    })
  ).json().access_token;
  t.equal((await call('GET', '/api/v1/me', { token: nadia })).statusCode, 200);
  t.equal(
    (
      await ldapsearch([
        '-H',
        url,
        '-D',
        'nadia.newcomer@nhs.net',
        '-w',
        'nadia-password',
        '-b',
        'o=nhs',
        '-s',
        'base',
        '(objectClass=*)',
        '1.1',
      ])
    ).code,
    0,
    'she binds',
  );
  t.equal((await call('POST', '/api/v1/people/nadia.newcomer/leaver', { token: national })).statusCode, 200);
  const refused = await ldapsearch([
    '-H',
    url,
    '-D',
    'nadia.newcomer@nhs.net',
    '-w',
    'nadia-password',
    '-b',
    'o=nhs',
    '-s',
    'base',
    '(objectClass=*)',
    '1.1',
  ]);
  t.equal(refused.code, 49, "the leaver's bind is refused");
  t.equal((await call('GET', '/api/v1/me', { token: nadia })).statusCode, 401, 'and her token is dead');
  t.same((await ldapsearch([...asJane, '(mail=nadia*)', 'cn'])).entries, [], 'hidden from users');
});

import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { identifierHmac } from '../../src/directory/secrets.js';
import { testDirectory, userActor, withTwoOrgs } from '../helpers/directory.js';

const sys = systemActor;

t.test('sign-in by uid, address or alias; every failure looks the same; lockout', async (t) => {
  const { dir, database, clock } = await testDirectory(t);
  await withTwoOrgs(dir);
  const p = await dir.createJoiner(sys, { givenName: 'Pat', familyName: 'Login', orgCode: 'RXA' });
  await dir.setPassword(sys, p.uid, { newPassword: 'correct horse' });
  const [stored] = await database.query<{ password_hash: string }>('select password_hash from people where id = $1', [
    p.id,
  ]);
  t.match(stored.password_hash, /^scrypt\$32768\$8\$3\$/, 'stored only as a salted scrypt hash');
  t.equal((await dir.authenticate({ uid: 'pat.login' }, 'correct horse'))?.name, 'pat.login');
  t.equal((await dir.authenticate({ address: 'PAT.LOGIN@nhs.net' }, 'correct horse'))?.name, 'pat.login');
  await dir.updatePerson(sys, p.uid, { familyName: 'Renamed' });
  t.equal(
    (await dir.authenticate({ address: 'pat.login@nhs.net' }, 'correct horse'))?.name,
    'pat.login',
    'an alias signs in too',
  );
  t.equal(await dir.authenticate({ uid: 'no.one' }, 'x'), null);
  // Three failures (the test setting) lock the account, even against the right password.
  for (let i = 0; i < 3; i++) t.equal(await dir.authenticate({ uid: 'pat.login' }, 'wrong'), null);
  t.equal(await dir.authenticate({ uid: 'pat.login' }, 'correct horse'), null, 'locked');
  clock.now = new Date(clock.now.getTime() + 16 * 60_000);
  t.equal(
    (await dir.authenticate({ uid: 'pat.login' }, 'correct horse'))?.name,
    'pat.login',
    'unlocked after LOCKOUT_MINUTES',
  );
  await dir.markLeaver(sys, p.uid);
  t.equal(await dir.authenticate({ uid: 'pat.login' }, 'correct horse'), null, 'a leaver cannot sign in');
});

t.test('own password needs the current one; administrators set others', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const p = await dir.createJoiner(sys, { givenName: 'Self', familyName: 'Service', orgCode: 'RXA' });
  const q = await dir.createJoiner(sys, { givenName: 'Some', familyName: 'Oneelse', orgCode: 'RXA' });
  await dir.setPassword(sys, p.uid, { newPassword: 'first password' });
  const me = await userActor(dir, p.id);
  await t.rejects(dir.setPassword(me, p.uid, { currentPassword: 'wrong one', newPassword: 'second password' }), {
    code: 'auth.invalid_credentials',
  });
  await t.rejects(dir.setPassword(me, p.uid, { currentPassword: 'first password', newPassword: 'short' }), {
    code: 'validation.failed',
  });
  await t.rejects(dir.setPassword(me, q.uid, { newPassword: 'not yours at all' }), { code: 'auth.forbidden' });
  await dir.setPassword(me, p.uid, { currentPassword: 'first password', newPassword: 'second password' });
  t.ok(await dir.authenticate({ uid: p.uid }, 'second password'));
});

t.test('a wrong current password counts towards the lockout, and a locked account changes nothing', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const p = await dir.createJoiner(sys, { givenName: 'Guess', familyName: 'Ing', orgCode: 'RXA' });
  await dir.setPassword(sys, p.uid, { newPassword: 'the real one' });
  const me = await userActor(dir, p.id);
  // Three failures (the test setting) lock the account: a session is no password oracle.
  for (let i = 0; i < 3; i++)
    await t.rejects(dir.setPassword(me, p.uid, { currentPassword: `guess ${i}`, newPassword: 'mine now!' }), {
      code: 'auth.invalid_credentials',
    });
  t.equal(await dir.authenticate({ uid: p.uid }, 'the real one'), null, 'the account is locked');
  await t.rejects(dir.setPassword(me, p.uid, { currentPassword: 'the real one', newPassword: 'mine now!' }), {
    code: 'auth.invalid_credentials',
  });
  t.equal(await dir.authenticate({ uid: p.uid }, 'mine now!'), null, 'the password did not change');
});

t.test('service accounts sign in by name and carry their grants', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  await dir.createService(sys, {
    name: 'rxa-hr',
    password: 'service secret',
    grants: [{ role: 'connector', orgCode: 'RXA' }],
  });
  await t.rejects(dir.createService(sys, { name: 'rxa-hr' }), { code: 'service.exists' });
  await t.rejects(dir.createService(sys, { name: 'Bad Name' }), { code: 'validation.failed' });
  const actor = await dir.authenticate({ service: 'rxa-hr' }, 'service secret');
  t.equal(actor?.kind, 'service');
  t.same([...actor!.feedsFor], ['RXA']);
});

t.test('identifier HMACs are keyed and normalised', async (t) => {
  const k = 'key-one-0123456789abcdef0123456789';
  t.equal(identifierHmac(k, 'ni', 'ab 12 34 56 c'), identifierHmac(k, 'ni', 'AB123456C'));
  t.not(identifierHmac(k, 'ni', 'AB123456C'), identifierHmac('another-key-0123456789abcdef0123', 'ni', 'AB123456C'));
  t.not(identifierHmac(k, 'ni', '1980-01-01'), identifierHmac(k, 'dob', '1980-01-01'));
});

t.test('secure domains: listed domains and their subdomains', async (t) => {
  const { dir } = await testDirectory(t);
  t.same(await dir.listSecureDomains(), ['gcsx.gov.uk', 'nhs.net']);
  t.same(await dir.checkAddress('Jane.Smith@NHS.net'), {
    address: 'Jane.Smith@NHS.net',
    domain: 'nhs.net',
    secure: true,
  });
  t.equal((await dir.checkAddress('clerk@leeds.gcsx.gov.uk')).secure, true);
  t.equal((await dir.checkAddress('someone@gmail.com')).secure, false);
  t.equal((await dir.checkAddress('evil@notnhs.net')).secure, false);
  t.same(await dir.checkAddress('not an address'), { address: 'not an address', domain: null, secure: false });
});

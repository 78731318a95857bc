// Several nodes on one primary: a write through one node is seen at once through the others, over
// LDAP and REST, for each kind of write; lockout is counted across nodes. Real `nhsdir serve`
// processes on a PostgreSQL 15 cluster of the test's own. "At once" is as soon as B has the
// commit's NOTIFY (milliseconds; under load the answer may come first): `settle` asks again until
// the answer changes, and a node that missed the notification keeps its old answer and fails.
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { coreOn, haveClusterBinaries, settle, startCluster, startNode } from '../helpers/cluster.js';
import { passwords, seed } from '../helpers/ldap.js';

if (!haveClusterBinaries) t.pass('skipped: the PostgreSQL 15 binaries (postgresql-15) are not installed');
else
  t.test('two nodes on one primary: each write through A is seen at once on B', async (t) => {
    const cluster = await startCluster(t);
    const env = { DATABASE_URL: cluster.primary.url(), LOCKOUT_ATTEMPTS: '3' };
    const a = await startNode(t, 'a', env);
    const b = await startNode(t, 'b', env);
    const { dir } = await coreOn(t, cluster.primary.url());
    await seed(dir);

    const jane: [string, string] = ['jane.smith@nhs.net', passwords.jane];
    const onA = await a.token('national', passwords.national);
    const onB = await b.token('national', passwords.national);
    const ldapTitle = async () =>
      (await b.search(jane, '(uid=john.smithson)', ['title', 'displayName']))[0] as Record<string, string>;
    const restPerson = async (uid: string) => (await b.call('GET', `/api/v1/people/${uid}`, onB)).body;

    // Warm B's caches first: what B answers after each write must not come from memory.
    t.equal((await ldapTitle()).title, 'Porter');
    t.equal((await restPerson('john.smithson')).title, 'Porter');

    t.test('a person edited', async (t) => {
      t.equal((await a.call('PATCH', '/api/v1/people/john.smithson', onA, { title: 'Head Porter' })).status, 200);
      t.equal(await settle(async () => (await ldapTitle()).title, 'Head Porter'), 'Head Porter', 'LDAP on B');
      t.equal(
        await settle(async () => (await restPerson('john.smithson')).title, 'Head Porter'),
        'Head Porter',
        'REST on B',
      );
    });

    t.test('an organisation renamed', async (t) => {
      t.match((await restPerson('john.smithson')).org_name, 'Alpha Hospitals NHS Trust');
      const renamed = await a.call('PATCH', '/api/v1/organisations/RXA', onA, { name: 'Alpha Health NHS Trust' });
      t.equal(renamed.status, 200);
      const dn = 'John Smithson (Alpha Health NHS Trust)';
      t.equal(await settle(async () => (await ldapTitle()).displayName, dn), dn, 'LDAP on B');
      const name = 'Alpha Health NHS Trust';
      t.equal(await settle(async () => (await restPerson('john.smithson')).org_name, name), name, 'REST on B');
    });

    t.test('a password changed', async (t) => {
      t.equal(await b.bind('jane.smith@nhs.net', passwords.jane), 0, 'the old password binds on B');
      const oldToken = await b.token('jane.smith@nhs.net', passwords.jane);
      const changed = await a.call('PUT', '/api/v1/people/jane.smith/password', onA, { new_password: 'new-jane-pw-1' });
      t.equal(changed.status, 204);
      t.equal(
        await settle(() => b.bind('jane.smith@nhs.net', passwords.jane), 49),
        49,
        'the old password is refused on B',
      );
      t.equal(await b.bind('jane.smith@nhs.net', 'new-jane-pw-1'), 0, 'the new one binds on B');
      t.equal(
        await settle(async () => (await b.call('GET', '/api/v1/me', oldToken)).status, 401),
        401,
        'her tokens end on B',
      );
      jane[1] = 'new-jane-pw-1';
    });

    t.test('a role granted and revoked', async (t) => {
      const token = await b.token('bob.builder@nhs.net', 'x').catch(() => null);
      t.equal(token, null, 'bob has no password yet');
      await dir.setPassword(systemActor, 'bob.builder', { newPassword: 'bob-password-1' });
      const bob = await b.token('bob.builder@nhs.net', 'bob-password-1');
      t.same((await b.call('GET', '/api/v1/me', bob)).body.roles, ['user'], 'a user, as B knows him');
      await dir.grantRole(systemActor, { uid: 'bob.builder' }, { role: 'local_admin', orgCode: 'RXB' });
      const roles = async () => JSON.stringify((await b.call('GET', '/api/v1/me', bob)).body.roles);
      t.equal(await settle(roles, '["local_admin","user"]'), '["local_admin","user"]', 'granted: seen on B');
      t.equal(
        (await b.call('PATCH', '/api/v1/people/jane.smith2', bob, { title: 'Lead Health Visitor' })).status,
        200,
        'and used on B',
      );
      await dir.revokeRole(systemActor, { uid: 'bob.builder' }, { role: 'local_admin', orgCode: 'RXB' });
      t.equal(await settle(roles, '["user"]'), '["user"]', 'revoked: seen on B');
      t.equal((await b.call('PATCH', '/api/v1/people/jane.smith2', bob, { title: 'x' })).status, 403);
    });

    t.test('a token revoked', async (t) => {
      const token = await a.token('national', passwords.national);
      t.equal((await b.call('GET', '/api/v1/me', token)).status, 200, 'B honours a token A issued');
      t.equal((await a.call('POST', '/api/v1/auth/logout', token)).status, 204);
      t.equal(
        await settle(async () => (await b.call('GET', '/api/v1/me', token)).status, 401),
        401,
        'and stops when A revokes it',
      );
    });

    t.test('a leaver', async (t) => {
      await dir.setPassword(systemActor, 'john.smithson', { newPassword: 'john-password-1' });
      const john = await b.token('john.smithson@nhs.net', 'john-password-1');
      t.equal(await b.bind('john.smithson@nhs.net', 'john-password-1'), 0);
      t.equal((await a.call('POST', '/api/v1/people/john.smithson/leaver', onA)).status, 200);
      t.equal(
        await settle(() => b.bind('john.smithson@nhs.net', 'john-password-1'), 49),
        49,
        'his bind is refused on B',
      );
      t.equal(
        await settle(async () => (await b.call('GET', '/api/v1/me', john)).status, 401),
        401,
        'his token is dead on B',
      );
      t.equal(
        await settle(async () => (await b.search(jane, '(uid=john.smithson)', ['cn'])).length, 0),
        0,
        'hidden over LDAP on B',
      );
      t.equal(
        await settle(async () => (await restPerson('john.smithson')).status, 'leaver'),
        'leaver',
        'a leaver to REST on B',
      );
    });

    t.test('lockout is counted across nodes', async (t) => {
      await dir.setPassword(systemActor, 'mary.jones', { newPassword: 'mary-password-1' });
      // LOCKOUT_ATTEMPTS=3: two failures on A and one on B lock her everywhere.
      t.equal(await a.bind('mary.jones@nhs.net', 'wrong-1'), 49);
      t.equal(await a.bind('mary.jones@nhs.net', 'wrong-2'), 49);
      t.equal(await b.bind('mary.jones@nhs.net', 'wrong-3'), 49);
      t.equal(await a.bind('mary.jones@nhs.net', 'mary-password-1'), 49, 'locked on A');
      t.equal(await b.bind('mary.jones@nhs.net', 'mary-password-1'), 49, 'locked on B');
      const [row] = await cluster.primary.query<{ locked: boolean }>(
        "select locked_until > now() as locked from people where uid = 'mary.jones'",
      );
      t.equal(row.locked, true, 'one lock in the shared database');
    });
  });

// The writes test/cluster/nodes.test.ts does not cover, each seen through another node at once: a
// mover, a restore, a merger, a closure without successor, a delegate and a quota. Node B's caches are
// warmed before each write, so an answer from memory that a write's notice did not evict fails. Two
// `nhsdir serve` processes on a database of the test's own on the PostgreSQL at 127.0.0.1:5432
// (TEST_PG_URL), skipped when none answers there.
import pg from 'pg';
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { coreOn, settle, startNode } from '../helpers/cluster.js';
import { passwords, seed } from '../helpers/ldap.js';

const server = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const name = `nhsdir_evictions_${process.pid}`;

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: `${server}/postgres`, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const reachable = await admin('select 1').then(
  () => true,
  () => false,
);

if (!reachable) t.pass(`skipped: no PostgreSQL answers at ${server}`);
else
  t.test('two nodes: every kind of write through A is seen at once on B', async (t) => {
    await admin(`create database ${name}`);
    t.teardown(() => admin(`drop database if exists ${name} with (force)`));
    const url = `${server}/${name}`;
    const a = await startNode(t, 'a', { DATABASE_URL: url });
    const b = await startNode(t, 'b', { DATABASE_URL: url });
    const { dir } = await coreOn(t, url);
    await seed(dir);
    await dir.createOrganisation(systemActor, { code: 'RXC', name: 'Gamma Trust' });
    await dir.createJoiner(systemActor, { givenName: 'Cat', familyName: 'Gamma', orgCode: 'RXC' });
    const onA = await a.token('national', passwords.national);
    const onB = await b.token('national', passwords.national);
    const jane: [string, string] = ['jane.smith@nhs.net', passwords.jane];
    const rest = async (path: string) => (await b.call('GET', path, onB)).body;
    const field = (uid: string, f: string) => async () => String((await rest(`/api/v1/people/${uid}`))[f]);
    const ldap = (uid: string, attr: string) => async () =>
      String((await b.search(jane, `(uid=${uid})`, [attr]))[0]?.[attr] ?? 'none');

    t.test('a mover', async (t) => {
      t.equal(await field('lee.leaver', 'org_code')(), 'RXA', 'B has the leaver in RXA');
      const moved = await a.call('POST', '/api/v1/people/lee.leaver/joiner', onA, { org_code: 'RXB' });
      t.equal(moved.status, 200);
      t.equal(await settle(field('lee.leaver', 'org_code'), 'RXB'), 'RXB', 'REST on B');
      t.equal(await settle(ldap('lee.leaver', 'nhsOrgCode'), 'RXB'), 'RXB', 'LDAP on B');
    });

    t.test('a restore', async (t) => {
      await dir.markLeaver(systemActor, 'john.smithson');
      // Past the retention: soft-deleted by the sweep of a core whose clock is 31 days on.
      await dir.run((ctx) =>
        ctx.tx.execute(`update people set left_at = now() - interval '31 days' where uid = 'john.smithson'`),
      );
      await dir.softDeleteExpiredLeavers(systemActor);
      // A national administrator sees soft-deleted people: B has john as the sweep left him.
      const before = await field('john.smithson', 'updated_at')();
      const restored = await a.call('POST', '/api/v1/people/john.smithson/restore', onA);
      t.equal(restored.status, 200);
      t.not(restored.body.updated_at, before);
      const after = String(restored.body.updated_at);
      t.equal(await settle(field('john.smithson', 'updated_at'), after), after, 'REST on B');
    });

    t.test('a merger', async (t) => {
      t.equal(await field('cat.gamma', 'org_code')(), 'RXC');
      t.equal(await ldap('cat.gamma', 'nhsOrgCode')(), 'RXC');
      const closed = await a.call('POST', '/api/v1/organisations/RXC/close', onA, { successor_code: 'RXB' });
      t.equal(closed.status, 200);
      t.equal(await settle(field('cat.gamma', 'org_code'), 'RXB'), 'RXB', 'REST on B');
      t.equal(await settle(ldap('cat.gamma', 'nhsOrgCode'), 'RXB'), 'RXB', 'LDAP on B');
      const org = async () => String((await rest('/api/v1/organisations/RXC')).status);
      t.equal(await settle(org, 'closed'), 'closed', 'the organisation on B');
    });

    t.test('a delegate added by the owner', async (t) => {
      const owner = await a.token(...jane);
      const delegates = async () =>
        JSON.stringify((await b.call('GET', '/api/v1/mailboxes/alpha.pharmacy', onB)).body.delegates);
      t.equal(await delegates(), '[]');
      t.notMatch(await ldap('alpha.pharmacy', 'nhsDelegate')(), 'mary.jones', 'LDAP on B, before');
      const put = await a.call('PUT', '/api/v1/mailboxes/alpha.pharmacy/delegates/mary.jones', owner, {
        permission: 'send_as',
      });
      t.equal(put.status, 200);
      t.match(await settle(ldap('alpha.pharmacy', 'nhsDelegate'), 'uid=mary.jones,ou=People,o=nhs'), 'mary.jones');
      t.match(await delegates(), 'mary.jones', 'REST on B');
    });

    t.test('a quota', async (t) => {
      t.equal(await field('jane.smith', 'quota_mb')(), '200');
      t.equal((await a.call('PUT', '/api/v1/people/jane.smith/quota', onA, { quota_mb: 50 })).status, 200);
      t.equal(await settle(field('jane.smith', 'quota_mb'), '50'), '50', 'REST on B');
    });
  });

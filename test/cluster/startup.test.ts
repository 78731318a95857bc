// A node started before its database exists: it stays up, not ready, and answers "try later"
// (LDAP unavailable, 52; REST 503 with Retry-After) while /healthz answers; when a PostgreSQL
// server appears at DATABASE_URL, the node migrates it and serves, with no restart.
import t from 'tap';
import { coreOn, haveClusterBinaries, settle, startCluster, startNode } from '../helpers/cluster.js';
import { ldapsearch, passwords, seed, uids } from '../helpers/ldap.js';
import { freePort } from '../helpers/process.js';

const jane = ['-D', 'uid=jane.smith,ou=People,o=nhs', '-w', passwords.jane];

if (!haveClusterBinaries) t.pass('skipped: the PostgreSQL 15 binaries (postgresql-15) are not installed');
else
  t.test('a node with no database: not ready, unavailable, then serving once the database appears', async (t) => {
    const port = await freePort(); // nothing listens there yet
    const url = `postgres://postgres@127.0.0.1:${port}/nhsdir`;
    const node = await startNode(t, 'a', { DATABASE_URL: url });
    const search = () => ldapsearch(['-H', node.ldapUrl, ...jane, '-b', 'o=nhs', '(uid=john.smithson)', 'uid']);

    t.test('without its database', async (t) => {
      const ready = await node.call('GET', '/readyz');
      t.equal(ready.status, 503, 'not ready');
      t.match(ready.body, {
        status: 'unavailable',
        database: 'postgres',
        detail: new RegExp(`cannot reach the database 127\\.0\\.0\\.1:${port}/nhsdir`),
        databases: [{ name: `127.0.0.1:${port}/nhsdir`, configured: 'primary', reachable: false }],
      });
      t.equal((await node.call('GET', '/healthz')).status, 200, 'alive');

      const bound = await search();
      t.equal(bound.code, 52, 'ldapsearch with a bind: unavailable');
      t.match(bound.stderr, /unavailable \(52\)/i);
      const anonymous = await ldapsearch(['-H', node.ldapUrl, '-b', 'o=nhs', '(uid=john.smithson)']);
      t.equal(anonymous.code, 52, 'an anonymous ldapsearch too');

      const answers = [
        await node.call('GET', '/api/v1/people/jane.smith', 'nhsd_some-token'),
        await node.call('PATCH', '/api/v1/people/jane.smith', 'nhsd_some-token', { title: 'Never' }),
        await node.call('POST', '/api/v1/auth/token', undefined, { username: 'admin', password: 'admin-password-1' }),
      ];
      for (const [what, r] of ['a read', 'a write', 'a sign-in'].map((w, i) => [w, answers[i]] as const)) {
        t.equal(r.status, 503, `${what}: 503`);
        t.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
        t.match(r.body, { status: 503, code: 'service.unavailable' });
        t.ok(Number(r.headers.get('retry-after')) > 0, `${what}: Retry-After`);
      }
      t.equal(node.proc.child.exitCode, null, 'the process lives');
    });

    t.test('the database appears: migrated, ready and serving, no restart', async (t) => {
      await startCluster(t, { standby: false, port });
      const status = async () => (await node.call('GET', '/readyz')).status;
      t.equal(await settle(status, 200, 120_000), 200, 'ready by itself');
      t.match((await node.call('GET', '/readyz')).body, { status: 'ok', database: 'postgres' });
      // The node made the schema and the national administrator; the people come from a core here.
      const { dir } = await coreOn(t, url);
      await seed(dir);
      const found = await search();
      t.equal(found.code, 0, 'ldapsearch answers');
      t.same(uids(found.entries), ['john.smithson']);
      t.ok(await node.token('admin', 'admin-password-1'), 'the administrator signs in over REST');
      t.equal(node.proc.child.exitCode, null, 'the same process');
    });
  });

// Reads from a hot standby, and losing the primary: two `nhsdir serve` processes with
// DATABASE_READ_URL on a PostgreSQL 15 primary and streaming standby of the test's own. Reads keep
// answering from the standby while the primary is down, writes are refused at once (503, LDAP 52),
// and when the primary returns, every backend is cut, or the standby is promoted and the primary's
// address (a forwarder here, as a virtual IP) moves to it, the nodes recover by themselves.
import t from 'tap';
import pg from 'pg';
import { systemActor } from '../../src/directory/actor.js';
import {
  coreOn,
  forwarder,
  haveClusterBinaries,
  settle,
  startCluster,
  startNode,
  waitUntil,
} from '../helpers/cluster.js';
import { staffCsv } from '../helpers/feeds.js';
import { passwords, seed } from '../helpers/ldap.js';

if (!haveClusterBinaries) t.pass('skipped: the PostgreSQL 15 binaries (postgresql-15) are not installed');
else
  t.test('reads from the standby; the primary lost and back; backends cut', async (t) => {
    const cluster = await startCluster(t);
    // The nodes know the primary by an address that a failover can move.
    const primaryAddress = await forwarder(t, cluster.primary.port);
    const env = { DATABASE_URL: primaryAddress.url(), DATABASE_READ_URL: cluster.standby.url() };
    const a = await startNode(t, 'a', env);
    const b = await startNode(t, 'b', env);
    const nodes = [a, b];
    const { dir } = await coreOn(t, cluster.primary.url());
    await seed(dir);
    await cluster.caughtUp();
    const jane: [string, string] = ['jane.smith@nhs.net', passwords.jane];
    const national = await a.token('national', passwords.national);
    const title = async (n: typeof a) =>
      ((await n.search(jane, '(uid=john.smithson)', ['title']))[0] as { title?: string })?.title;
    const readyz = async (n: typeof a) => n.call('GET', '/readyz');
    const standbyName = `127.0.0.1:${cluster.standby.port}/nhsdir`;

    t.test('reads go to the standby; lag is shown', async (t) => {
      for (const n of nodes) {
        const inReads = async () =>
          (await readyz(n)).body.databases?.find((d: { name: string }) => d.name === standbyName)?.in_reads;
        t.equal(await settle(inReads, true), true, `${n.name} reads from the standby`);
        const r = await readyz(n);
        t.equal(r.status, 200);
        t.match(r.body, {
          status: 'ok',
          database: 'postgres',
          writable: true,
          databases: [
            { configured: 'primary', role: 'primary', reachable: true },
            { configured: 'standby', role: 'standby', reachable: true, lag_seconds: Number },
          ],
        });
        const metrics = (await n.call('GET', '/metrics')).body as string;
        t.match(metrics, `nhsdir_db_replication_lag_seconds{database="${standbyName}"}`);
        t.match(metrics, `nhsdir_db_up{database="${standbyName}",role="standby"} 1`);
      }
    });

    t.test('a search answers while a long write transaction runs on the primary', async (t) => {
      const writer = new pg.Client({ connectionString: cluster.primary.url() });
      await writer.connect();
      t.teardown(() => writer.end());
      await writer.query('begin');
      await writer.query("update people set title = 'Uncommitted' where org_code = 'RXA'");
      t.equal(await title(b), 'Porter', 'B answers, without the uncommitted write');
      await writer.query('rollback');
    });

    t.test('a caller reads its own writes', async (t) => {
      for (let i = 1; i <= 5; i++) {
        const patched = await a.call('PATCH', '/api/v1/people/john.smithson', national, { title: `Porter ${i}` });
        t.equal(patched.status, 200);
        const got = await a.call('GET', '/api/v1/people/john.smithson', national);
        t.equal(got.body.title, `Porter ${i}`, 'REST, right after the write');
        t.equal(await title(a), `Porter ${i}`, 'LDAP, right after the write');
      }
      t.equal(await settle(() => title(b), 'Porter 5'), 'Porter 5', 'and the other node sees it');
    });

    t.test('the primary stopped: reads and binds answer, writes and feeds are refused', async (t) => {
      await cluster.caughtUp();
      await cluster.primary.stop('immediate');
      for (const n of nodes) {
        t.equal(await n.bind('jane.smith@nhs.net', passwords.jane), 0, `${n.name}: a bind answers`);
        t.equal(await title(n), 'Porter 5', `${n.name}: a search answers`);
        const read = await n.call('GET', '/api/v1/people/john.smithson', national);
        t.equal(read.body.title, 'Porter 5', `${n.name}: a REST read answers`);
        const write = await n.call('PATCH', '/api/v1/people/john.smithson', national, { title: 'Never' });
        t.equal(write.status, 503, `${n.name}: a write is refused`);
        t.ok(write.headers.get('retry-after'), 'with Retry-After');
        t.match(write.body, { code: 'service.unavailable' });
        t.equal(await n.bind('jane.smith@nhs.net', 'a wrong password'), 49, 'a wrong password is still refused');
        const r = await readyz(n);
        t.equal(r.status, 200, 'still ready: it serves reads');
        t.match(r.body, { writable: false, databases: [{ configured: 'primary', reachable: false }] });
      }
      const res = await fetch(`${a.http}/api/v1/organisations/RXA/feeds`, {
        method: 'POST',
        headers: { authorization: `Bearer ${national}`, 'content-type': 'text/csv' },
        body: staffCsv('F1,Fay,Feed,,RXA,Nurse,,,,,,,,,'),
      });
      t.equal(res.status, 503, 'a feed upload is refused whole');
    });

    t.test('the primary back on its address: writes work again, no node restarted', async (t) => {
      await cluster.primary.start();
      for (const n of nodes) {
        const write = async () =>
          (await n.call('PATCH', '/api/v1/people/john.smithson', national, { title: `Porter ${n.name}` })).status;
        t.equal(await settle(write, 200, 60_000), 200, `${n.name} writes again`);
      }
      t.equal(await settle(() => title(a), 'Porter b', 60_000), 'Porter b', 'A sees B’s write');
      const [fay] = await cluster.primary.query("select 1 from people where given_name = 'Fay'");
      t.notOk(fay, 'nothing of the refused feed was applied');
      const refused = async () => {
        const runs = await a.call('GET', '/api/v1/sync-runs?org=RXA', national);
        const run = runs.body.items?.find((r: { status: string; errors: { message: string }[] }) =>
          r.errors.some((e) => /could not be written/.test(e.message)),
        );
        return run?.status;
      };
      t.equal(await settle(refused, 'rejected', 60_000), 'rejected', 'the refused feed is in its history, rejected');
      t.equal((await readyz(a)).body.writable, true);
    });

    t.test('every backend cut under load: each node recovers by itself', async (t) => {
      let loading = true;
      const load = Promise.all(
        nodes.flatMap((n) =>
          [1, 2].map(async () => {
            while (loading) await title(n).catch(() => undefined);
          }),
        ),
      );
      await waitUntil(async () => (await title(b)) !== undefined, 'the load to run');
      for (const s of [cluster.primary, cluster.standby])
        await s.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where datname = 'nhsdir' and pid <> pg_backend_pid()",
        );
      loading = false;
      await load;
      for (const n of nodes) {
        const write = async () =>
          (await n.call('PATCH', '/api/v1/people/john.smithson', national, { title: `Cut ${n.name}` })).status;
        t.equal(await settle(write, 200, 60_000), 200, `${n.name} writes`);
        const other = nodes.find((o) => o !== n)!;
        t.equal(await settle(() => title(other), `Cut ${n.name}`, 60_000), `Cut ${n.name}`, 'and is heard');
      }
      await dir.updatePerson(systemActor, 'john.smithson', { title: 'After' });
      for (const n of nodes) t.equal(await settle(() => title(n), 'After', 60_000), 'After', `${n.name} follows`);
    });

    t.test('the standby promoted and the primary address moved to it: writes work, no node restarted', async (t) => {
      await cluster.caughtUp();
      await cluster.primary.stop('immediate');
      for (const n of nodes) {
        const write = await n.call('PATCH', '/api/v1/people/john.smithson', national, { title: 'Never' });
        t.equal(write.status, 503, `${n.name}: refused while there is no primary`);
      }
      await cluster.standby.promote();
      primaryAddress.point(cluster.standby.port);
      for (const n of nodes) {
        const other = nodes.find((o) => o !== n)!;
        const want = `Promoted ${n.name}`;
        const write = async () =>
          (await n.call('PATCH', '/api/v1/people/john.smithson', national, { title: want })).status;
        t.equal(await settle(write, 200, 60_000), 200, `${n.name} writes again`);
        t.equal(await settle(() => title(other), want, 60_000), want, `and ${other.name} sees it over LDAP`);
        t.equal(n.proc.child.exitCode, null, `${n.name} is the process started at the beginning`);
      }
      const [row] = await cluster.standby.query<{ title: string }>(
        "select title from people where uid = 'john.smithson'",
      );
      t.equal(row.title, 'Promoted b', 'written on the promoted standby');
      const r = await readyz(a);
      t.match(
        r.body,
        { writable: true, databases: [{ configured: 'primary', reachable: true }, { role: 'primary' }] },
        '/readyz: writable, the standby now a primary',
      );
    });

    t.test('no database at all: not ready, LDAP unavailable, no crash', async (t) => {
      // The old primary has been stopped since the promotion; the promoted standby is the last.
      await cluster.standby.stop('immediate');
      for (const n of nodes) {
        t.equal((await readyz(n)).status, 503, `${n.name} is not ready`);
        t.equal(await n.bind('jane.smith@nhs.net', 'a wrong password'), 52, 'LDAP answers unavailable');
        t.equal((await n.call('GET', '/healthz')).status, 200, 'and the process lives');
        t.equal(n.proc.child.exitCode, null);
      }
    });
  });

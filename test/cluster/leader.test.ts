// Scheduled feeds on several nodes: the same schedule on two nodes, and each dropped file is run
// once, by the node holding leadership (a PostgreSQL advisory lock); kill that node and the other
// takes over.
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { coreOn, haveClusterBinaries, startCluster, startNode, waitUntil } from '../helpers/cluster.js';
import { staffCsv } from '../helpers/feeds.js';

if (!haveClusterBinaries) t.pass('skipped: the PostgreSQL 15 binaries (postgresql-15) are not installed');
else
  t.test('two nodes, one schedule: each file is applied once; the other node takes over', async (t) => {
    const cluster = await startCluster(t, { standby: false });
    const folder = mkdtempSync(join(tmpdir(), 'nhsdir-drop-'));
    t.teardown(() => rmSync(folder, { recursive: true, force: true }));
    const schedule = join(folder, '.schedule.json');
    writeFileSync(
      schedule,
      JSON.stringify({
        jobs: [{ name: 'rxa-hr', connector: 'csv', org: 'RXA', interval_seconds: 1, drop_folder: folder }],
      }),
    );
    // Seeded before the nodes start, so that their first runs find the organisation.
    const first = await startNode(t, 'first', { DATABASE_URL: cluster.primary.url() });
    const { dir } = await coreOn(t, cluster.primary.url());
    await dir.createOrganisation(systemActor, { code: 'RXA', name: 'Alpha Hospitals NHS Trust' });
    await first.kill();
    const env = { DATABASE_URL: cluster.primary.url(), SYNC_SCHEDULE: schedule };
    const nodes = [await startNode(t, 'a', env), await startNode(t, 'b', env)];
    const leading = /leading scheduled feeds on this node/;
    await waitUntil(() => nodes.some((n) => leading.test(n.proc.output())), 'a node to lead');
    const leader = nodes.find((n) => leading.test(n.proc.output()))!;
    const other = nodes.find((n) => n !== leader)!;

    let files = 0;
    const staff = ['S1,Sara,Sched,,RXA,Nurse,,,,,,,,,'];
    // Written aside, then renamed into the folder, as an HR system is asked to.
    const drop = () => {
      const name = `2026-01-0${++files}.csv`;
      writeFileSync(join(folder, `${name}.part`), staffCsv(...staff));
      renameSync(join(folder, `${name}.part`), join(folder, name));
    };
    const processed = () => (existsSync(join(folder, 'processed')) ? readdirSync(join(folder, 'processed')).length : 0);
    const runs = async () =>
      (await cluster.primary.query<{ n: number }>("select count(*)::int as n from sync_runs where org_code = 'RXA'"))[0]
        .n;

    drop();
    await waitUntil(() => processed() === 1, 'the first file to be applied');
    staff.push('S2,Sam,Sched,,RXA,Porter,,,,,,,,,');
    drop();
    await waitUntil(() => processed() === 2, 'the second file to be applied');
    // Both nodes have ticked many times (every second) by now: one run per file all the same.
    await waitUntil(() => /"scheduled feed run"/.test(leader.proc.output()), 'the leader to log its runs');
    t.equal(await runs(), 2, 'each file applied once');
    t.notMatch(other.proc.output(), leading, 'the other node never led');
    t.notMatch(other.proc.output(), /"scheduled feed run"/, 'nor ran a job');

    await leader.kill();
    staff.push('S3,Suzy,Sched,,RXA,Clerk,,,,,,,,,');
    drop();
    await waitUntil(() => leading.test(other.proc.output()), 'the other node to take over');
    await waitUntil(() => processed() === 3, 'the third file to be applied by the new leader');
    t.equal(await runs(), 3, 'and applied once');
    const people = await cluster.primary.query<{ uid: string }>(
      "select uid from people where org_code = 'RXA' order by uid",
    );
    t.same(
      people.map((p) => p.uid),
      ['sam.sched', 'sara.sched', 'suzy.sched'],
    );
  });

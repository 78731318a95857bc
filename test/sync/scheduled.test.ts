// Scheduled feeds: an ldap job pulling from a real slapd, a drop folder an HR system writes into,
// and a failing job that is recorded and tried again at the next interval.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { createSync } from '../../src/sync/runs.js';
import { loadSchedule, startScheduler } from '../../src/sync/scheduler.js';
import { testDirectory, withTwoOrgs } from '../helpers/directory.js';
import { staffCsv } from '../helpers/feeds.js';
import { slapdMissing, staffEntry, startSlapd, trustBase } from '../helpers/slapd.js';

const log = pino({ level: 'silent' });
const until = async (what: string, test: () => Promise<boolean> | boolean, ms = 30_000) => {
  for (const end = Date.now() + ms; !(await test());) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

t.test("an ldap job keeps the directory true to a trust's OpenLDAP", { skip: slapdMissing }, async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const slapd = await startSlapd(
    t,
    trustBase +
      [
        staffEntry({ id: 'T1', given: 'Tara', sn: 'Trust', title: 'Nurse' }),
        staffEntry({ id: 'T2', given: 'Tom', sn: 'Trust', title: 'Porter' }),
        staffEntry({ id: 'T3', given: 'Tim', sn: 'Trust', title: 'Clerk' }),
        staffEntry({ id: 'T4', given: 'Tess', sn: 'Trust', title: 'Medic' }),
      ].join('\n'),
  );
  const sync = createSync(dir, 0.5);
  const jobs = [
    {
      name: 'rxb-ad',
      connector: 'ldap',
      org: 'RXB',
      interval_seconds: 1,
      config: {
        url: slapd.url,
        base: 'ou=Staff,dc=trust,dc=example',
        filter: '(objectClass=inetOrgPerson)',
        page_size: 2,
      },
    },
  ];
  const scheduler = startScheduler(sync, jobs, log);
  t.teardown(() => scheduler.stop());
  await until('the first run', async () => (await sync.listRuns(systemActor, { org: 'RXB', limit: 1 })).length > 0);
  t.match(await dir.getPerson(systemActor, 'tara.trust'), { orgCode: 'RXB', title: 'Nurse', status: 'active' });
  execFileSync('ldapdelete', [
    '-x',
    '-H',
    slapd.url,
    '-D',
    'cn=admin,dc=trust,dc=example',
    '-w',
    'secret',
    'uid=T4,ou=Staff,dc=trust,dc=example',
  ]);
  await until('the leaver', async () => (await dir.getPerson(systemActor, 'tess.trust')).status === 'leaver');
  const [last] = await sync.listRuns(systemActor, { org: 'RXB', limit: 1 });
  t.match(last.report, { connector: 'ldap', status: 'applied' });
});

t.test('a drop folder: each file is run once and moved aside; a failing job is recorded and retried', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const folder = mkdtempSync(join(tmpdir(), 'nhsdir-drop-'));
  t.teardown(() => rmSync(folder, { recursive: true, force: true }));
  writeFileSync(join(folder, 'staff.csv.part'), 'still being written');
  writeFileSync(join(folder, '2026-01-05.csv'), staffCsv('D1,Dora,Drop,,RXA,,,,,,,,,,'));
  const scheduleFile = join(folder, '.schedule.json');
  writeFileSync(
    scheduleFile,
    JSON.stringify({
      jobs: [
        { name: 'rxa-hr', connector: 'csv', org: 'RXA', interval_seconds: 1, drop_folder: folder },
        {
          name: 'rxb-broken',
          connector: 'ldap',
          org: 'RXB',
          interval_seconds: 1,
          config: { url: 'ldap://127.0.0.1:1', base: 'o=x', timeout_ms: 500 },
        },
      ],
    }),
  );
  const sync = createSync(dir, 0.1);
  const scheduler = startScheduler(sync, loadSchedule(scheduleFile), log);
  t.teardown(() => scheduler.stop());
  await until(
    'the file to be processed',
    () => existsSync(join(folder, 'processed')) && readdirSync(join(folder, 'processed')).length === 1,
  );
  t.match(readdirSync(join(folder, 'processed'))[0], /^\d+-2026-01-05\.csv$/);
  t.ok(existsSync(join(folder, 'staff.csv.part')), 'a file still being written is left alone');
  t.equal((await dir.getPerson(systemActor, 'dora.drop')).orgCode, 'RXA');
  await until('two failed runs', async () => (await sync.listRuns(systemActor, { org: 'RXB', limit: 5 })).length >= 2);
  const [failed] = await sync.listRuns(systemActor, { org: 'RXB', limit: 1 });
  t.match(failed.report, { status: 'rejected', errors: [{ message: /LDAP ldap:\/\/127\.0\.0\.1:1/ }] });
  t.equal((await sync.listRuns(systemActor, { org: 'RXA', limit: 5 })).length, 1, 'the dropped file ran once');
});

t.test('a bad schedule file stops start-up with a message naming the problem', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'nhsdir-schedule-'));
  t.teardown(() => rmSync(folder, { recursive: true, force: true }));
  writeFileSync(
    join(folder, 's.json'),
    JSON.stringify({ jobs: [{ name: 'x', connector: 'csv', interval_seconds: 0 }] }),
  );
  t.throws(() => loadSchedule(join(folder, 's.json')), /jobs\.0\.interval_seconds/);
  t.throws(() => loadSchedule(join(folder, 'missing.json')), /SYNC_SCHEDULE/);
});

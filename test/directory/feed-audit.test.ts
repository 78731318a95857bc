// The writes a staff feed makes of its own are audited like every other: adopting an employee
// number for someone matched by address, and keeping identifier hashes. The record names the feed's
// actor (its connector, or the administrator who uploaded the file) and the person, never a hash.
import t from 'tap';
import { systemActor, type Actor } from '../../src/directory/actor.js';
import type { Directory } from '../../src/directory/directory.js';
import { localAdmin, testDirectory, withTwoOrgs } from '../helpers/directory.js';
import { feedFolder, staffCsv, syncFor } from '../helpers/feeds.js';

const sys = systemActor;

/** What the audit log says about `uid`, as an auditor reads it. */
async function auditOf(dir: Directory, uid: string) {
  return dir.listAudit(sys, { target: uid, limit: 100 });
}

async function connectorActor(dir: Directory): Promise<Actor> {
  await dir.createService(sys, { name: 'rxa-feed', grants: [{ role: 'connector', orgCode: 'RXA' }] });
  return (await dir.loadActor({ service: 'rxa-feed' }))!;
}

t.test("a connector's feed adopts an employee number and keeps identifier hashes: both audited", async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const connector = await connectorActor(dir);
  // Entered by hand before the feed existed: no employee number, no identifiers.
  const jane = await dir.createJoiner(sys, { givenName: 'Jane', familyName: 'Smith', orgCode: 'RXA' });
  const file = feedFolder(t);
  const { run } = syncFor(dir);
  const row = (ni: string) => `E001,Jane,Smith,,RXA,,,,,,${jane.mail},2020-01-01,,${ni},1980-02-03`;

  const first = await run(file(staffCsv(row('AB123456C'))), { actor: connector });
  t.equal(first.status, 'applied');
  t.match(first.changes, [{ action: 'updated', uid: jane.uid, fields: { employee_number: 'E001' } }]);

  const log = await auditOf(dir, jane.uid);
  const adopted = log.filter((e) => e.action === 'person.employee_number');
  t.equal(adopted.length, 1, 'one record of the adoption');
  t.match(adopted[0], {
    actor: 'service:rxa-feed',
    targetType: 'person',
    targetId: jane.uid,
    before: { orgCode: 'RXA', employeeNumber: null },
    after: { orgCode: 'RXA', employeeNumber: 'E001', source: 'csv' },
    cause: `sync_run:${first.run_id}`,
  });
  const hashed = log.filter((e) => e.action === 'person.identifiers');
  t.equal(hashed.length, 1, 'one record of the identifier hashes');
  t.match(hashed[0], {
    actor: 'service:rxa-feed',
    targetType: 'person',
    targetId: jane.uid,
    after: { identifiers: ['ni_number', 'date_of_birth'] },
    cause: `sync_run:${first.run_id}`,
  });
  t.notMatch(JSON.stringify(hashed[0]), /hmac|AB123456C|1980-02-03/i, 'no identifier or hash reaches the log');

  // The adopted number is hers now: the same file again matches her by it and writes nothing.
  const again = await run(file(staffCsv(row('AB123456C'))), { actor: connector });
  t.match(again.counts, { unchanged: 1, updated: 0 });
  t.equal((await auditOf(dir, jane.uid)).length, log.length, 'nothing new in the log');

  // A corrected NI number: only that identifier is recorded as changed.
  const third = await run(file(staffCsv(row('AB123456D'))), { actor: connector });
  const latest = (await auditOf(dir, jane.uid)).filter((e) => e.action === 'person.identifiers');
  t.equal(latest.length, 2);
  t.match(latest[1], {
    actor: 'service:rxa-feed',
    targetId: jane.uid,
    after: { identifiers: ['ni_number'] },
    cause: `sync_run:${third.run_id}`,
  });
});

t.test('a file a local administrator uploads names them in the same records', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const admin = await localAdmin(dir, 'RXA');
  const bob = await dir.createJoiner(sys, { givenName: 'Bob', familyName: 'Brown', orgCode: 'RXA' });
  const file = feedFolder(t);
  const { run } = syncFor(dir);

  const bobRow = `E500,Bob,Brown,,RXA,,,,,,${bob.mail},,,QQ123456A,1971-07-08`;
  const report = await run(file(staffCsv(bobRow)), {
    actor: admin,
  });
  t.equal(report.status, 'applied');
  const log = await auditOf(dir, bob.uid);
  t.match(
    log.filter((e) => e.action === 'person.employee_number' || e.action === 'person.identifiers'),
    [
      { action: 'person.employee_number', actor: `person:${admin.name}`, targetId: bob.uid },
      { action: 'person.identifiers', actor: `person:${admin.name}`, targetId: bob.uid },
    ],
  );

  // A dry run writes, and so records, nothing.
  const dave = await dir.createJoiner(sys, { givenName: 'Dave', familyName: 'Jones', orgCode: 'RXA' });
  const dry = await run(file(staffCsv(bobRow, `E501,Dave,Jones,,RXA,,,,,,${dave.mail},,,QQ123456B,1972-01-02`)), {
    actor: admin,
    dryRun: true,
  });
  t.match(dry.changes, [{ action: 'updated', uid: dave.uid, fields: { employee_number: 'E501' } }]);
  t.same(
    (await auditOf(dir, dave.uid)).map((e) => e.action),
    ['person.create'],
  );
});

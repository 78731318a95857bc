// What a feed may change (issue 11): a column the file does not have changes nothing; an empty cell
// in a column it has clears the value; a telephone number that is not one is a row error with its
// line and column, and that person is left exactly as they were.
import t from 'tap';
import { systemActor as sys } from '../../src/directory/actor.js';
import { testDirectory, withTwoOrgs } from '../helpers/directory.js';
import { feedFolder, staffCsv, syncFor } from '../helpers/feeds.js';

t.test('an absent column changes nothing; an empty cell clears', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const file = feedFolder(t);
  const { run } = syncFor(dir, 0.5);
  await run(file(staffCsv('E1,Jane,Smith,,RXA,Staff Nurse,Cardiology,Main,0113 496 0001,07700 900001,,,,,')));
  await dir.updatePerson(sys, 'jane.smith', { site: 'Set by an administrator' });
  // A file of only the required columns and a job title: department, site and phones are not in it.
  const narrow = await run(
    file('employee_number,given_name,family_name,org_code,job_title\r\nE1,Jane,Smith,RXA,Ward Sister\r\n'),
  );
  t.match(narrow.changes, [{ action: 'updated', uid: 'jane.smith', fields: { title: 'Ward Sister' } }]);
  t.notOk('department' in narrow.changes[0].fields, 'the report names only what changed');
  t.match(await dir.getPerson(sys, 'jane.smith'), {
    title: 'Ward Sister',
    department: 'Cardiology',
    site: 'Set by an administrator',
    telephone: '0113 496 0001',
    mobile: '07700 900001',
  });
  // The same column present and empty: cleared.
  const cleared = await run(
    file('employee_number,given_name,family_name,org_code,job_title,site\r\nE1,Jane,Smith,RXA,Ward Sister,\r\n'),
  );
  t.match(cleared.changes, [{ action: 'updated', fields: { site: null } }]);
  t.equal((await dir.getPerson(sys, 'jane.smith')).site, null);
});

t.test('telephone numbers are checked in the core, for feeds and every front end', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const file = feedFolder(t);
  const { run } = syncFor(dir, 0.5);
  await run(file(staffCsv('E1,Jane,Smith,,RXA,,,,0113 496 0001,,,,,,', 'E2,John,Smithson,,RXA,,,,,,,,,,')));
  const bad = await run(
    file(staffCsv('E1,Jane,Smith,,RXA,,,,call reception,,,,,,', 'E2,John,Smithson,,RXA,,,,,07700 9OO 123,,,,,')),
  );
  t.same(
    bad.errors.map((e) => [e.line, e.column]),
    [
      [2, 9],
      [3, 10],
    ],
    'each bad number with its line and column',
  );
  t.match(bad.errors[0].message, /work phone must be a telephone number/);
  t.equal(bad.counts.leavers, 0, 'neither becomes a leaver');
  t.equal((await dir.getPerson(sys, 'jane.smith')).telephone, '0113 496 0001', 'and nothing of theirs changed');
  for (const ok of ['+44 (0)113 496 0001', '0113-496-0001', '4321']) {
    t.equal((await dir.updatePerson(sys, 'jane.smith', { telephone: ok })).telephone, ok);
  }
  for (const wrong of ['12', 'ext. 1234', '0113 496 0001 or 0002', '+'.padEnd(30, '1'), '=cmd|calc']) {
    await t.rejects(
      dir.updatePerson(sys, 'jane.smith', { mobile: wrong }),
      { code: 'validation.failed', fields: { mobile: /telephone number/ } },
      wrong,
    );
  }
  await t.rejects(dir.createJoiner(sys, { givenName: 'Ann', familyName: 'New', orgCode: 'RXA', telephone: 'none' }), {
    code: 'validation.failed',
  });
});

t.test('a control character is a row error, and the rest of the file applies', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const file = feedFolder(t);
  const report = await syncFor(dir, 0.5).run(
    file(
      staffCsv(
        'E1,Jane,Smith,,RXA,"x\u0007y",,,,,,,,,'.replace('\\u0007', '\u0007'),
        'E2,John,Jones,,RXA,Porter,,,,,,,,,',
      ),
    ),
  );
  t.equal(report.status, 'applied');
  t.match(report.errors, [{ line: 2, column: 6, message: /title contains a control character/ }]);
  t.same(
    report.changes.map((c) => c.uid),
    ['john.jones'],
  );
});

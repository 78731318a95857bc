// Bad feeds: row errors with line and column that leave their people alone, files rejected whole,
// held runs, runs at once, and a run whose database connection dies half-way.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import t, { type Test } from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { testDirectory, withTwoOrgs, localAdmin } from '../helpers/directory.js';
import { feedFolder, staffCsv, syncFor } from '../helpers/feeds.js';

const sys = systemActor;
const ten = Array.from(
  { length: 10 },
  (_, i) => `E${100 + i},Person,Number${String.fromCharCode(97 + i)},,RXA,Nurse,Ward,,,,,,,,`,
);

async function loaded(t: Test) {
  const ctx = await testDirectory(t);
  await withTwoOrgs(ctx.dir);
  const file = feedFolder(t);
  const feeds = syncFor(ctx.dir);
  const first = await feeds.run(file(staffCsv(...ten)));
  t.equal(first.counts.joiners, 10);
  const snapshot = () => ctx.database.query(`select uid, mail, status, title, org_code from people order by uid`);
  return { ...ctx, file, ...feeds, snapshot };
}

t.test('rows with errors are reported with line and column, and their people are not made leavers', async (t) => {
  const { dir, file, run } = await loaded(t);
  const rows = [...ten];
  rows[0] = 'E100,Person,Numbera,,RXA,Nurse,Ward,,,,,2026-13-01,,,'; // bad date (line 2, column 12)
  rows[1] = 'E101,,Numberb,,RXA,Nurse,Ward,,,,,,,,'; // no given name (line 3, column 2)
  rows[2] = 'E102,Person,Numberc,,RXB,Nurse,Ward,,,,,,,,'; // another organisation (line 4, column 5)
  rows[3] = 'E104,Person,Numberd,,RXA,Nurse,Ward,,,,,,,,'; // E104 twice (lines 5 and 6)
  const report = await run(file(staffCsv(...rows)));
  t.equal(report.status, 'applied');
  t.same(report.errors, [
    { line: 2, column: 12, message: 'start_date "2026-13-01" is not a date (YYYY-MM-DD)' },
    { line: 3, column: 2, message: 'given_name is required' },
    { line: 4, column: 5, message: 'org_code RXB is not RXA, the organisation this feed is for' },
    { line: 5, column: 1, message: 'employee_number E104 appears more than once (lines 5, 6)' },
    { line: 6, column: 1, message: 'employee_number E104 appears more than once (lines 5, 6)' },
  ]);
  t.equal(report.counts.errors, 5);
  // E103 is on no row at all now: the only leaver. The people on bad rows stay as they were.
  t.same(
    report.changes.map((c) => `${c.action} ${c.uid}`),
    ['leaver person.numberd'],
  );
  for (const uid of ['person.numbera', 'person.numberb', 'person.numberc', 'person.numbere']) {
    t.equal((await dir.getPerson(sys, uid)).status, 'active', `${uid} is not a leaver`);
  }
});

t.test('a file that cannot be read is rejected whole, with nothing changed', async (t) => {
  const { file, run, snapshot, sync } = await loaded(t);
  const before = await snapshot();
  const garbage = randomBytes(4096);
  garbage[100] = 0;
  for (const [what, content] of [
    ['binary garbage', garbage],
    ['not UTF-8', Buffer.from('employee_number,given_name,family_name,org_code\r\nE1,Jos\xe9,X,RXA\r\n', 'latin1')],
    ['no header', Buffer.from('E100,Person,Numbera,RXA\r\n')],
    ['broken quoting', Buffer.from(staffCsv('E100,"Person,Numbera,,RXA,,,,,,,,,,'))],
    ['empty', Buffer.alloc(0)],
  ] as const) {
    const report = await run(file(content));
    t.equal(report.status, 'rejected', what);
    t.equal(report.errors.length, 1, `${what}: ${report.errors[0]?.message}`);
    t.same(report.changes, []);
  }
  t.same(await snapshot(), before, 'nothing changed');
  t.equal((await sync.listRuns(sys, { org: 'RXA', limit: 10 })).length, 6, 'each rejected run is on record');
});

t.test('a file that would make 40% leavers is held, then applied when an administrator approves it', async (t) => {
  const { dir, file, run, snapshot, sync } = await loaded(t);
  const before = await snapshot();
  const held = await run(file(staffCsv(...ten.slice(0, 6))));
  t.equal(held.status, 'held');
  t.match(held.held_reason, /4 of 10 people \(40\.0%\) would become leavers/);
  t.equal(held.counts.leavers, 4, 'the report says what approval would do');
  t.same(await snapshot(), before, 'nothing applied');
  const user = await dir.createJoiner(sys, { givenName: 'Una', familyName: 'User', orgCode: 'RXA' });
  await t.rejects(sync.approveRun((await dir.loadActor({ personId: user.id }))!, held.run_id), {
    code: 'sync_run.not_found',
  });
  await t.rejects(
    sync.approveRun(await localAdmin(dir, 'RXB'), held.run_id),
    { code: 'sync_run.not_found' },
    "another organisation's administrator",
  );
  const approved = await sync.approveRun(await localAdmin(dir, 'RXA'), held.run_id);
  t.equal(approved.status, 'applied');
  t.equal(approved.counts.leavers, 4);
  t.equal((await dir.getPerson(sys, 'person.numberj')).status, 'leaver');
  await t.rejects(sync.approveRun(sys, held.run_id), { code: 'sync_run.not_held' }, 'approved once only');
  t.equal((await sync.getRun(sys, held.run_id)).status, 'applied');
});

t.test('two runs for one organisation at once are serialised', async (t) => {
  const { file, run, database } = await loaded(t);
  const a = file(staffCsv(...ten, 'E200,Anna,Concurrent,,RXA,,,,,,,,,,'));
  const b = file(staffCsv(...ten, 'E200,Anna,Concurrent,,RXA,,,,,,,,,,', 'E201,Ben,Concurrent,,RXA,,,,,,,,,,'));
  const [ra, rb] = await Promise.all([run(a), run(b)]);
  // Whichever ran second saw the first one's joiner: Anna is created exactly once.
  t.equal(ra.counts.joiners + rb.counts.joiners, 2);
  const annas = await database.query(`select uid from people where family_name = 'Concurrent' order by uid`);
  t.same(
    annas.map((r) => r.uid),
    ['anna.concurrent', 'ben.concurrent'],
  );
});

t.test(
  'a run whose database connection dies half-way leaves the directory as it was',
  { skip: !process.env.DATABASE_URL && 'needs PostgreSQL (DATABASE_URL)' },
  async (t) => {
    const { file, sync, snapshot, database } = await loaded(t);
    const before = await snapshot();
    const big = file(
      staffCsv(...ten.slice(0, 9), ...Array.from({ length: 3000 }, (_, i) => `J${i},Joiner,Number${i},,RXA,,,,,,,,,,`)),
    );
    const running = sync.runFeed(sys, { connector: 'csv', orgCode: 'RXA', source: { stream: createReadStream(big) } });
    // Wait until the run holds its organisation's lock (inside its transaction), then cut it off.
    for (let killed = 0; !killed;) {
      const [row] = await database.query<{ n: number }>(`select count(pg_terminate_backend(pid))::int as n from pg_locks
      where locktype = 'advisory' and granted and pid <> pg_backend_pid() and database = (select oid from pg_database where datname = current_database())`);
      killed = row.n;
      if (!killed) await new Promise((r) => setTimeout(r, 2));
    }
    await t.rejects(running);
    t.same(await snapshot(), before, 'no joiner, no leaver');
    const [run] = await sync.listRuns(sys, { org: 'RXA', limit: 1 });
    t.match(run.report, { status: 'rejected', errors: [{ message: /nothing was applied/ }] });
  },
);

// A staff feed over "days" for one organisation, on real files through the csv connector.
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { createReview } from '../../src/sync/review.js';
import { testDirectory, withTwoOrgs } from '../helpers/directory.js';
import { feedFolder, staffCsv, syncFor } from '../helpers/feeds.js';

const sys = systemActor;
const day1 = [
  'E001,Jane,Smith,,RXA,Staff Nurse,Ward 1,Main,0113 000 0001,,,2020-01-01,,AB123456C,1980-02-03',
  'E002,Robert,Brown,Bob,RXA,Consultant,Cardiology,Main,,07700 900001,,,,,',
  'E003,Siân,Jones,,RXA,Porter,Estates,,,,,,,,',
  'E004,Ali,Khan,,RXA,Pharmacist,Pharmacy,,,,,,,,',
  'E005,Mary,Evans,,RXA,Clerk,Admin,,,,,,,,',
];

const actions = (r: { changes: { action: string; uid: string | null }[] }) =>
  r.changes.map((c) => `${c.action} ${c.uid}`);

t.test('a staff feed over several days: joiners, leavers, updates, a name change, a mover, a re-hire', async (t) => {
  const { dir, database } = await testDirectory(t);
  await withTwoOrgs(dir);
  const file = feedFolder(t);
  const { run, sync } = syncFor(dir, 0.5);

  // Day 1: first load.
  const first = await run(file(staffCsv(...day1)));
  t.equal(first.status, 'applied');
  t.match(first.counts, { rows: 5, joiners: 5, leavers: 0, errors: 0 });
  t.same(actions(first), [
    'joiner jane.smith',
    'joiner bob.brown',
    'joiner sian.jones',
    'joiner ali.khan',
    'joiner mary.evans',
  ]);
  const bob = await dir.getPerson(sys, 'bob.brown');
  t.match(bob, {
    givenName: 'Bob',
    familyName: 'Brown',
    cn: 'Bob Brown',
    title: 'Consultant',
    mobile: '07700 900001',
    displayName: 'Bob Brown (Alpha Hospitals NHS Trust)',
    status: 'active',
  });

  // The same file again changes nothing, not even the audit log.
  const [{ n: auditBefore }] = await database.query<{ n: number }>('select count(*)::int as n from audit');
  const again = await run(file(staffCsv(...day1)));
  t.match(again.counts, { rows: 5, joiners: 0, movers: 0, leavers: 0, updated: 0, unchanged: 5 });
  t.same(again.changes, []);
  const [{ n: auditAfter }] = await database.query<{ n: number }>('select count(*)::int as n from audit');
  t.equal(auditAfter, auditBefore, 'a second run of the same file writes nothing');

  // Day 2: two joiners, one of whom starts next month and waits.
  const day2 = [
    ...day1,
    'E006,Tom,Hughes,,RXA,Radiographer,Imaging,,,,,,,,',
    'E007,Zoe,Ward,,RXA,Nurse,Ward 2,,,,,2026-02-01,,,',
  ];
  const second = await run(file(staffCsv(...day2)));
  t.same(actions(second), ['joiner tom.hughes'], 'a future start_date waits');

  // Day 3: a leaver by absence, one by end_date, a new title and phone, a name change. Dry run first.
  const day3 = [
    'E001,Jane,Smith,,RXA,Ward Sister,Ward 1,Main,0113 000 0002,,,2020-01-01,,AB123456C,1980-02-03',
    day1[1],
    'E003,Siân,Williams,,RXA,Porter,Estates,,,,,,,,',
    'E005,Mary,Evans,,RXA,Clerk,Admin,,,,,,2026-01-01,,',
    day2[5],
    day2[6],
  ];
  const dry = await run(file(staffCsv(...day3)), { dryRun: true });
  t.equal(dry.status, 'dry_run');
  t.equal((await dir.getPerson(sys, 'ali.khan')).status, 'active', 'a dry run changes nothing');
  const third = await run(file(staffCsv(...day3)));
  t.same(
    { counts: third.counts, changes: third.changes },
    { counts: dry.counts, changes: dry.changes },
    'the dry run reported exactly what applying did',
  );
  t.match(third.counts, { leavers: 2, updated: 2, unchanged: 3, joiners: 0 });
  t.equal((await dir.getPerson(sys, 'ali.khan')).status, 'leaver', 'absent from the file: a leaver');
  t.equal((await dir.getPerson(sys, 'mary.evans')).status, 'leaver', 'end_date before today: a leaver');
  t.match(await dir.getPerson(sys, 'jane.smith'), { title: 'Ward Sister', telephone: '0113 000 0002' });
  const sian = await dir.getPerson(sys, 'sian.jones');
  t.equal(sian.mail, 'sian.williams@nhs.net', 'a name change gives a new address');
  t.same(sian.aliases, ['sian.jones@nhs.net'], 'and keeps the old one as an alias');
  t.match(
    third.changes.find((c) => c.uid === 'sian.jones'),
    { action: 'updated', mail: 'sian.williams@nhs.net', fields: { family_name: 'Williams' } },
  );

  // Day 4: a mover from another organisation, recognised by email; uid and address kept.
  const elsewhere = await dir.createJoiner(sys, { givenName: 'Priya', familyName: 'Patel', orgCode: 'RXB' });
  const day4 = [...day3, `E008,Priya,Patel,,RXA,Midwife,Maternity,,,,${elsewhere.mail.toUpperCase()},,,,`];
  const fourth = await run(file(staffCsv(...day4)));
  t.same(actions(fourth), ['mover priya.patel']);
  t.match(await dir.getPerson(sys, 'priya.patel'), {
    orgCode: 'RXA',
    mail: 'priya.patel@nhs.net',
    title: 'Midwife',
    displayName: 'Priya Patel (Alpha Hospitals NHS Trust)',
  });
  t.match(
    (await run(file(staffCsv(...day4)))).counts,
    { unchanged: 7, movers: 0 },
    'the mover is now matched by employee number',
  );

  // Day 5: a re-hire. Ali Khan (a leaver since day 3) comes back to RXB with the same NI number and
  // date of birth under a new employee number: nobody is created until an administrator decides.
  const { run: runB } = syncFor(dir, 1);
  await runB(
    file(
      staffCsv('B100,Ali,Khan,,RXB,Pharmacist,Pharmacy,,,,,,,ab 12 34 56 d,1975-05-06').replace(
        'ab 12 34 56 d',
        'AB123456D',
      ),
    ),
    { org: 'RXB' },
  );
  t.equal(
    (await dir.getPerson(sys, 'ali.khan2')).orgCode,
    'RXB',
    'no NI number on record for the old Ali Khan yet, so a new person',
  );
  // Give the day-3 leaver the same identifiers through RXA's feed history, then leave again.
  await database.query(
    `update people set ni_hmac = (select ni_hmac from people where uid = 'ali.khan2'), dob_hmac = (select dob_hmac from people where uid = 'ali.khan2') where uid = 'ali.khan'`,
  );
  await runB(file(staffCsv()), { org: 'RXB' });
  t.equal((await dir.getPerson(sys, 'ali.khan2')).status, 'leaver');
  const rehireFile = file(
    staffCsv(...day4, 'E009,Ali,Khan,,RXA,Chief Pharmacist,Pharmacy,,,,,,,AB 123456 D,1975-05-06'),
  );
  const fifth = await run(rehireFile);
  t.match(fifth.counts, { joiners: 0, movers: 0 });
  t.match(fifth.changes, [{ action: 'review', uid: null, fields: { employee_number: 'E009' } }]);
  t.match((await run(rehireFile)).changes, [], 'the same row waits in the queue, not queued twice');
  const review = createReview(dir);
  const [item] = await review.listReview(sys, { limit: 10 });
  t.match(item, { orgCode: 'RXA', hrKey: 'E009', candidateUid: /^ali\.khan2?$/ });
  const linked = await review.resolveReview(sys, item.id, { action: 'link' });
  t.match(
    linked,
    {
      uid: item.candidateUid,
      mail: `${item.candidateUid}@nhs.net`,
      orgCode: 'RXA',
      status: 'active',
      title: 'Chief Pharmacist',
    },
    'linked: the old address is kept',
  );
  await t.rejects(review.resolveReview(sys, item.id, { action: 'new' }), { code: 'review.resolved' });
  t.match(
    (await run(rehireFile)).counts,
    { joiners: 0, movers: 0, leavers: 0, updated: 0 },
    'after linking, the row matches by employee number',
  );

  // Every change of a run is audited with the run as its cause.
  const causes = await database.query<{ cause: string }>(
    `select distinct cause from audit where action = 'person.leaver' and target_id = 'ali.khan' order by cause`,
  );
  t.same(
    causes.map((c) => c.cause),
    [`sync_run:${third.run_id}`],
  );
  t.match(await sync.getRun(sys, third.run_id), {
    status: 'applied',
    report: { run_id: third.run_id, counts: { leavers: 2 } },
  });
});

t.test(
  'an ESR extract: one person per employee, the latest open assignment, a leaver when every assignment has ended',
  async (t) => {
    const { dir } = await testDirectory(t);
    await withTwoOrgs(dir);
    const file = feedFolder(t);
    const { run } = syncFor(dir, 0.5);
    const header =
      'Employee Number|Assignment Number|First Name|Last Name|Known As|Organisation Code|Position Title|Department|Location|Work Phone|Mobile|Assignment Start Date|Assignment End Date|NI Number|Date of Birth';
    const esr = (...rows: string[]) => file([header, ...rows].join('\n'), `esr-${rows.length}.txt`);
    const first = await run(
      esr(
        '900|900-1|Robert|Brown|Bob|RXA|Registrar|Cardiology|Main|||01/01/2015||AB123456C|01/02/1970',
        '900|900-2|Robert|Brown|Bob|RXA|Consultant|Cardiology|Main|||01/01/2020||||',
        '901|901-1|Zara|Khan||RXA|Nurse|Theatres|Annexe|||01/01/2021|||',
      ),
      { connector: 'esr' },
    );
    t.same(first.errors, []);
    t.equal(first.counts.joiners, 2);
    t.match(await dir.getPerson(sys, 'bob.brown'), { title: 'Consultant', department: 'Cardiology', site: 'Main' });
    const second = await run(
      esr(
        '900|900-1|Robert|Brown|Bob|RXA|Registrar|Cardiology|Main|||01/01/2015||AB123456C|01/02/1970',
        '900|900-2|Robert|Brown|Bob|RXA|Consultant|Cardiology|Main|||01/01/2020||||',
        '901|901-1|Zara|Khan||RXA|Nurse|Theatres|Annexe|||01/01/2021|31/12/2025||',
        '902|902-1|Bad|Date||RXA|Nurse|Theatres|Annexe|||31/02/2021|||',
      ),
      { connector: 'esr' },
    );
    t.same(
      second.changes.map((c) => `${c.action} ${c.uid}`),
      ['leaver zara.khan'],
    );
    t.same(second.errors, [
      { line: 5, column: 12, message: 'assignment start date "31/02/2021" is not a date (DD/MM/YYYY)' },
    ]);
  },
);

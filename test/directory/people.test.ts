import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { testDirectory, withTwoOrgs } from '../helpers/directory.js';

const sys = systemActor;

t.test('joiners get given.family addresses, numbered on collision; uid is the first local part', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const a = await dir.createJoiner(sys, {
    givenName: 'Jane',
    familyName: 'Smith',
    orgCode: 'RXA',
    title: 'Staff Nurse',
  });
  const b = await dir.createJoiner(sys, { givenName: 'Jane', familyName: 'Smith', orgCode: 'RXB' });
  const c = await dir.createJoiner(sys, { givenName: 'Jáne', familyName: 'SMITH', orgCode: 'RXA' });
  t.same([a.mail, b.mail, c.mail], ['jane.smith@nhs.net', 'jane.smith2@nhs.net', 'jane.smith3@nhs.net']);
  t.same([a.uid, b.uid], ['jane.smith', 'jane.smith2']);
  t.equal(a.displayName, 'Jane Smith (Alpha Hospitals NHS Trust)');
  const accented = await dir.createJoiner(sys, { givenName: 'Siân', familyName: "O'Brien-Smith", orgCode: 'RXA' });
  t.equal(accented.mail, 'sian.obrien-smith@nhs.net');
  t.equal(accented.cn, "Siân O'Brien-Smith");
});

t.test("a leaver's address is never given again, and the leaver is hidden from users", async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const first = await dir.createJoiner(sys, { givenName: 'Ali', familyName: 'Khan', orgCode: 'RXA' });
  const user = await dir.createJoiner(sys, { givenName: 'Una', familyName: 'User', orgCode: 'RXA' });
  await dir.markLeaver(sys, first.uid);
  const again = await dir.createJoiner(sys, { givenName: 'Ali', familyName: 'Khan', orgCode: 'RXA' });
  t.equal(again.mail, 'ali.khan2@nhs.net');
  const userActor = (await dir.loadActor({ personId: user.id }))!;
  await t.rejects(dir.getPerson(userActor, first.uid), { code: 'person.not_found' });
  t.equal((await dir.getPerson(sys, first.uid)).status, 'leaver');
  t.equal(await dir.loadActor({ personId: first.id }), null, 'a leaver cannot act');
});

t.test('a name change allocates a new address and keeps the old one as an alias', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const p = await dir.createJoiner(sys, { givenName: 'Mary', familyName: 'Jones', orgCode: 'RXA' });
  const renamed = await dir.updatePerson(sys, p.uid, { familyName: 'Evans' });
  t.equal(renamed.mail, 'mary.evans@nhs.net');
  t.equal(renamed.uid, 'mary.jones', 'uid never changes');
  t.equal(renamed.displayName, 'Mary Evans (Alpha Hospitals NHS Trust)');
  const view = await dir.getPerson(sys, p.uid);
  t.same(view.aliases, ['mary.jones@nhs.net']);
  // Someone new called Mary Jones cannot have the alias.
  const other = await dir.createJoiner(sys, { givenName: 'Mary', familyName: 'Jones', orgCode: 'RXB' });
  t.equal(other.mail, 'mary.jones2@nhs.net');
  // Returning to the earlier name gives back her own earlier address.
  const back = await dir.updatePerson(sys, p.uid, { familyName: 'Jones' });
  t.equal(back.mail, 'mary.jones@nhs.net');
  t.same((await dir.getPerson(sys, p.uid)).aliases, ['mary.evans@nhs.net']);
});

t.test('a mover keeps uid, mail and aliases; employment history is kept', async (t) => {
  const { dir, database, clock } = await testDirectory(t);
  await withTwoOrgs(dir);
  const p = await dir.createJoiner(sys, {
    givenName: 'Tom',
    familyName: 'Baker',
    orgCode: 'RXA',
    hrKey: 'E1',
    source: 'csv',
  });
  await dir.updatePerson(sys, p.uid, { familyName: 'Baker-Lee' });
  clock.now = new Date('2026-02-01T09:00:00Z');
  await dir.markLeaver(sys, p.uid);
  clock.now = new Date('2026-02-10T09:00:00Z');
  const { person: moved } = await dir.joinOrganisation(sys, p.uid, { orgCode: 'RXB', hrKey: 'B77', title: 'Porter' });
  t.equal(moved.uid, 'tom.baker');
  t.equal(moved.mail, 'tom.baker-lee@nhs.net');
  t.equal(moved.status, 'active');
  t.equal(moved.displayName, 'Tom Baker-Lee (Beta Community NHS Trust)');
  t.same((await dir.getPerson(sys, p.uid)).aliases, ['tom.baker@nhs.net']);
  const history = await database.query<{ org_code: string; hr_key: string; ended_at: Date | null }>(
    'select org_code, hr_key, ended_at from employments where person_id = $1 order by started_at',
    [p.id],
  );
  t.same(
    history.map((h) => [h.org_code, h.hr_key, h.ended_at !== null]),
    [
      ['RXA', 'E1', true],
      ['RXB', 'B77', false],
    ],
  );
  await t.rejects(dir.joinOrganisation(sys, p.uid, { orgCode: 'RXB' }), { code: 'person.already_active' });
});

t.test('leavers are soft-deleted after the retention period and can be restored by a national admin', async (t) => {
  const { dir, clock } = await testDirectory(t);
  await withTwoOrgs(dir);
  const a = await dir.createJoiner(sys, { givenName: 'Old', familyName: 'Leaver', orgCode: 'RXA' });
  const b = await dir.createJoiner(sys, { givenName: 'New', familyName: 'Leaver', orgCode: 'RXA' });
  await dir.markLeaver(sys, a.uid);
  clock.now = new Date(clock.now.getTime() + 25 * 86_400_000);
  await dir.markLeaver(sys, b.uid);
  clock.now = new Date(clock.now.getTime() + 6 * 86_400_000);
  t.same(await dir.softDeleteExpiredLeavers(sys), ['old.leaver']);
  await t.rejects(
    dir.getPerson({ ...sys, roles: new Set(), adminOf: new Set(['RXA']) }, a.uid),
    { code: 'person.not_found' },
    'a local admin no longer sees them',
  );
  await dir.restorePerson(sys, a.uid);
  t.equal((await dir.getPerson(sys, a.uid)).deletedAt, null);
  const again = await dir.createJoiner(sys, { givenName: 'Old', familyName: 'Leaver', orgCode: 'RXA' });
  t.equal(again.mail, 'old.leaver2@nhs.net', 'a soft-deleted address stays reserved');
});

t.test('bad input is a typed error and writes nothing', async (t) => {
  const { dir, database } = await testDirectory(t);
  await withTwoOrgs(dir);
  const count = async () =>
    (
      await database.query<{ n: number }>(
        'select (select count(*) from people)::int + (select count(*) from addresses)::int + (select count(*) from audit)::int as n',
      )
    )[0].n;
  const before = await count();
  await t.rejects(dir.createJoiner(sys, { givenName: '  ', familyName: 'Smith', orgCode: 'RXA' }), {
    code: 'validation.failed',
  });
  await t.rejects(dir.createJoiner(sys, { givenName: '李', familyName: 'Smith', orgCode: 'RXA' }), {
    code: 'person.invalid_name',
  });
  await t.rejects(dir.createJoiner(sys, { givenName: 'Jane', familyName: 'Smith', orgCode: 'ZZZ9' }), {
    code: 'organisation.not_found',
  });
  await t.rejects(dir.createJoiner(sys, { givenName: 'Jane', familyName: 'Smith', orgCode: 'rx-a' }), {
    code: 'organisation.invalid_code',
  });
  await t.rejects(dir.createJoiner(sys, { givenName: 'Jane', familyName: 'Smith', orgCode: 'RXA', quotaMb: 300 }), {
    code: 'quota.invalid_tier',
  });
  await t.rejects(dir.updatePerson(sys, 'no.one', { title: 'x' }), { code: 'person.not_found' });
  t.equal(await count(), before);
});

t.test('every write is audited with actor, target, before and after, and no secrets', async (t) => {
  const { dir, database } = await testDirectory(t);
  await withTwoOrgs(dir);
  const p = await dir.createJoiner(sys, {
    givenName: 'Ann',
    familyName: 'Audit',
    orgCode: 'RXA',
    niNumber: 'AB123456C',
    dateOfBirth: '1980-02-03',
  });
  await dir.updatePerson(sys, p.uid, { title: 'Matron' });
  const rows = await database.query<{
    seq: number;
    actor: string;
    action: string;
    target_id: string;
    before: unknown;
    after: Record<string, unknown>;
  }>("select * from audit where target_type = 'person' order by seq");
  t.same(
    rows.map((r) => r.action),
    ['person.create', 'person.update'],
  );
  t.equal(rows[0].actor, 'system:system');
  t.same(rows[1].before, { title: null });
  t.same(rows[1].after, { title: 'Matron' });
  t.ok(rows[1].seq > rows[0].seq, 'sequence numbers grow');
  const all = JSON.stringify(rows);
  t.notMatch(all, /AB123456C|1980-02-03|niHmac|dobHmac|passwordHash/);
  const [stored] = await database.query<{ ni_hmac: string }>('select ni_hmac from people where id = $1', [p.id]);
  t.match(stored.ni_hmac, /^[A-Za-z0-9_-]{43}$/, 'NI number kept only as a keyed HMAC');
});

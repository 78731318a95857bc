import t from 'tap';
import { sql } from 'drizzle-orm';
import { rows } from '../../src/db/client.js';
import { systemActor } from '../../src/directory/actor.js';
import { renameOrganisation } from '../../src/directory/organisations.service.js';
import { testDirectory, withTwoOrgs } from '../helpers/directory.js';

const sys = systemActor;

t.test('ODS codes are checked, unique and never reused', async (t) => {
  const { dir } = await testDirectory(t);
  await t.rejects(dir.createOrganisation(sys, { code: 'rxa', name: 'Lower' }), { code: 'organisation.invalid_code' });
  await t.rejects(dir.createOrganisation(sys, { code: 'ABCDEFGHIJ', name: 'Too long' }), {
    code: 'organisation.invalid_code',
  });
  await t.rejects(dir.createOrganisation(sys, { code: 'RXA', name: '   ' }), { code: 'validation.failed' });
  await dir.createOrganisation(sys, { code: 'RXA', name: 'Alpha' });
  await t.rejects(dir.createOrganisation(sys, { code: 'RXA', name: 'Again' }), { code: 'organisation.exists' });
  await dir.createOrganisation(sys, { code: 'RXA01', name: 'Alpha site', parentCode: 'RXA' });
  t.equal((await dir.getOrganisation('RXA01')).parentCode, 'RXA');
  await t.rejects(dir.createOrganisation(sys, { code: 'Y1', name: 'Orphan', parentCode: 'NOPE' }), {
    code: 'organisation.not_found',
  });
});

t.test('a rename changes every display name under it in the same transaction and keeps the old name', async (t) => {
  const { dir, database, clock } = await testDirectory(t);
  await withTwoOrgs(dir);
  const p = await dir.createJoiner(sys, { givenName: 'Jane', familyName: 'Smith', orgCode: 'RXA' });
  const other = await dir.createJoiner(sys, { givenName: 'Joe', familyName: 'Bloggs', orgCode: 'RXB' });
  clock.now = new Date('2026-04-01T00:00:00Z');
  // Seen from inside the renaming transaction: the display name has already changed there.
  const inside = await dir.run(async (ctx) => {
    await renameOrganisation(ctx, sys, 'RXA', 'Alpha and Omega NHS Foundation Trust');
    const [row] = await rows<{ display_name: string }>(
      ctx.tx.execute(sql`select display_name from people where uid = 'jane.smith'`),
    );
    return row.display_name;
  });
  t.equal(inside, 'Jane Smith (Alpha and Omega NHS Foundation Trust)');
  t.equal((await dir.getPerson(sys, p.uid)).displayName, 'Jane Smith (Alpha and Omega NHS Foundation Trust)');
  t.equal(
    (await dir.getPerson(sys, other.uid)).displayName,
    'Joe Bloggs (Beta Community NHS Trust)',
    'other organisations untouched',
  );
  const org = await dir.getOrganisation('RXA');
  t.equal(org.name, 'Alpha and Omega NHS Foundation Trust');
  t.same(
    org.previousNames.map((n) => [n.name, n.validTo.toISOString()]),
    [['Alpha Hospitals NHS Trust', '2026-04-01T00:00:00.000Z']],
  );
  // A failed rename changes nothing.
  await t.rejects(dir.renameOrganisation(sys, 'RXA', ''), { code: 'validation.failed' });
  const [{ n }] = await database.query<{ n: number }>('select count(*)::int as n from organisation_names');
  t.equal(n, 1);
});

t.test('closing with a successor moves people there with the same addresses', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const a = await dir.createJoiner(sys, { givenName: 'Moira', familyName: 'Merge', orgCode: 'RXA' });
  const gone = await dir.createJoiner(sys, { givenName: 'Earlier', familyName: 'Leaver', orgCode: 'RXA' });
  await dir.markLeaver(sys, gone.uid);
  await t.rejects(dir.closeOrganisation(sys, 'RXA', 'RXA'), { code: 'validation.failed' });
  await t.rejects(dir.closeOrganisation(sys, 'RXA', 'NOPE'), { code: 'organisation.not_found' });
  await dir.closeOrganisation(sys, 'RXA', 'RXB');
  const moved = await dir.getPerson(sys, a.uid);
  t.equal(moved.orgCode, 'RXB');
  t.equal(moved.mail, 'moira.merge@nhs.net');
  t.equal(moved.displayName, 'Moira Merge (Beta Community NHS Trust)');
  t.equal((await dir.getPerson(sys, gone.uid)).orgCode, 'RXA', 'leavers stay with their last organisation');
  const closed = await dir.getOrganisation('RXA');
  t.same([closed.status, closed.successorCode], ['closed', 'RXB']);
  await t.rejects(dir.createJoiner(sys, { givenName: 'Late', familyName: 'Joiner', orgCode: 'RXA' }), {
    code: 'organisation.closed',
  });
  await t.rejects(
    dir.closeOrganisation(sys, 'RXB', 'RXA'),
    { code: 'organisation.closed' },
    'a closed organisation succeeds nobody',
  );
});

t.test('closing without a successor makes its people leavers and drops its roles', async (t) => {
  const { dir, database } = await testDirectory(t);
  await withTwoOrgs(dir);
  const a = await dir.createJoiner(sys, { givenName: 'Cara', familyName: 'Close', orgCode: 'RXA' });
  await dir.grantRole(sys, { uid: a.uid }, { role: 'local_admin', orgCode: 'RXA' });
  await dir.closeOrganisation(sys, 'RXA');
  t.equal((await dir.getPerson(sys, a.uid)).status, 'leaver');
  t.equal(await dir.loadActor({ personId: a.id }), null);
  const [{ n }] = await database.query<{ n: number }>(
    "select count(*)::int as n from role_grants where org_code = 'RXA'",
  );
  t.equal(n, 0);
  const actions = await database.query<{ action: string }>(
    "select action from audit where target_id = 'cara.close' order by seq",
  );
  t.ok(
    actions.some((r) => r.action === 'person.leaver'),
    'each leaver is audited',
  );
});

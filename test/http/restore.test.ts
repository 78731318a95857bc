// A soft-deleted leaver can come back (issue 11): a national administrator restores them, their own
// employee number in a feed brings them back, and a re-hire linked to them keeps their address.
import t, { type Test } from 'tap';
import { systemActor as sys } from '../../src/directory/actor.js';
import { createReview } from '../../src/sync/review.js';
import { testApp } from '../helpers/app.js';
import { testDirectory, withTwoOrgs } from '../helpers/directory.js';
import { feedFolder, staffCsv, syncFor } from '../helpers/feeds.js';

async function fixture(t: Test) {
  const { dir, clock, database } = await testDirectory(t);
  await withTwoOrgs(dir);
  const file = feedFolder(t);
  const { run } = syncFor(dir, 1);
  await run(file(staffCsv('E1,Tom,Baker,,RXA,Porter,,,,,,,,AB123456C,1970-01-02', 'E2,Jane,Smith,,RXA,,,,,,,,,,')));
  await run(file(staffCsv('E2,Jane,Smith,,RXA,,,,,,,,,,')));
  clock.now = new Date(clock.now.getTime() + 31 * 86_400_000);
  t.same(await dir.softDeleteExpiredLeavers(sys), ['tom.baker']);
  return { dir, database, file, run, clock };
}

t.test('national administrators see and restore a soft-deleted person; nobody else does', async (t) => {
  const { dir } = await fixture(t);
  await dir.createService(sys, {
    name: 'national',
    password: 'national-password',
    grants: [{ role: 'national_admin' }],
  });
  const la = await dir.createJoiner(sys, { givenName: 'Ann', familyName: 'Admin', orgCode: 'RXA' });
  await dir.grantRole(sys, { uid: la.uid }, { role: 'local_admin', orgCode: 'RXA' });
  await dir.setPassword(sys, la.uid, { newPassword: 'admin-password' });
  const { call, login: token } = await testApp(t, { directory: dir });
  const national = await token('national', 'national-password');
  const admin = await token('ann.admin', 'admin-password');
  const seen = await call('GET', '/api/v1/people/tom.baker', { token: national });
  t.match(
    seen.json(),
    { uid: 'tom.baker', status: 'leaver', deleted_at: /^\d{4}-/ },
    'shown as soft-deleted, not as a plain leaver',
  );
  const listed = (await call('GET', '/api/v1/people?status=leaver&q=tom', { token: national })).json().items;
  t.match(listed, [{ uid: 'tom.baker', deleted_at: /^\d{4}-/ }]);
  t.equal(
    (await call('GET', '/api/v1/people/tom.baker', { token: admin })).statusCode,
    404,
    'hidden from a local administrator',
  );
  t.equal((await call('POST', '/api/v1/people/tom.baker/restore', { token: admin })).statusCode, 403);
  const restored = await call('POST', '/api/v1/people/tom.baker/restore', { token: national });
  t.equal(restored.statusCode, 200);
  t.match(restored.json(), { uid: 'tom.baker', mail: 'tom.baker@nhs.net', status: 'leaver', deleted_at: null });
  t.equal(
    (await call('GET', '/api/v1/people/tom.baker', { token: admin })).json().status,
    'leaver',
    'a leaver of theirs again',
  );
  t.equal(
    (await call('POST', '/api/v1/people/tom.baker/restore', { token: national })).statusCode,
    409,
    'not soft-deleted any more',
  );
  t.equal((await call('GET', '/api/v1/people/jane.smith', { token: national })).json().deleted_at, null);
});

t.test('their employee number in a feed brings them back with their address', async (t) => {
  const { dir, file, run, database } = await fixture(t);
  const back = await run(file(staffCsv('E1,Tom,Baker,,RXA,Head Porter,,,,,,,,,', 'E2,Jane,Smith,,RXA,,,,,,,,,,')));
  t.match(back.changes, [{ action: 'mover', uid: 'tom.baker', mail: 'tom.baker@nhs.net', fields: { restored: true } }]);
  t.equal(back.counts.joiners, 0, 'not a new joiner with a second address');
  t.match(await dir.getPerson(sys, 'tom.baker'), {
    status: 'active',
    orgCode: 'RXA',
    title: 'Head Porter',
    deletedAt: null,
  });
  const [{ n }] = await database.query<{ n: number }>("select count(*)::int as n from people where given_name = 'Tom'");
  t.equal(n, 1);
});

t.test('a re-hire linked to a soft-deleted person keeps their uid and address', async (t) => {
  const { dir, file, run } = await fixture(t);
  const report = await run(file(staffCsv('B7,Tom,Baker,,RXB,Porter,,,,,,,,AB123456C,1970-01-02')), { org: 'RXB' });
  t.match(report.changes, [{ action: 'review', fields: { candidate_uid: 'tom.baker' } }]);
  const review = createReview(dir);
  const [item] = await review.listReview(sys, { limit: 10 });
  const linked = await review.resolveReview(sys, item.id, { action: 'link' });
  t.match(linked, { uid: 'tom.baker', mail: 'tom.baker@nhs.net', orgCode: 'RXB', status: 'active', deletedAt: null });
});

t.test(
  'only their own employee number brings them back; an address or another uid is for a national administrator',
  async (t) => {
    const { dir, file, run } = await fixture(t);
    const byMail = await run(file(staffCsv('B1,Tom,Baker,,RXB,,,,,,tom.baker@nhs.net,,,,')), { org: 'RXB' });
    t.match(byMail.errors, [
      { message: /belongs to a soft-deleted leaver: a national administrator may restore them/ },
    ]);
    t.equal(byMail.counts.joiners, 0);
    const la = await dir.createJoiner(sys, { givenName: 'Otto', familyName: 'Other', orgCode: 'RXB' });
    await dir.grantRole(sys, { uid: la.uid }, { role: 'local_admin', orgCode: 'RXB' });
    const otto = (await dir.loadActor({ personId: la.id }))!;
    await run(file(staffCsv('B7,Tom,Baker,,RXB,Porter,,,,,,,,AB123456C,1970-01-02')), { org: 'RXB' });
    const review = createReview(dir);
    const [item] = await review.listReview(otto, { limit: 10 });
    await t.rejects(
      review.resolveReview(otto, item.id, { action: 'link', uid: 'jane.smith' }),
      { code: 'auth.forbidden' },
      'not to someone else',
    );
    t.match(
      await review.resolveReview(otto, item.id, { action: 'link' }),
      { uid: 'tom.baker', orgCode: 'RXB' },
      'to the candidate found',
    );
  },
);

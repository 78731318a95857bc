import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { localAdmin, testDirectory, withTwoOrgs } from '../helpers/directory.js';

const sys = systemActor;

t.test('at most 2% of mailboxes at 1024 MB and 3% at 500 MB, at least one of each', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const la = await localAdmin(dir, 'RXA');
  const uids: string[] = [];
  for (let i = 0; i < 99; i++)
    uids.push((await dir.createJoiner(sys, { givenName: 'Quota', familyName: `Person${i}`, orgCode: 'RXA' })).uid);
  // 100 mailboxes (with the administrator): 2 may be 1024, 3 may be 500.
  await dir.setQuota(la, uids[0], 1024);
  await dir.setQuota(la, uids[1], 1024);
  const err = await dir.setQuota(la, uids[2], 1024).catch((e) => e);
  t.equal(err.code, 'quota.limit_reached');
  t.match(err.message, /RXA has 100 mailboxes: at most 2 may be 1024 MB .* and 2 already are/);
  for (const u of uids.slice(3, 6)) await dir.setQuota(la, u, 500);
  await t.rejects(dir.setQuota(la, uids[6], 500), {
    code: 'quota.limit_reached',
    message: /at most 3 may be 500 MB .* and 3 already are/,
  });
  await t.rejects(dir.setQuota(la, uids[6], 300), { code: 'quota.invalid_tier' });
  await dir.setQuota(la, uids[6], 50);
  const summary = await dir.getQuotaSummary(la, 'RXA');
  t.same(summary.tiers, [
    { quotaMb: 50, count: 1, limit: null },
    { quotaMb: 200, count: 94, limit: null },
    { quotaMb: 500, count: 3, limit: 3 },
    { quotaMb: 1024, count: 2, limit: 2 },
  ]);
});

t.test('a small organisation still gets one of each large tier', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const a = await dir.createJoiner(sys, { givenName: 'Only', familyName: 'One', orgCode: 'RXB', quotaMb: 1024 });
  t.equal(a.quotaMb, 1024);
  await t.rejects(dir.createJoiner(sys, { givenName: 'Second', familyName: 'Big', orgCode: 'RXB', quotaMb: 1024 }), {
    code: 'quota.limit_reached',
    message: /RXB has 2 mailboxes: at most 1 may be 1024 MB/,
  });
  t.equal((await dir.getQuotaSummary(sys, 'RXB')).mailboxes, 1, 'the refused joiner was not written');
});

// The read cache behind token checks and person reads never outlives a write: at once for writes
// through the same process, and by NOTIFY for writes by another process sharing PostgreSQL.
import t from 'tap';
import { openPostgres } from '../../src/db/client.js';
import { systemActor } from '../../src/directory/actor.js';
import { createDirectory } from '../../src/directory/directory.js';
import { createReadCache } from '../../src/directory/read-cache.js';
import { createServerDatabase, usingPostgres } from '../helpers/db.js';
import { testDirectory, testSettings, withTwoOrgs } from '../helpers/directory.js';

const sys = systemActor;

t.test('a write through this process is seen by the next read, token and person alike', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const p = await dir.createJoiner(sys, { givenName: 'Cora', familyName: 'Cache', orgCode: 'RXA', title: 'Nurse' });
  const actor = (await dir.loadActor({ personId: p.id }))!;
  const { token } = await dir.issueToken(actor);
  t.equal((await dir.verifyToken(token))?.name, 'cora.cache');
  t.equal((await dir.getPerson(sys, 'cora.cache')).title, 'Nurse');
  t.equal((await dir.verifyToken(token))?.name, 'cora.cache', 'again, from memory');
  await dir.updatePerson(sys, 'cora.cache', { title: 'Sister' });
  t.equal((await dir.getPerson(sys, 'cora.cache')).title, 'Sister', 'the edit shows at once');
  await dir.markLeaver(sys, 'cora.cache');
  t.equal(await dir.verifyToken(token), null, "the leaver's token is dead at once");
  await t.rejects(
    dir.getPerson(
      (await dir.loadActor({
        personId: (await dir.createJoiner(sys, { givenName: 'U', familyName: 'Ser', orgCode: 'RXB' })).id,
      }))!,
      'cora.cache',
    ),
    { code: 'person.not_found' },
  );
});

t.test(
  'a write by another process reaches this one through NOTIFY',
  { skip: !usingPostgres && 'needs PostgreSQL (DATABASE_URL): an embedded database has one process' },
  async (t) => {
    const created = await createServerDatabase(process.env.DATABASE_URL!);
    const [a, b] = [await openPostgres(created.url), await openPostgres(created.url)];
    await a.migrate();
    const one = createDirectory(a, testSettings);
    const other = createDirectory(b, testSettings);
    const unwatch = await one.watchChanges();
    t.teardown(async () => {
      await unwatch?.();
      await a.close();
      await b.close();
      await created.drop();
    });
    await withTwoOrgs(other);
    const p = await other.createJoiner(sys, { givenName: 'Remy', familyName: 'Remote', orgCode: 'RXA' });
    const { token } = await other.issueToken((await other.loadActor({ personId: p.id }))!);
    t.equal((await one.verifyToken(token))?.name, 'remy.remote');
    t.equal((await one.getPerson(sys, 'remy.remote')).orgCode, 'RXA');
    await other.joinOrganisation(sys, 'remy.remote', { orgCode: 'RXB' });
    await other.revokeToken(token);
    const deadline = Date.now() + 5000;
    while ((await one.verifyToken(token)) !== null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    t.equal(await one.verifyToken(token), null, 'the revoked token is refused');
    t.equal((await one.getPerson(sys, 'remy.remote')).orgCode, 'RXB', 'and the move is seen');
  },
);

t.test('the cache holds to a budget in bytes as well as a count, and evicts by what values show', async (t) => {
  const cache = createReadCache(true, 1000, (v) => [`tag:${String(v).slice(0, 1)}`], { bytes: 100, sizeOf: () => 30 });
  const load = async (ids: number[]) => new Map(ids.map((id) => [id, `${id % 2 ? 'a' : 'b'}${id}`]));
  await cache.readMany([1, 2, 3, 4, 5], load, 0);
  t.same(cache.size(), { values: 3, bytes: 90 }, 'three of 30 bytes fit in 100');
  const asked: number[] = [];
  await cache.readMany(
    [3, 4, 5],
    async (ids) => {
      asked.push(...ids);
      return load(ids);
    },
    0,
  );
  t.same(asked, [], 'the newest stayed');
  cache.evict(['tag:a']);
  t.same(cache.size(), { values: 1, bytes: 30 }, 'the values showing tag:a went (3 and 5), 4 stayed');
});

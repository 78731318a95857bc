// LDAP entries are kept in memory between searches; what a client sees must never be older than
// the last write: at once for writes through this process, by NOTIFY for another process's.
import t from 'tap';
import { openPostgres } from '../../src/db/client.js';
import { systemActor } from '../../src/directory/actor.js';
import { createDirectory } from '../../src/directory/directory.js';
import { createReadCache } from '../../src/directory/read-cache.js';
import { usingPostgres } from '../helpers/db.js';
import { testSettings } from '../helpers/directory.js';
import { ldapFixture, ldapsearch, passwords } from '../helpers/ldap.js';

const sys = systemActor;

t.test('a search after a write shows the write, for every attribute an entry takes from elsewhere', async (t) => {
  const { dir, url } = await ldapFixture(t);
  const as = ['-H', url, '-D', 'uid=jane.smith,ou=People,o=nhs', '-w', passwords.jane, '-b', 'o=nhs'];
  const jane = async () =>
    (await ldapsearch([...as, '(uid=jane.smith)', 'title', 'o', 'displayName', 'sn', 'mail', 'nhsMailAlias']))
      .entries[0].attrs;
  const pharmacy = async () => (await ldapsearch([...as, '(uid=alpha.pharmacy)', 'nhsDelegate'])).entries[0].attrs;

  t.same((await jane()).title, ['Staff Nurse']);
  t.same((await jane()).title, ['Staff Nurse'], 'the same search again (from memory)');
  t.same((await pharmacy()).nhsDelegate, undefined);

  await dir.updatePerson(sys, 'jane.smith', { title: 'Ward Sister' });
  t.same((await jane()).title, ['Ward Sister'], 'an edit');
  await dir.renameOrganisation(sys, 'RXA', 'Alpha Teaching Hospitals NHS Trust');
  const renamed = await jane();
  t.same(
    [renamed.o, renamed.displayName],
    [['Alpha Teaching Hospitals NHS Trust'], ['Jane Smith (Alpha Teaching Hospitals NHS Trust)']],
    "the organisation's new name",
  );
  await dir.updatePerson(sys, 'jane.smith', { familyName: 'Jones' });
  const married = await jane();
  t.same(
    [married.sn, married.mail, married.nhsMailAlias],
    [['Jones'], ['jane.jones@nhs.net'], ['jane.smith@nhs.net']],
    'a new name, the old address an alias',
  );
  await dir.setDelegate(sys, 'alpha.pharmacy', 'john.smithson', 'send_as');
  t.same((await pharmacy()).nhsDelegate, ['uid=john.smithson,ou=People,o=nhs'], "a mailbox's new delegate");
  await dir.markLeaver(sys, 'jane.smith2');
  t.same((await ldapsearch([...as, '(uid=jane.smith2)', 'cn'])).entries, [], 'a leaver is gone at once');
});

t.test(
  "another process's write reaches this server's searches",
  { skip: !usingPostgres && 'needs PostgreSQL (DATABASE_URL): an embedded database has one process' },
  async (t) => {
    const { database, url } = await ldapFixture(t);
    const [{ name }] = await database.query<{ name: string }>('select current_database() as name');
    const other = new URL(process.env.DATABASE_URL!);
    other.pathname = `/${name}`;
    const otherDb = await openPostgres(other.toString());
    t.teardown(() => otherDb.close());
    const otherDir = createDirectory(otherDb, testSettings);

    const as = [
      '-H',
      url,
      '-D',
      'uid=jane.smith,ou=People,o=nhs',
      '-w',
      passwords.jane,
      '-b',
      'o=nhs',
      '(uid=john.smithson)',
      'title',
    ];
    t.same((await ldapsearch(as)).entries[0].attrs.title, ['Porter']);
    await otherDir.updatePerson(sys, 'john.smithson', { title: 'Head Porter' });
    let title: string[] | undefined;
    for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
      title = (await ldapsearch(as)).entries[0].attrs.title;
      if (title[0] === 'Head Porter') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    t.same(title, ['Head Porter'], 'seen within the notification');
  },
);

t.test('the cache keeps the newest values up to its size, and nothing read across a write', async (t) => {
  const cache = createReadCache(true, 10);
  const loads: number[][] = [];
  const load = async (ids: number[]) => {
    loads.push(ids);
    return new Map(ids.map((id) => [id, `row ${id}`]));
  };
  const first = await cache.readMany([1, 2, 3], load, 0);
  t.same([...first.values()], ['row 1', 'row 2', 'row 3']);
  await cache.readMany([2, 3, 4], load, 0);
  t.same(loads, [[1, 2, 3], [4]], 'only what is missing is loaded');
  await cache.readMany([5, 6, 7, 8, 9, 10, 11], load, 0);
  loads.length = 0;
  await cache.readMany([1, 11], load, 0);
  t.same(loads, [[1]], 'past its size the oldest went, the newest stayed');

  const racing = createReadCache(true);
  await racing.readMany(
    [1],
    async (ids) => {
      racing.clear();
      return new Map(ids.map((id) => [id, 'old']));
    },
    0,
  );
  loads.length = 0;
  t.same(
    [...(await racing.readMany([1], load, 0)).values()],
    ['row 1'],
    'a value read while a write committed is not kept',
  );

  const untrusted = createReadCache(false);
  await untrusted.readMany([1], load, 0);
  loads.length = 0;
  await untrusted.readMany([1], load, 0);
  t.same(loads, [[1]], 'nothing is kept while other processes cannot be followed');
});

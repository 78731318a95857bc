// PostgreSQL only: the pools keep idle connections open for minutes (src/db/replicas.ts `openPool`),
// so connections that the server ends while they are idle (a restart, pg_terminate_backend) must
// not fail the next search or write: the pool drops them and opens new ones.
import t from 'tap';
import pg from 'pg';
import { systemActor } from '../../src/directory/actor.js';
import { testDirectory, withTwoOrgs } from '../helpers/directory.js';

const server = process.env.DATABASE_URL;

t.test(
  'connections ended while idle are replaced',
  { skip: !server && 'PostgreSQL only (DATABASE_URL)' },
  async (t) => {
    const { dir, database } = await testDirectory(t);
    await withTwoOrgs(dir);
    const ida = await dir.createJoiner(systemActor, { givenName: 'Ida', familyName: 'Idle', orgCode: 'RXA' });
    t.same(
      (await dir.listPeople(systemActor, { q: 'ida', limit: 10 })).items.map((p) => p.uid),
      [ida.uid],
    );

    const [{ name }] = (await database.query('select current_database() as name')) as { name: string }[];
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    const [{ ended }] = (
      await admin.query(
        `select count(pg_terminate_backend(pid))::int as ended from pg_stat_activity
       where datname = $1 and pid <> pg_backend_pid()`,
        [name],
      )
    ).rows;
    await admin.end();
    t.ok(ended >= 2, `the server ended every connection to the database (${ended})`);
    // The ends reach the idle clients' sockets at once on loopback; a moment for them to be read.
    await new Promise((r) => setTimeout(r, 500));

    t.same(
      (await dir.listPeople(systemActor, { q: 'ida', limit: 10 })).items.map((p) => p.uid),
      [ida.uid],
      'a search',
    );
    await dir.updatePerson(systemActor, ida.uid, { telephone: '0113 496 0000' });
    t.equal((await dir.getPerson(systemActor, ida.uid)).telephone, '0113 496 0000', 'a write, then a read');
  },
);

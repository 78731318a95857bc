// Searches that read the whole directory (a filter no index answers) run a few at a time: beyond
// them and their queue the server answers busy at once, and the mail clients' indexed searches are
// never refused so. A client's time limit is kept while a search waits, and on PostgreSQL a
// statement that runs too long is stopped and answered timeLimitExceeded, the server still up.
import { sql } from 'drizzle-orm';
import { Client } from 'ldapts';
import t, { type Test } from 'tap';
import type { Database } from '../../src/db/client.js';
import { usingPostgres } from '../helpers/db.js';
import { ldapFixture, passwords } from '../helpers/ldap.js';

/**
 * Holds the people table until released: every search waits in the database meanwhile (on
 * PostgreSQL behind an exclusive lock, on PGlite behind its one connection's open transaction).
 */
async function holdPeople(database: Database) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let taken!: () => void;
  const locked = new Promise<void>((resolve) => (taken = resolve));
  const done = database.db.transaction(async (tx) => {
    await tx.execute(sql`lock table people in access exclusive mode`);
    taken();
    await released;
  });
  await locked;
  return async () => {
    release();
    await done;
  };
}

/** `n` clients, bound, each having searched once (so that what the server keeps of them is warm). */
async function boundClients(t: Test, url: string, n: number) {
  const clients: Client[] = [];
  // One after another: sign-in checks a few at a time from one address.
  for (let i = 0; i < n; i++) {
    const c = new Client({ url });
    await c.bind('jane.smith@nhs.net', passwords.jane);
    await c.search('ou=People,o=nhs', { filter: '(uid=jane.smith)' });
    clients.push(c);
  }
  t.teardown(() => Promise.all(clients.map((c) => c.unbind().catch(() => {}))));
  return clients;
}

type Outcome = { code: number; message?: string } | 'pending';

/** Each search's outcome as it arrives: 0 with its entries, or the result code refused with. */
function track(searches: Promise<unknown>[]) {
  const outcomes: Outcome[] = searches.map(() => 'pending');
  const all = searches.map((s, i) =>
    s.then(
      () => (outcomes[i] = { code: 0 }),
      (e: { code?: number; message?: string }) => (outcomes[i] = { code: e.code ?? -1, message: e.message }),
    ),
  );
  return { outcomes, all: Promise.all(all) };
}

async function until(what: () => boolean, tries = 600) {
  for (let i = 0; i < tries && !what(); i++) await new Promise((r) => setTimeout(r, 50));
}

const AT_ONCE = usingPostgres ? 2 : 1;
const WAITING = 8;

/** More clients than the gate's places and queue, each asking `filter` while the people table is held. */
async function heldSearches(t: Test, filter: string) {
  const { url, database } = await ldapFixture(t);
  const clients = await boundClients(t, url, AT_ONCE + WAITING + 3);
  const release = await holdPeople(database);
  const tracked = track(clients.map((c) => c.search('ou=People,o=nhs', { scope: 'sub', filter })));
  return { clients, release, ...tracked };
}

t.test('beyond a few searches that read every row and a short queue, busy at once; the rest answered', async (t) => {
  const { clients, release, outcomes, all } = await heldSearches(t, '(mail=*qa*)');
  const refused = () => outcomes.filter((o) => o !== 'pending');
  await until(() => refused().length >= 3);
  t.equal(refused().length, 3, 'three refused while the rest wait');
  for (const o of refused()) {
    t.equal((o as { code: number }).code, 51, 'busy');
    t.match((o as { message: string }).message, /narrow the filter/);
  }
  await release();
  await all;
  t.equal(outcomes.filter((o) => o !== 'pending' && o.code === 0).length, AT_ONCE + WAITING, 'the rest answered');
  const after = await clients[0].search('ou=People,o=nhs', { scope: 'sub', filter: '(mail=*mi*)' });
  t.ok(after.searchEntries.length > 0, 'and the next such search is answered (a short fragment still matches)');
});

t.test("mail clients' searches are never refused so, however many wait", async (t) => {
  const { clients, release, outcomes, all } = await heldSearches(t, '(|(cn=jan*)(mail=jan*)(sn=jan*))');
  // Scans beyond the queue are refused after a second's pause (above); these are given two to be.
  await until(() => outcomes.some((o) => o !== 'pending'), 40);
  await release();
  await all;
  t.same(
    outcomes.map((o) => (o === 'pending' ? o : o.code)),
    clients.map(() => 0),
    'every one answered',
  );
});

t.test("a client's time limit is kept while its search waits", async (t) => {
  const { url, database } = await ldapFixture(t);
  const [client] = await boundClients(t, url, 1);
  const release = await holdPeople(database);
  const late = await client.search('ou=People,o=nhs', { filter: '(uid=jane.smith)', timeLimit: 1 }).then(
    () => 0,
    (e: { code?: number }) => e.code,
  );
  await release();
  t.equal(late, 3, 'timeLimitExceeded, while the database still holds it');
  const again = await client.search('ou=People,o=nhs', { filter: '(uid=jane.smith)', timeLimit: 1 });
  t.equal(again.searchEntries.length, 1, 'and the next search is answered');
});

t.test(
  'a statement running past the server limit is stopped: timeLimitExceeded',
  { skip: !usingPostgres && 'PGlite cannot stop a running statement (one process, no timer)' },
  async (t) => {
    const { url, database } = await ldapFixture(t);
    const [client] = await boundClients(t, url, 1);
    const release = await holdPeople(database);
    const stopped = await client
      .search('ou=People,o=nhs', { filter: '(uid=jane.smith)', timeLimit: 0 }) // ldapts asks 10 s unless told
      .then(
        () => ({ code: 0, message: '' }),
        (e: { code: number; message: string }) => e,
      );
    await release();
    t.equal(stopped.code, 3, 'timeLimitExceeded');
    t.match(stopped.message, /ran longer than 10 seconds: narrow the filter/);
    const again = await client.search('ou=People,o=nhs', { filter: '(uid=jane.smith)' });
    t.equal(again.searchEntries.length, 1, 'and the next search is answered');
  },
);

t.test('a search that waits for its turn and whose client goes never runs: its place is free at once', async (t) => {
  const { url, database } = await ldapFixture(t);
  const clients = await boundClients(t, url, AT_ONCE + WAITING + 1);
  const [last] = clients.splice(-1);
  const release = await holdPeople(database);
  const { all } = track(clients.map((c) => c.search('ou=People,o=nhs', { scope: 'sub', filter: '(mail=*qa*)' })));
  const busy = await last.search('ou=People,o=nhs', { filter: '(mail=*qb*)' }).then(
    () => 0,
    (e: { code?: number }) => e.code,
  );
  t.equal(busy, 51, 'running and waiting places all taken');
  await Promise.all(clients.map((c) => c.unbind())); // every client that asked goes away
  let next: Outcome = { code: 51 };
  for (let i = 0; i < 10 && next !== 'pending' && next.code === 51; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const attempt = track([last.search('ou=People,o=nhs', { filter: '(mail=*qc*)' })]);
    await until(() => attempt.outcomes[0] !== 'pending', 40); // busy comes after a second's pause
    next = attempt.outcomes[0];
  }
  t.equal(next, 'pending', 'the next such search waits its turn: the places of those gone are free');
  await release();
  await all.catch(() => {});
});

t.test(
  "past a client's time limit, its connection takes no more until the statement has ended",
  { skip: !usingPostgres && 'counts waiting statements in pg_stat_activity' },
  async (t) => {
    const { url, database } = await ldapFixture(t);
    const [client] = await boundClients(t, url, 1);
    const waitingStatements = async () =>
      Number(
        (
          await database.query<{ n: string }>(
            `select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
          )
        )[0].n,
      );
    const release = await holdPeople(database);
    const first = await client.search('ou=People,o=nhs', { filter: '(uid=jane.smith)', timeLimit: 1 }).then(
      () => 0,
      (e: { code?: number }) => e.code,
    );
    t.equal(first, 3, 'answered at its time limit');
    const more = track(
      [1, 2, 3].map(() => client.search('ou=People,o=nhs', { filter: '(uid=jane.smith)', timeLimit: 1 })),
    );
    await new Promise((r) => setTimeout(r, 1500));
    t.equal(await waitingStatements(), 1, 'one statement waits in the database: the first');
    t.same(more.outcomes, ['pending', 'pending', 'pending'], 'the next searches wait behind it');
    await release();
    await more.all;
    t.same(
      more.outcomes.map((o) => (o === 'pending' ? o : o.code)),
      [0, 0, 0],
      'then each is answered',
    );
  },
);

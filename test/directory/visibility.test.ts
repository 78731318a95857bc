// One visibility rule (issue 12): what each role's searches return from the core's read API, the
// row-level check REST's cached views use, and the change log's scope, all agree.
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { DirectoryError } from '../../src/directory/errors.js';
import { canSee, visibilityOf } from '../../src/directory/visibility.js';
import { TRUE } from '../../src/model/filter.js';
import { testDirectory } from '../helpers/directory.js';
import { actorsOf, changeReaders, expectedBeyondActive, roles, withEveryRole } from '../helpers/roles.js';

t.test('the rule, row by row', async (t) => {
  const row = (status: string, orgCode: string, deletedAt: string | null = null) => ({ status, orgCode, deletedAt });
  const anyone = visibilityOf(null);
  t.ok(canSee(anyone, row('active', 'RXA')), 'active people: everyone');
  t.notOk(canSee(anyone, row('leaver', 'RXA')), 'leavers: not anonymous');
  const national = visibilityOf(systemActor);
  t.ok(canSee(national, row('leaver', 'RXA', '2026-01-01T00:00:00.000Z')), 'soft-deleted: national');
  const connector = {
    kind: 'service' as const,
    name: 'rxa-feed',
    roles: new Set(['connector' as const]),
    adminOf: new Set<string>(),
    feedsFor: new Set(['RXA']),
  };
  const v = visibilityOf(connector);
  t.ok(canSee(v, row('leaver', 'RXA')), "a connector sees its organisation's leavers");
  t.notOk(canSee(v, row('leaver', 'RXB')), "and not another's");
  t.notOk(canSee(v, row('leaver', 'RXA', '2026-01-01T00:00:00.000Z')), 'nor the soft-deleted');
  t.same(v.changes, { all: true }, 'a service reads the whole change log');
  t.ok(v.services, 'and sees service accounts');
});

t.test('every role: searches, single reads and the change log agree', async (t) => {
  const { dir, clock } = await testDirectory(t);
  await withEveryRole(dir, clock);
  const actors = await actorsOf(dir);
  const people = async (role: (typeof roles)[number]) =>
    (await dir.searchPeople(actors[role], { filter: TRUE, kind: 'person', limit: 500 })).map((r) => r.uid).sort();
  const active = await people('user');
  t.notOk(active.includes('john.smithson'), 'a user sees no leaver');
  t.ok(active.includes('jane.smith'), 'a user sees active people');
  const all = (await dir.searchPeople(systemActor, { filter: TRUE, kind: 'person', limit: 500 })).map((r) => r.uid);
  for (const role of roles) {
    const seen = await people(role);
    t.same(seen, [...active, ...expectedBeyondActive[role]].sort(), `${role}: the search`);
    // The row-level check (REST's GET /people/{uid}, from cached views) says the same of every person.
    const single: string[] = [];
    for (const uid of all) {
      const got = await dir.getPerson(actors[role], uid).then(
        () => true,
        (e) => (e instanceof DirectoryError && e.code === 'person.not_found' ? false : Promise.reject(e)),
      );
      if (got) single.push(uid);
    }
    t.same(single.sort(), seen, `${role}: one by one`);
    const count = await dir.countPeople(actors[role], { filter: TRUE, kind: 'person', limit: 0 });
    t.equal(count, seen.length, `${role}: the count`);
    // The change feed (REST) and the change log (LDAP) read the same changes.
    const scope = changeReaders[role];
    if (!scope) {
      await t.rejects(dir.listChanges(actors[role], { limit: 1000 }), { code: 'auth.forbidden' });
      await t.rejects(dir.searchChanges(actors[role], TRUE, { limit: 1000 }), { code: 'auth.forbidden' });
      continue;
    }
    const feed = (await dir.listChanges(actors[role], { limit: 1000 })).map((c) => c.seq);
    const log = (await dir.searchChanges(actors[role], TRUE, { limit: 1000 })).map((c) => c.seq);
    t.same(log, feed, `${role}: the change log is the change feed`);
    const everything = (await dir.listChanges(systemActor, { limit: 1000 })).length;
    if (scope === 'all') t.equal(feed.length, everything, `${role}: every change`);
    else t.ok(feed.length > 0 && feed.length < everything, `${role}: their organisation's changes only`);
  }
  // Services are listed for administrators and services only.
  for (const role of roles) {
    const services = await dir.searchServices(actors[role], TRUE, { limit: 100 });
    t.equal(services.length > 0, role !== 'user', `${role}: service accounts ${role !== 'user' ? '' : 'not '}listed`);
  }
});

t.test('an address book holds active people only, whoever asks', async (t) => {
  const { dir, clock } = await testDirectory(t);
  await withEveryRole(dir, clock);
  const actors = await actorsOf(dir);
  for (const role of roles) {
    const book: string[] = [];
    for await (const e of dir.addressBook(actors[role], 'RXA')) book.push(e.uid);
    t.notOk(book.includes('john.smithson') || book.includes('lee.leaver'), `${role}: no leavers`);
    t.ok(book.includes('jane.smith') && book.includes('alpha.pharmacy'), `${role}: people and the mailbox`);
  }
});

t.test('readiness says the database answers', async (t) => {
  const { dir, database } = await testDirectory(t);
  t.same(await dir.readiness(), { ready: true, database: database.kind });
});

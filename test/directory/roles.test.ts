import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { localAdmin, testDirectory, userActor, withTwoOrgs } from '../helpers/directory.js';

const sys = systemActor;

t.test('a local administrator manages their own organisation and nothing else', async (t) => {
  const { dir, database } = await testDirectory(t);
  await withTwoOrgs(dir);
  const la = await localAdmin(dir, 'RXA');
  const theirs = await dir.createJoiner(sys, { givenName: 'Bea', familyName: 'Beta', orgCode: 'RXB' });
  const auditBefore = (await database.query<{ n: number }>('select count(*)::int as n from audit'))[0].n;
  await t.rejects(dir.updatePerson(la, theirs.uid, { title: 'Hacked' }), { code: 'auth.forbidden' });
  await t.rejects(dir.markLeaver(la, theirs.uid), { code: 'auth.forbidden' });
  await t.rejects(dir.createJoiner(la, { givenName: 'New', familyName: 'Person', orgCode: 'RXB' }), {
    code: 'auth.forbidden',
  });
  await t.rejects(dir.setQuota(la, theirs.uid, 50), { code: 'auth.forbidden' });
  await t.rejects(dir.getQuotaSummary(la, 'RXB'), { code: 'auth.forbidden' });
  await t.rejects(dir.joinOrganisation(la, theirs.uid, { orgCode: 'RXB' }), { code: 'auth.forbidden' });
  await t.rejects(dir.renameOrganisation(la, 'RXA', 'Mine now'), { code: 'auth.forbidden' }, 'renames are national');
  await t.rejects(dir.createOrganisation(la, { code: 'X1', name: 'New' }), { code: 'auth.forbidden' });
  await t.rejects(dir.grantRole(la, { uid: theirs.uid }, { role: 'local_admin', orgCode: 'RXA' }), {
    code: 'auth.forbidden',
  });
  t.equal((await dir.getPerson(sys, theirs.uid)).title, null, 'nothing changed');
  t.equal(
    (await database.query<{ n: number }>('select count(*)::int as n from audit'))[0].n,
    auditBefore,
    'nothing audited',
  );
  // Their own organisation is theirs to manage.
  const mine = await dir.createJoiner(la, { givenName: 'Ann', familyName: 'Alpha', orgCode: 'RXA' });
  await dir.updatePerson(la, mine.uid, { title: 'Ward Sister' });
  const [entry] = await database.query<{ actor: string }>(
    "select actor from audit where target_id = $1 and action = 'person.update'",
    [mine.uid],
  );
  t.equal(entry.actor, 'person:local.adminrxa', 'the audit names the local administrator');
  // A mover into their organisation is theirs to take.
  await dir.markLeaver(sys, theirs.uid);
  t.equal((await dir.joinOrganisation(la, theirs.uid, { orgCode: 'RXA' })).person.orgCode, 'RXA');
});

t.test('a user edits only their own phone numbers', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const me = await dir.createJoiner(sys, { givenName: 'Sam', familyName: 'Self', orgCode: 'RXA' });
  const other = await dir.createJoiner(sys, { givenName: 'Oli', familyName: 'Other', orgCode: 'RXA' });
  const actor = await userActor(dir, me.id);
  const updated = await dir.updatePerson(actor, me.uid, { telephone: '0113 496 0000', mobile: '07700 900123' });
  t.same([updated.telephone, updated.mobile], ['0113 496 0000', '07700 900123']);
  await t.rejects(dir.updatePerson(actor, me.uid, { title: 'Chief Executive' }), { code: 'auth.forbidden' });
  await t.rejects(dir.updatePerson(actor, other.uid, { telephone: '1' }), { code: 'auth.forbidden' });
  await t.rejects(dir.listAudit(actor, {}), { code: 'auth.forbidden' }, 'a user cannot read the audit log');
});

t.test('auditors read the audit log; connectors write only their own organisation', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  await dir.createService(sys, { name: 'rxa-feed', grants: [{ role: 'connector', orgCode: 'RXA' }] });
  await dir.createService(sys, { name: 'auditor', grants: [{ role: 'auditor' }] });
  const feed = (await dir.loadActor({ service: 'rxa-feed' }))!;
  const auditor = (await dir.loadActor({ service: 'auditor' }))!;
  const p = await dir.createJoiner(feed, { givenName: 'Fed', familyName: 'Person', orgCode: 'RXA' });
  await t.rejects(dir.createJoiner(feed, { givenName: 'Fed', familyName: 'Elsewhere', orgCode: 'RXB' }), {
    code: 'auth.forbidden',
  });
  await t.rejects(dir.createJoiner(auditor, { givenName: 'A', familyName: 'B', orgCode: 'RXA' }), {
    code: 'auth.forbidden',
  });
  const log = await dir.listAudit(auditor, { target: p.uid });
  t.same(
    log.map((r) => [r.action, r.actor]),
    [['person.create', 'service:rxa-feed']],
  );
  await t.rejects(
    dir.grantRole(sys, { service: 'rxa-feed' }, { role: 'connector' }),
    { code: 'validation.failed' },
    'a connector is for one organisation',
  );
});

import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { localAdmin, testDirectory, userActor, withTwoOrgs } from '../helpers/directory.js';

const sys = systemActor;

t.test('generic mailboxes: created by admins, delegates managed by the owner alone', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const la = await localAdmin(dir, 'RXA');
  const owner = await dir.createJoiner(sys, { givenName: 'Olivia', familyName: 'Owner', orgCode: 'RXA' });
  const helper = await dir.createJoiner(sys, { givenName: 'Dev', familyName: 'Delegate', orgCode: 'RXA' });
  const stranger = await dir.createJoiner(sys, { givenName: 'Stan', familyName: 'Stranger', orgCode: 'RXA' });
  await t.rejects(
    dir.createMailbox(await userActor(dir, owner.id), { name: 'Pharmacy Team', orgCode: 'RXA', ownerUid: owner.uid }),
    { code: 'auth.forbidden' },
  );
  const mb = await dir.createMailbox(la, { name: 'Ward 7 Pharmacy', orgCode: 'RXA', ownerUid: owner.uid });
  t.equal(mb.mail, 'ward.7.pharmacy@nhs.net');
  t.equal(mb.displayName, 'Ward 7 Pharmacy (Alpha Hospitals NHS Trust)');
  const ownerActor = await userActor(dir, owner.id);
  await dir.setDelegate(ownerActor, mb.uid, helper.uid, 'send_as');
  await dir.setDelegate(ownerActor, mb.uid, helper.uid, 'full_access');
  await t.rejects(dir.setDelegate(await userActor(dir, stranger.id), mb.uid, stranger.uid, 'full_access'), {
    code: 'auth.forbidden',
  });
  await t.rejects(dir.setDelegate(ownerActor, mb.uid, helper.uid, 'read_all' as never), { code: 'validation.failed' });
  let view = await dir.getMailbox(ownerActor, mb.uid);
  t.equal(view.ownerUid, owner.uid);
  t.same(view.delegates, [{ uid: helper.uid, permission: 'full_access' }]);
  await t.rejects(dir.removeDelegate(await userActor(dir, stranger.id), mb.uid, helper.uid), {
    code: 'auth.forbidden',
  });
  await dir.removeDelegate(ownerActor, mb.uid, helper.uid);
  view = await dir.getMailbox(ownerActor, mb.uid);
  t.same(view.delegates, []);
  // A mailbox address is reserved like any other.
  const again = await dir.createMailbox(la, { name: 'Ward 7 Pharmacy', orgCode: 'RXA', ownerUid: owner.uid });
  t.equal(again.mail, 'ward.7.pharmacy2@nhs.net');
});

t.test('a mailbox with no owner, or a leaver as owner, is refused and nothing written', async (t) => {
  const { dir, database } = await testDirectory(t);
  await withTwoOrgs(dir);
  const gone = await dir.createJoiner(sys, { givenName: 'Gone', familyName: 'Owner', orgCode: 'RXA' });
  await dir.markLeaver(sys, gone.uid);
  await t.rejects(dir.createMailbox(sys, { name: 'Team', orgCode: 'RXA', ownerUid: '' }), { code: 'mailbox.no_owner' });
  await t.rejects(dir.createMailbox(sys, { name: 'Team', orgCode: 'RXA', ownerUid: 'no.body' }), {
    code: 'mailbox.no_owner',
  });
  await t.rejects(dir.createMailbox(sys, { name: 'Team', orgCode: 'RXA', ownerUid: gone.uid }), {
    code: 'mailbox.no_owner',
  });
  await t.rejects(dir.createMailbox(sys, { name: '!!!', orgCode: 'RXA', ownerUid: gone.uid }), {
    code: 'validation.failed',
  });
  const [{ n }] = await database.query<{ n: number }>("select count(*)::int as n from people where kind = 'mailbox'");
  t.equal(n, 0);
});

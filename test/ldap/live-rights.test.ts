// Rights are the bound identity's as they are now, not as they were at bind (issue 10): a leaver's
// connection closes at its next operation, a lost role is lost at once, and a password changed or
// reset elsewhere ends the person's other connections; their own change keeps the one making it.
import t, { type Test } from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { Result } from '../../src/ldap/protocol.js';
import { ldapFixture, passwords } from '../helpers/ldap.js';
import { bindRequest, equality, passwordModify, searchRequest, whoAmI, Wire } from './wire.js';

let nextId = 10;
/** A connection bound as `name`. */
async function boundAs(t: Test, port: number, name: string, password: string) {
  const w = await Wire.open(port);
  t.teardown(() => w.destroy());
  w.send(bindRequest(1, name, password));
  t.equal((await w.result(1))?.code, Result.success, `${name} binds`);
  return w;
}

/** Sends a search for one person; its result, or the notice that ended the connection. */
async function findJane(w: Wire) {
  const id = nextId++;
  w.send(searchRequest(id, { base: 'ou=People,o=nhs', filter: equality('uid', 'jane.smith'), attributes: ['mail'] }));
  return { reply: await w.result(id), entries: w.entriesOf(id).length };
}

async function changelog(w: Wire) {
  const id = nextId++;
  w.send(searchRequest(id, { base: 'cn=changelog', scope: 0 }));
  return w.result(id);
}

async function exop(w: Wire, make: (id: number) => Buffer) {
  const id = nextId++;
  w.send(make(id));
  return w.result(id);
}

const isNotice = (r: { id: number; name?: string } | null) => r?.id === 0 && r.name === '1.3.6.1.4.1.1466.20036';

t.test("a leaver's connection is closed at its next operation", async (t) => {
  const { server, dir } = await ldapFixture(t);
  const jane = await boundAs(t, server.port, 'jane.smith@nhs.net', passwords.jane);
  t.same(await findJane(jane).then((r) => [r.reply?.code, r.entries]), [0, 1], 'searches while active');
  await dir.markLeaver(systemActor, 'jane.smith');
  const after = await findJane(jane);
  t.ok(isNotice(after.reply), 'a notice of disconnection instead of an answer');
  t.equal(after.reply?.code, Result.strongerAuthRequired);
  t.equal(after.entries, 0, 'nothing more is read');
  t.ok(await jane.waitClosed(), 'and the connection is closed');
});

t.test('a role taken away is gone from the same connection at its next operation', async (t) => {
  const { server, dir } = await ldapFixture(t);
  const ann = await boundAs(t, server.port, 'ann.admin@nhs.net', passwords.admin);
  t.equal((await changelog(ann))?.code, Result.success, 'a local administrator reads the change log');
  const john = 'uid=john.smithson,ou=People,o=nhs';
  const reset = (id: number) => passwordModify(id, { target: john, new: 'set-by-ann-1' });
  t.equal((await exop(ann, reset))?.code, Result.success, 'and resets the password of a person of their organisation');
  await dir.revokeRole(systemActor, { uid: 'ann.admin' }, { role: 'local_admin', orgCode: 'RXA' });
  t.equal((await changelog(ann))?.code, Result.insufficientAccessRights, 'the change log is refused now');
  t.equal((await exop(ann, reset))?.code, Result.insufficientAccessRights, 'and so is Password Modify for another');
  t.notOk(ann.closed, 'the connection goes on, with the rights of an ordinary user');
  t.equal((await exop(ann, whoAmI))?.value?.toString(), 'dn:uid=ann.admin,ou=People,o=nhs');
});

t.test("a password reset by an administrator ends that person's other connections", async (t) => {
  const { server, clock } = await ldapFixture(t);
  const jane = await boundAs(t, server.port, 'jane.smith@nhs.net', passwords.jane);
  const ann = await boundAs(t, server.port, 'ann.admin@nhs.net', passwords.admin);
  clock.now = new Date(clock.now.getTime() + 60_000);
  const target = 'uid=jane.smith,ou=People,o=nhs';
  const reset = await exop(ann, (id) => passwordModify(id, { target, new: 'reset-by-ann-1' }));
  t.equal(reset?.code, Result.success, 'the administrator resets it');
  const after = await findJane(jane);
  t.ok(isNotice(after.reply), "Jane's connection gets a notice of disconnection at its next operation");
  t.ok(await jane.waitClosed(), 'and is closed');
  t.equal((await findJane(ann)).reply?.code, Result.success, "the administrator's connection goes on");
  await boundAs(t, server.port, 'jane.smith@nhs.net', 'reset-by-ann-1');
});

t.test("one's own Password Modify keeps the connection that made it, and ends the others", async (t) => {
  const { server, clock } = await ldapFixture(t);
  const here = await boundAs(t, server.port, 'jane.smith@nhs.net', passwords.jane);
  const elsewhere = await boundAs(t, server.port, 'jane.smith@nhs.net', passwords.jane);
  clock.now = new Date(clock.now.getTime() + 60_000);
  const changed = await exop(here, (id) => passwordModify(id, { old: passwords.jane, new: 'jane-new-password' }));
  t.equal(changed?.code, Result.success, 'her own change, with the old password');
  const same = await findJane(here);
  t.same([same.reply?.code, same.entries], [0, 1], 'the connection that changed it goes on');
  t.notOk(here.closed);
  t.ok(isNotice((await findJane(elsewhere)).reply), 'her other connection is ended');
  t.ok(await elsewhere.waitClosed());
  clock.now = new Date(clock.now.getTime() + 60_000);
  const again = await exop(here, (id) => passwordModify(id, { old: 'jane-new-password', new: 'jane-third-password' }));
  t.equal(again?.code, 0, 'and can change it again');
  t.same((await findJane(here)).reply?.code, 0, 'still open');
});

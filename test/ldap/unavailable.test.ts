// The database out of reach (issue 10): operations answer unavailable (52), the connection and the
// server go on, and nothing is logged at error level (nor any SQL). On PGlite the database is closed;
// on PostgreSQL the directory reaches its server through a TCP proxy that the test cuts and mends.
import { once } from 'node:events';
import net from 'node:net';
import t, { type Test } from 'tap';
import { openPostgres } from '../../src/db/client.js';
import { createDirectory } from '../../src/directory/directory.js';
import { Dit } from '../../src/ldap/mapping.js';
import { Result } from '../../src/ldap/protocol.js';
import { startLdapServer } from '../../src/ldap/server.js';
import { createServerDatabase, usingPostgres } from '../helpers/db.js';
import { testSettings } from '../helpers/directory.js';
import { ldapFixture, passwords, seed } from '../helpers/ldap.js';
import { bindRequest, capturingLog, equality, searchRequest, whoAmI, Wire } from './wire.js';

/** A TCP proxy to host:port whose connections can be cut (and new ones refused) until mended. */
async function cuttableProxy(host: string, port: number) {
  let down = false;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(port, host);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('error', drop);
      s.on('close', drop);
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      down = true;
      for (const s of open) s.destroy();
    },
    mend() {
      down = false;
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

/** An LDAP server over the seeded directory, and how to take its database away (and back, where possible). */
async function fixture(t: Test, log: ReturnType<typeof capturingLog>['log']) {
  if (!usingPostgres) {
    const { server, database } = await ldapFixture(t, { log });
    const close = database.close;
    database.close = async () => {}; // closed here already; the fixture's teardown must not close it again
    return { server, cut: () => close(), mend: null };
  }
  const created = await createServerDatabase(process.env.DATABASE_URL!);
  const direct = new URL(created.url);
  const proxy = await cuttableProxy(direct.hostname, Number(direct.port || 5432));
  const viaProxy = new URL(created.url);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  const database = await openPostgres(viaProxy.toString());
  await database.migrate();
  const clock = { now: new Date('2026-01-05T09:00:00Z') };
  const dir = createDirectory(database, testSettings, () => clock.now);
  const unwatch = await dir.watchChanges();
  t.teardown(async () => {
    proxy.mend();
    await unwatch?.();
    await database.close();
    await proxy.close();
    await created.drop();
  });
  await seed(dir);
  const server = await startLdapServer({
    directory: dir,
    dit: new Dit('o=nhs'),
    anonymous: false,
    sizeCap: 500,
    vendorVersion: 'test',
    host: '127.0.0.1',
    port: 0,
    idleSeconds: 60,
    log,
  });
  t.teardown(() => server.close());
  return { server, cut: async () => proxy.cut(), mend: () => proxy.mend() };
}

t.test('the database out of reach: unavailable (52), and the connection and the server go on', async (t) => {
  const captured = capturingLog();
  const { server, cut, mend } = await fixture(t, captured.log);
  const jane = await Wire.open(server.port);
  t.teardown(() => jane.destroy());
  jane.send(bindRequest(1, 'jane.smith@nhs.net', passwords.jane));
  t.equal((await jane.result(1))?.code, Result.success);
  let id = 2;
  const search = async (w: Wire) => {
    const n = id++;
    w.send(searchRequest(n, { base: 'ou=People,o=nhs', filter: equality('uid', 'jane.smith'), attributes: ['mail'] }));
    return { reply: await w.result(n), entries: w.entriesOf(n).length };
  };
  t.same(await search(jane).then((r) => [r.reply?.code, r.entries]), [0, 1], 'served while the database is there');

  await cut();
  for (let i = 0; i < 3; i++) {
    const r = await search(jane);
    t.equal(r.reply?.code, Result.unavailable, `search ${i + 1}: unavailable (52)`);
    t.equal(r.reply?.id, id - 1, 'as the answer to that search, not a notice');
  }
  t.notOk(jane.closed, 'the connection stays open');

  const other = await Wire.open(server.port);
  t.teardown(() => other.destroy());
  other.send(bindRequest(1, 'ann.admin@nhs.net', passwords.admin));
  t.equal((await other.result(1))?.code, Result.unavailable, 'a bind meanwhile: 52, not invalidCredentials');
  other.send(whoAmI(2));
  t.equal((await other.result(2))?.code, Result.success, 'the server still answers what needs no database');

  if (mend) {
    mend();
    let back = await search(jane);
    for (let i = 0; i < 50 && back.reply?.code === Result.unavailable; i++) {
      await new Promise((r) => setTimeout(r, 200));
      back = await search(jane);
    }
    t.same([back.reply?.code, back.entries], [0, 1], 'the same connection is served again once the database is back');
  }
  t.same(captured.errors(), [], 'nothing at error level');
  const warnings = captured.lines.filter((l) => l.level === 40);
  t.ok(warnings.length >= 1, 'a warning says why');
  t.ok(warnings.length <= 2, `not one per operation (${warnings.length})`);
  t.notMatch(JSON.stringify(captured.lines), /select|"stack"/i, 'no SQL and no stack in the log');
});

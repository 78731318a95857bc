// Forged controls (issue 10): paged-results cookies are opaque and bound by a MAC to the search,
// the connection and the caller; forged or borrowed ones, and VLV counts out of range, get a result
// code, and the connection goes on. None of it is an error in the server's log.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { BerReader, seq, str } from '../../src/ldap/ber.js';
import type { Directory } from '../../src/directory/directory.js';
import { Dit } from '../../src/ldap/mapping.js';
import { decodeMessage, Result } from '../../src/ldap/protocol.js';
import { Session } from '../../src/ldap/session.js';
import { ldapFixture, passwords } from '../helpers/ldap.js';
import {
  bindRequest,
  capturingLog,
  cookieOf,
  equality,
  pagedControl,
  present,
  searchRequest,
  sortControl,
  vlvControl,
  Wire,
} from './wire.js';

let nextId = 10;

async function boundAs(port: number, name: string, password: string) {
  const w = await Wire.open(port);
  w.send(bindRequest(1, name, password));
  if ((await w.result(1))?.code !== 0) throw new Error(`bind as ${name} failed`);
  return w;
}

/** A paged search of ou=People with page size 2 (the fixture has 7 people there). */
async function page(w: Wire, cookie?: Buffer, filter = present('mail')) {
  const id = nextId++;
  const controls = [pagedControl(2, cookie)];
  w.send(searchRequest(id, { base: 'ou=People,o=nhs', scope: 1, filter, attributes: ['uid'], controls }));
  const reply = await w.result(id);
  return { reply, entries: w.entriesOf(id).length, cookie: cookieOf(reply) };
}

/** The connection still answers: a plain search finds Jane. */
async function stillServes(w: Wire) {
  const id = nextId++;
  w.send(searchRequest(id, { base: 'ou=People,o=nhs', filter: equality('uid', 'jane.smith'), attributes: ['mail'] }));
  const r = await w.result(id);
  return r?.code === 0 && w.entriesOf(id).length === 1 && !w.closed;
}

t.test('paged-results cookies: forged, altered or borrowed ones are refused with a result code', async (t) => {
  const { log, errors } = capturingLog();
  const { server } = await ldapFixture(t, { log });
  const jane = await boundAs(server.port, 'jane.smith@nhs.net', passwords.jane);
  t.teardown(() => jane.destroy());
  const first = await page(jane);
  t.same([first.reply?.code, first.entries], [0, 2], 'a first page');
  const cookie = first.cookie!;
  t.ok(cookie.length > 16, 'with a cookie');
  t.notMatch(cookie.toString('latin1'), /^\{"s"/, 'that is not the bare cursor it used to be');
  const second = await page(jane, cookie);
  t.same([second.reply?.code, second.entries], [0, 2], 'the cookie reads the next page');

  const flipped = Buffer.from(cookie);
  flipped[flipped.length - 2] ^= 1;
  const forged: [string, Buffer][] = [
    ['{"s":-1}', Buffer.from('{"s":-1}')],
    ['{"s":1.5}', Buffer.from('{"s":1.5}')],
    ['{"s":0,"id":-5}', Buffer.from('{"s":0,"id":-5}')],
    ['random bytes', randomBytes(48)],
    ['the cookie with one bit changed', flipped],
    ['the MAC alone', cookie.subarray(0, 16)],
  ];
  for (const [what, bytes] of forged) {
    const r = await page(jane, bytes);
    t.equal(r.reply?.code, Result.unwillingToPerform, `${what}: unwillingToPerform`);
    t.equal(r.entries, 0, `${what}: no entries`);
    t.ok(await stillServes(jane), `${what}: the connection goes on`);
  }
  const otherSearch = await page(jane, cookie, present('cn'));
  t.equal(otherSearch.reply?.code, Result.unwillingToPerform, 'a cookie given for another search is refused');

  const elsewhere = await boundAs(server.port, 'jane.smith@nhs.net', passwords.jane);
  t.teardown(() => elsewhere.destroy());
  const borrowed = await page(elsewhere, cookie);
  t.equal(borrowed.reply?.code, Result.unwillingToPerform, "another connection's cookie is refused");
  t.ok(await stillServes(elsewhere));

  // The same connection, bound again as someone else: Jane's cookie is not Ann's.
  jane.send(bindRequest(2, 'ann.admin@nhs.net', passwords.admin));
  t.equal((await jane.result(2))?.code, 0);
  t.equal((await page(jane, cookie)).reply?.code, Result.unwillingToPerform, "another caller's cookie is refused");
  t.ok(await stillServes(jane));
  t.same(errors(), [], 'no error in the log');
});

t.test('VLV counts and page sizes out of range: protocolError, and the connection goes on', async (t) => {
  const { log, errors } = capturingLog();
  const { server } = await ldapFixture(t, { log });
  const jane = await boundAs(server.port, 'jane.smith@nhs.net', passwords.jane);
  t.teardown(() => jane.destroy());
  const vlv = async (before: number, after: number, offset: number, count: number) => {
    const id = nextId++;
    const controls = [sortControl('cn'), vlvControl(before, after, offset, count)];
    jane.send(searchRequest(id, { base: 'o=nhs', filter: present('mail'), attributes: ['cn'], controls }));
    return { reply: await jane.result(id), entries: jane.entriesOf(id).length };
  };
  const fine = await vlv(1, 2, 3, 0);
  t.same([fine.reply?.code, fine.entries], [0, 4], 'a proper window');
  for (const [before, after, offset, count, what] of [
    [-1, 2, 3, 0, 'negative before'],
    [1, -5, 3, 0, 'negative after'],
    [-1000000, -1000000, 1, 0, 'both negative'],
    [0, 0, -1, 0, 'negative offset'],
    [0, 0, 1, -1, 'negative count'],
    [2 ** 40, 0, 1, 0, 'before past maxInt'],
  ] as const) {
    const r = await vlv(before, after, offset, count);
    t.equal(r.reply?.code, Result.protocolError, `${what}: protocolError`);
    t.equal(r.entries, 0);
    t.ok(await stillServes(jane), `${what}: the connection goes on`);
  }
  const id = nextId++;
  jane.send(searchRequest(id, { base: 'ou=People,o=nhs', controls: [pagedControl(-3)] }));
  t.equal((await jane.result(id))?.code, Result.protocolError, 'a negative page size: protocolError');
  t.ok(await stillServes(jane));
  t.same(errors(), [], 'no error in the log');
});

t.test('values the database cannot take are bad input, answered: never an internal error', async (t) => {
  const { log, errors } = capturingLog();
  const { server } = await ldapFixture(t, { log });
  const national = await boundAs(server.port, 'cn=national,ou=Services,o=nhs', passwords.national);
  t.teardown(() => national.destroy());
  const ask = async (o: Parameters<typeof searchRequest>[1]) => {
    const id = nextId++;
    national.send(searchRequest(id, { attributes: ['uid'], ...o }));
    const reply = await national.result(id);
    return { code: reply?.code, entries: national.entriesOf(id).length };
  };
  const nul = 'jane\u0000smith';
  const nothing = { code: 0, entries: 0 };
  t.same(await ask({ filter: equality('uid', nul) }), nothing, 'a NUL in an equality value: Undefined, nothing');
  const either = seq(0xa1, [equality('cn', nul), equality('uid', 'jane.smith')]);
  const one = { code: 0, entries: 1 };
  t.same(await ask({ base: 'ou=People,o=nhs', filter: either }), one, 'an OR matches its other item');
  const sub = seq(0xa4, [str('mail'), seq(0x30, [str('a\u0000', 0x80)])]);
  t.same(await ask({ filter: sub }), { code: 0, entries: 0 }, 'a NUL in a substring');
  const noSuch = { code: Result.noSuchObject, entries: 0 };
  t.same(await ask({ base: `uid=${nul},ou=People,o=nhs`, scope: 0 }), noSuch, 'in a base DN: noSuchObject');
  const huge = seq(0xa5, [str('changeNumber'), str('99999999999999999999999999')]);
  t.same(await ask({ base: 'cn=changelog', scope: 1, filter: huge }), nothing, 'a change number past any integer');
  t.ok(await stillServes(national), 'the connection goes on');

  const w = await Wire.open(server.port);
  t.teardown(() => w.destroy());
  w.send(bindRequest(1, `${nul}@nhs.net`, 'whatever'));
  t.equal((await w.result(1))?.code, Result.invalidCredentials, 'a NUL in a bind name: invalidCredentials');
  w.send(bindRequest(2, `uid=${nul},ou=People,o=nhs`, 'whatever'));
  t.equal((await w.result(2))?.code, Result.invalidCredentials, 'and in a bind DN');
  t.notOk(w.closed);
  t.same(errors(), [], 'no error in the log');
});

t.test('a value the database refuses (SQLSTATE class 22) is answered 53 with a warning; others go up', async (t) => {
  // No request found today reaches the database with such a value (NULs are caught before it, numbers
  // folded): a directory that fails as PostgreSQL would stands in for the one that may, some day.
  const { log, lines, errors } = capturingLog();
  const failing = (err: Error) =>
    ({
      checkAvailable: () => {},
      authenticate: async () => {
        throw err;
      },
    }) as unknown as Directory;
  const answer = async (err: Error) => {
    const written: Buffer[] = [];
    const transport = {
      write: async (b: Buffer) => {
        written.push(b);
      },
      startTls: async () => {},
      close: () => {},
    };
    const opts = { dit: new Dit('o=nhs'), anonymous: false, sizeCap: 10, vendorVersion: 't', tls: false };
    const session = new Session({ ...opts, canStartTls: false, log, directory: failing(err) }, transport);
    await session.handle(decodeMessage(bindRequest(1, 'jane.smith@nhs.net', 'whatever')));
    return new BerReader(written[0]).read(0x30).body; // the LDAPMessage: id, then the bind response
  };
  const cause = Object.assign(new Error('invalid input syntax'), { code: '22P02' });
  const data = Object.assign(new Error('Failed query: select … params: …'), { cause });
  const reply = await answer(data);
  reply.int();
  t.equal(reply.read(0x61).body.enumerated(), Result.unwillingToPerform, 'answered unwillingToPerform');
  const warning = { level: 40, error: { code: '22P02', message: 'invalid input syntax' } };
  t.match(lines, [warning], 'one warning, with the code and one line');
  t.notMatch(JSON.stringify(lines), /Failed query|params/, 'never the statement');
  await t.rejects(answer(new TypeError('a bug of ours')), TypeError, 'anything else: the transport logs it and ends');
  t.same(errors(), []);
});

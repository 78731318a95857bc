// Hostile and careless clients: each is cut off alone, and the next client is served normally.
import { once } from 'node:events';
import net from 'node:net';
import { BindRequest, FilterParser, SearchRequest } from 'ldapts';
import t from 'tap';
import { int, seq, str } from '../../src/ldap/ber.js';
import { ldapFixture, ldapsearch, messageIds, passwords } from '../helpers/ldap.js';

/** Send bytes, then collect everything the server says until it closes (or `ms` pass). */
async function exchange(port: number, chunks: Buffer[], ms = 5000): Promise<{ reply: Buffer; closed: boolean }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const got: Buffer[] = [];
  socket.on('data', (d) => got.push(d));
  socket.on('error', () => {});
  for (const c of chunks) socket.write(c);
  const closed = await Promise.race([
    once(socket, 'close').then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
  ]);
  socket.destroy();
  return { reply: Buffer.concat(got), closed };
}

const NOTICE = Buffer.from('1.3.6.1.4.1.1466.20036');
const bind = (id: number) =>
  new BindRequest({ messageId: id, dn: 'jane.smith@nhs.net', password: passwords.jane }).write();
const searchReq = (id: number, filter = '(uid=jane.smith)') =>
  new SearchRequest({
    messageId: id,
    baseDN: 'ou=People,o=nhs',
    scope: 'one',
    filter: FilterParser.parseString(filter),
    attributes: ['mail'],
  }).write();

t.test('garbage, truncation, oversized and too-deep input close that connection only', async (t) => {
  const { server, url } = await ldapFixture(t);
  const stillServes = async (why: string) => {
    const r = await ldapsearch([
      '-H',
      url,
      '-D',
      'jane.smith@nhs.net',
      '-w',
      passwords.jane,
      '-b',
      'ou=People,o=nhs',
      '(uid=jane.smith)',
      'mail',
    ]);
    t.same(
      r.entries.map((e) => e.attrs.mail[0]),
      ['jane.smith@nhs.net'],
      `served normally after ${why}`,
    );
  };
  const garbage = await exchange(server.port, [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]);
  t.ok(garbage.closed, 'garbage: closed');
  t.ok(garbage.reply.includes(NOTICE), 'garbage: a notice of disconnection first');
  await stillServes('garbage');

  const truncated = await exchange(server.port, [searchReq(1).subarray(0, 20)], 500);
  t.notOk(truncated.closed, 'a truncated PDU waits for the rest');
  await stillServes('a truncated PDU and a vanished client');

  // A header promising 2 MiB: refused at the header, without waiting for the body.
  const header = Buffer.from([0x30, 0x84, 0x00, 0x20, 0x00, 0x00]);
  const big = await exchange(server.port, [header, Buffer.alloc(64 * 1024, 0x41)]);
  t.ok(big.closed && big.reply.includes(NOTICE), 'a 2 MiB PDU: notice and close');
  await stillServes('a 2 MiB PDU');

  let deep: Buffer = Buffer.from([0x87, 0x03, 0x75, 0x69, 0x64]); // (uid=*)
  for (let i = 0; i < 200; i++) deep = seq(0xa2, [deep]);
  const deepSearch = seq(0x30, [
    int(5),
    seq(0x63, [
      str('o=nhs'),
      int(2, 0x0a),
      int(0, 0x0a),
      int(0),
      int(0),
      Buffer.from([0x01, 0x01, 0x00]),
      deep,
      seq(0x30, []),
    ]),
  ]);
  const deepRes = await exchange(server.port, [bind(1), deepSearch]);
  t.ok(deepRes.closed && deepRes.reply.includes(NOTICE), 'a filter nested 200 deep: notice and close');
  await stillServes('a deep filter');

  // A well-formed message whose paged-results control value is not BER.
  const badControl = seq(0x30, [
    int(6),
    seq(0x63, [
      str('o=nhs'),
      int(2, 0x0a),
      int(0, 0x0a),
      int(0),
      int(0),
      Buffer.from([0x01, 0x01, 0x00]),
      Buffer.from([0x87, 0x03, 0x75, 0x69, 0x64]),
      seq(0x30, []),
    ]),
    seq(0xa0, [seq(0x30, [str('1.2.840.113556.1.4.319'), str(Buffer.from([0xff, 0xff, 0xff]))])]),
  ]);
  const ctl = await exchange(server.port, [bind(1), badControl]);
  t.ok(ctl.closed && ctl.reply.includes(NOTICE), 'a control value that is not BER: notice and close');
  await stillServes('a bad control value');
  for (let i = 0; i < 40 && server.connections() > 0; i++) await new Promise((r) => setTimeout(r, 50));
  t.equal(server.connections(), 0, 'no connection left behind');
});

t.test('1000 pipelined searches, then the client vanishes', async (t) => {
  const { server, url } = await ldapFixture(t);
  const requests = [bind(1), ...Array.from({ length: 1000 }, (_, i) => searchReq(i + 2))];
  const socket = net.connect(server.port, '127.0.0.1');
  await once(socket, 'connect');
  socket.on('error', () => {});
  socket.write(Buffer.concat(requests));
  await new Promise((r) => setTimeout(r, 200));
  socket.destroy();
  const r = await ldapsearch([
    '-H',
    url,
    '-D',
    'jane.smith@nhs.net',
    '-w',
    passwords.jane,
    '-b',
    'ou=People,o=nhs',
    '(uid=jane.smith)',
    'mail',
  ]);
  t.same(
    r.entries.map((e) => e.attrs.mail[0]),
    ['jane.smith@nhs.net'],
    'the next client is served',
  );
});

t.test('pipelined requests are answered in order, each search whole', async (t) => {
  const { server } = await ldapFixture(t);
  const n = 50;
  const { reply } = await exchange(
    server.port,
    [bind(1), ...Array.from({ length: n }, (_, i) => searchReq(i + 2))],
    3000,
  );
  // Each answer is an entry (0x64) then a done (0x65); read the message ids in order.
  t.same(messageIds(reply), [1, ...Array.from({ length: n }, (_, i) => [i + 2, i + 2]).flat()]);
});

t.test('idle connections are closed', async (t) => {
  const { server } = await ldapFixture(t, { idleSeconds: 1 });
  const idle = await exchange(server.port, [], 5000);
  t.ok(idle.closed, 'closed after the idle time');
  t.ok(idle.reply.includes(NOTICE), 'with a notice of disconnection');
});

t.test('a filter of thousands of items is refused (adminLimitExceeded), and the next search served', async (t) => {
  const { url } = await ldapFixture(t);
  const asJane = ['-H', url, '-D', 'jane.smith@nhs.net', '-w', passwords.jane, '-b', 'ou=People,o=nhs'];
  const prefixes = (n: number) =>
    `(|${Array.from({ length: n }, (_, i) => `(mail=q${i}x*)`).join('')}(mail=jane.smith@nhs.net))`;
  const wide = await ldapsearch([...asJane, prefixes(2000), 'mail']);
  t.equal(wide.code, 11, 'adminLimitExceeded, at once');
  t.match(wide.stderr, /2002 parts; at most 32/, 'saying why');
  // A wide but plausible filter (mail clients send up to nine items) is answered as ever.
  t.equal((await ldapsearch([...asJane, prefixes(31), 'mail'])).code, 11, '33 parts: refused');
  const empties = `(&${'(&)'.repeat(40)}(uid=jane.smith))`;
  t.equal((await ldapsearch([...asJane, empties, 'mail'])).code, 11, 'empty ands count as parts');
  const plausible = await ldapsearch([...asJane, prefixes(30), 'mail']);
  t.equal(plausible.code, 0);
  t.same(
    plausible.entries.map((e) => e.attrs.mail[0]),
    ['jane.smith@nhs.net'],
    '32 parts answered',
  );
});

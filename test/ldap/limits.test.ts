// Hostile clients bounded (issue 10): a PDU must arrive whole within a deadline however slowly its
// bytes come, connections that have not bound may send small PDUs only and are few per address,
// and the server has a ceiling on connections, said once in the log however many are refused.
import t from 'tap';
import { Buffer } from 'node:buffer';
import { PduAssembler, seq, str } from '../../src/ldap/ber.js';
import { Result } from '../../src/ldap/protocol.js';
import { ldapFixture, passwords } from '../helpers/ldap.js';
import { bindRequest, capturingLog, equality, searchRequest, whoAmI, Wire } from './wire.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends `bytes` one at a time, `gap` ms apart, until they are all sent or the connection closes. */
async function trickle(w: Wire, bytes: Buffer, gap: number) {
  let sent = 0;
  for (; sent < bytes.length && !w.closed; sent++) {
    w.send(bytes.subarray(sent, sent + 1));
    await sleep(gap);
  }
  return sent;
}

async function bound(port: number) {
  const w = await Wire.open(port);
  w.send(bindRequest(1, 'jane.smith@nhs.net', passwords.jane));
  const r = await w.result(1);
  if (r?.code !== 0) throw new Error('bind failed');
  return w;
}

t.test('slowloris: a PDU trickled a byte at a time is cut off at its deadline', async (t) => {
  // The idle time is long and every byte would restart it: only the PDU deadline can end these.
  const { server } = await ldapFixture(t, { pduSeconds: 1, idleSeconds: 600 });
  const header = Buffer.from([0x30, 0x84, 0x00, 0x0f, 0xff, 0xf0]); // a PDU of just under 1 MiB
  const authenticated = await bound(server.port);
  t.teardown(() => authenticated.destroy());
  const sent = await trickle(authenticated, Buffer.concat([header, Buffer.alloc(400, 0x04)]), 100);
  t.ok(await authenticated.waitClosed(), 'a bound connection is closed');
  t.ok(sent < 406, `before the PDU could be finished (${sent} bytes sent)`);
  t.equal(authenticated.notice()?.code, Result.protocolError, 'with a notice of disconnection');

  const anonymous = await Wire.open(server.port);
  t.teardown(() => anonymous.destroy());
  const small = Buffer.from([0x30, 0x82, 0x7f, 0x00]); // 32 KiB, under the limit before a bind
  await trickle(anonymous, Buffer.concat([small, Buffer.alloc(400, 0x04)]), 100);
  t.ok((await anonymous.waitClosed()) && anonymous.notice(), 'an unbound one too');
  for (let i = 0; i < 100 && server.connections() > 0; i++) await sleep(100);
  t.equal(server.connections(), 0, 'nothing is held for them');
});

t.test('each PDU has its own deadline: a connection sending whole PDUs slowly is served', async (t) => {
  const { server } = await ldapFixture(t, { pduSeconds: 3 });
  const w = await bound(server.port);
  t.teardown(() => w.destroy());
  // Four searches, each in two halves 100 ms apart, 1.2 s between searches: longer than one
  // deadline in all, well within it for each.
  for (let id = 2; id < 6; id++) {
    const req = searchRequest(id, { base: 'ou=People,o=nhs', filter: equality('uid', 'jane.smith') });
    w.send(req.subarray(0, 10));
    await sleep(100);
    w.send(req.subarray(10));
    t.equal((await w.result(id))?.code, Result.success, `search ${id}`);
    await sleep(1200);
  }
  t.notOk(w.closed, 'still open');
});

t.test('before a bind, PDUs are small; after it, they may be large', async (t) => {
  const { server } = await ldapFixture(t);
  // A search whose filter value is 100 KiB: over the 64 KiB allowed before a bind.
  const filter = seq(0xa3, [str('cn'), str('x'.repeat(100 * 1024))]);
  const big = (id: number) => searchRequest(id, { base: 'ou=People,o=nhs', filter });
  const anonymous = await Wire.open(server.port);
  t.teardown(() => anonymous.destroy());
  anonymous.send(big(1));
  t.ok(await anonymous.waitClosed(), 'an unbound connection sending it is closed');
  t.equal(anonymous.notice()?.code, Result.protocolError, 'with a notice of disconnection');
  t.match(anonymous.notice()?.diagnostic, /over the limit/);

  const w = await bound(server.port);
  t.teardown(() => w.destroy());
  w.send(big(2));
  t.equal((await w.result(2))?.code, Result.success, 'a bound connection sends it and is answered');
  t.notOk(w.closed);
});

t.test('connections that have not bound are limited per address', async (t) => {
  const { log, lines } = capturingLog();
  const { server } = await ldapFixture(t, { maxAnonymousPerAddress: 3, log });
  const open: Wire[] = [];
  t.teardown(() => open.forEach((w) => w.destroy()));
  for (let i = 0; i < 3; i++) {
    const w = await Wire.open(server.port);
    open.push(w);
    w.send(whoAmI(1)); // answered: the server has counted it
    t.equal((await w.result(1))?.code, Result.success, `unbound connection ${i + 1} is served`);
  }
  const fourth = await Wire.open(server.port);
  open.push(fourth);
  t.ok(await fourth.waitClosed(), 'a fourth from the same address is refused');
  t.equal(fourth.notice()?.code, Result.busy, 'with a notice (busy)');
  t.ok(
    lines.some((l) => l.level === 40 && /LDAP_MAX_ANONYMOUS_PER_ADDRESS/.test(l.msg)),
    'and a warning in the log',
  );

  open[0].send(bindRequest(2, 'jane.smith@nhs.net', passwords.jane));
  t.equal((await open[0].result(2))?.code, Result.success, 'one of the three binds');
  const next = await Wire.open(server.port);
  open.push(next);
  next.send(whoAmI(1));
  t.equal((await next.result(1))?.code, Result.success, 'so another may connect');
  t.notOk(next.closed);
});

t.test('the total number of connections is limited, with one warning for a burst of refusals', async (t) => {
  const { log, lines } = capturingLog();
  const { server } = await ldapFixture(t, { maxConnections: 4, log });
  const open: Wire[] = [];
  t.teardown(() => open.forEach((w) => w.destroy()));
  for (let i = 0; i < 4; i++) {
    const w = await bound(server.port);
    open.push(w);
  }
  const refused: Wire[] = [];
  for (let i = 0; i < 5; i++) refused.push(await Wire.open(server.port));
  open.push(...refused);
  for (const w of refused) {
    t.ok(await w.waitClosed(), 'refused');
    t.equal(w.notice()?.code, Result.busy, 'with a notice (busy)');
  }
  const warnings = lines.filter((l) => /LDAP_MAX_CONNECTIONS/.test(l.msg));
  t.equal(warnings.length, 1, 'one warning for the burst, not one per connection');
  t.match(warnings[0], { level: 40, limit: 4 });
  t.equal(server.connections(), 4, 'the admitted ones are still open');

  open[0].destroy();
  for (let i = 0; i < 100 && server.connections() > 3; i++) await sleep(100);
  const again = await bound(server.port);
  open.push(again);
  t.notOk(again.closed, 'once one closes, a new connection is admitted');
});

t.test('reassembly joins the chunks of a PDU once, not on every chunk', async (t) => {
  const pdu = searchRequest(7, { base: 'ou=People,o=nhs', filter: seq(0xa3, [str('cn'), str('y'.repeat(20_000))]) });
  const concat = Buffer.concat;
  let joins = 0;
  const counting = (list: readonly Uint8Array[], n?: number) => {
    joins++;
    return concat(list, n);
  };
  Buffer.concat = counting as typeof Buffer.concat;
  const got: Buffer[] = [];
  try {
    const a = new PduAssembler();
    for (let i = 0; i < pdu.length; i++) {
      a.push(pdu.subarray(i, i + 1));
      for (let p = a.next(1 << 20); p; p = a.next(1 << 20)) got.push(p);
    }
  } finally {
    Buffer.concat = concat;
  }
  t.same(got, [pdu], 'one PDU, byte for byte, from 20,000 one-byte chunks');
  t.ok(joins <= 6, `joined a handful of times (${joins}), not once a chunk`);

  const a = new PduAssembler();
  const two = concat([pdu, pdu, pdu.subarray(0, 3)]);
  a.push(two);
  const first = a.next(1 << 20)!;
  t.equal(first.buffer, two.buffer, 'a PDU within one chunk is a view of it, not a copy');
  t.same(a.next(1 << 20), pdu);
  t.equal(a.next(1 << 20), null, 'the partial third waits');
  t.equal(a.buffered, 3);
});

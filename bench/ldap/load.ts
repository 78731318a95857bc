// The LDAP load generator, the same for every server measured: C connections, each keeping D
// searches outstanding, for S seconds; reports searches per second and latency percentiles.
// Usage: tsx bench/ldap/load.ts HOST PORT CONNS DEPTH SECONDS FILTERKIND [BINDDN PASSWORD]
import net from 'node:net';
import { frameLength } from '../../src/ldap/ber.js';
import { bool, int, seq, str } from '../../src/ldap/ber.js';
import { prefixes } from './names.js';

const [host, portArg, connsArg, depthArg, secondsArg, kind, bindDn, bindPw] = process.argv.slice(2);
const port = Number(portArg),
  conns = Number(connsArg),
  depth = Number(depthArg),
  seconds = Number(secondsArg);

// Filters as the clients send them (RFC 4511 BER): Thunderbird's autocomplete and Outlook's lookup.
const sub = (attr: string, initial: string) => seq(0xa4, [str(attr), seq(0x30, [str(initial, 0x80)])]);
const present = (attr: string) => str(attr, 0x87);
const filters: Record<string, (x: string) => Buffer> = {
  thunderbird: (x) => seq(0xa1, [sub('cn', x), sub('mail', x), sub('sn', x)]),
  outlook: (x) =>
    seq(0xa0, [
      present('mail'),
      seq(0xa1, [sub('mail', x), seq(0xa1, [sub('cn', x), seq(0xa1, [sub('sn', x), sub('givenName', x)])])]),
    ]),
};
const attrs = seq(
  0x30,
  ['cn', 'mail', 'givenName', 'sn', 'telephoneNumber', 'title'].map((a) => str(a)),
);
const searchRequest = (id: number, x: string) =>
  seq(0x30, [
    int(id),
    seq(0x63, [str('o=nhs'), int(2, 0x0a), int(0, 0x0a), int(50), int(0), bool(false), filters[kind](x), attrs]),
  ]);

let done = 0,
  errors = 0,
  entries = 0;
const latencies: number[] = [];
let running = true;

async function connection(n: number) {
  const socket = net.connect({ host, port, noDelay: true });
  await new Promise((r) => socket.once('connect', r));
  let id = 1;
  const sentAt = new Map<number, bigint>();
  let buf = Buffer.alloc(0);
  let resolveBind: (() => void) | null = null;
  const send = () => {
    const x = prefixes[(n * 7919 + id * 104729) % prefixes.length];
    sentAt.set(id, process.hrtime.bigint());
    socket.write(searchRequest(id++, x));
  };
  socket.on('data', (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      const len = frameLength(buf, 1 << 30);
      if (len < 0) break;
      const frame = buf.subarray(0, len);
      buf = buf.subarray(len);
      // messageID, then the protocol op's tag
      const idLen = frame[frame[1] & 0x80 ? 2 + (frame[1] & 0x7f) + 1 : 3];
      const idOff = frame[1] & 0x80 ? 2 + (frame[1] & 0x7f) + 2 : 4;
      const msgId = frame.readUIntBE(idOff, idLen);
      const tag = frame[idOff + idLen];
      if (tag === 0x61) {
        resolveBind?.();
        continue;
      }
      if (tag === 0x64) {
        entries++;
        continue;
      }
      if (tag === 0x65) {
        const start = sentAt.get(msgId)!;
        sentAt.delete(msgId);
        latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
        // resultCode: 0 success or 4 sizeLimitExceeded are answers; anything else is an error.
        const body = frame.subarray(idOff + idLen);
        const rcOff = body[1] & 0x80 ? 2 + (body[1] & 0x7f) : 2;
        const code = body[rcOff + 2];
        if (code !== 0 && code !== 4) errors++;
        done++;
        if (running) send();
      }
    }
  });
  if (bindDn) {
    await new Promise<void>((r) => {
      resolveBind = r;
      socket.write(seq(0x30, [int(id++), seq(0x60, [int(3), str(bindDn), str(bindPw, 0x80)])]));
    });
  }
  for (let i = 0; i < depth; i++) send();
  return socket;
}

const sockets = await Promise.all(Array.from({ length: conns }, (_, i) => connection(i)));
const t0 = Date.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
running = false;
const elapsed = (Date.now() - t0) / 1000;
for (const s of sockets) s.destroy();
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
console.log(
  JSON.stringify({
    searches: done,
    perSecond: Math.round(done / elapsed),
    p50: +pct(50).toFixed(2),
    p99: +pct(99).toFixed(2),
    entriesPerSearch: +(entries / Math.max(1, done)).toFixed(1),
    errors,
  }),
);

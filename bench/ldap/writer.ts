// The writer of the mixed day: changes people's telephone numbers at a steady rate while the mail
// clients search. nhs-directory is written as its administrators write it, through REST (PATCH
// /api/v1/people/{uid} with the national administrator's token in BENCH_TOKEN); slapd through LDAP
// modify as its rootdn. Requests are sent on a fixed schedule whatever the answers (an open loop),
// so a slow server shows as latency and a shortfall in the achieved rate, never as a gentler load.
// --sync: say "ready" once connected, start at a line "go" on stdin. Prints one line of JSON.
import { readyThenGo } from '../proc.js';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Attribute, Change, Client } from 'ldapts';

const { values: o } = parseArgs({
  options: {
    target: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '10' },
    uids: { type: 'string' },
    sync: { type: 'boolean', default: false },
  },
});
const rate = Number(o.rate),
  seconds = Number(o.seconds);
const uids = (JSON.parse(readFileSync(o.uids!, 'utf8')) as { uids: string[] }).uids;
// Past this many writes unanswered, the next ones are counted as not sent (the rate is not met).
const MAX_OUTSTANDING = 64;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

let write: (uid: string, phone: string) => Promise<void>;
let close = async () => {};
if (o.target === 'rest') {
  const base = `http://${o.host}:${o.port}/api/v1/people/`;
  const headers = { authorization: `Bearer ${process.env.BENCH_TOKEN}`, 'content-type': 'application/json' };
  write = async (uid, phone) => {
    const res = await fetch(base + encodeURIComponent(uid), {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ telephone: phone }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${res.status} ${text.slice(0, 200)}`);
  };
} else if (o.target === 'ldap') {
  const client = new Client({ url: `ldap://${o.host}:${o.port}`, timeout: 30_000, connectTimeout: 5_000 });
  await client.bind('cn=admin,o=nhs', 'secret');
  write = (uid, phone) =>
    client.modify(
      `uid=${uid},ou=People,o=nhs`,
      new Change({ operation: 'replace', modification: new Attribute({ type: 'telephoneNumber', values: [phone] }) }),
    );
  close = () => client.unbind();
} else throw new Error('--target must be rest or ldap');

if (o.sync) await readyThenGo();

const latencies: number[] = [];
const firstFailures: string[] = [];
let outstanding = 0,
  notSent = 0,
  done = 0,
  failed = 0;
const inFlight = new Set<Promise<void>>();
const t0 = performance.now();
const total = Math.round(rate * seconds);
// Numbers new to each run: a run that set the numbers the last one set (its warm-up's, another
// server's on the same people) would change nothing, and a write that changes nothing is only a read.
const numbering = randomInt(1_000_000_000);
for (let k = 0; k < total; k++) {
  const due = t0 + (k * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await pause(wait);
  if (outstanding >= MAX_OUTSTANDING) {
    notSent++;
    continue;
  }
  const uid = uids[(k * 7919) % uids.length];
  const n = k + numbering;
  const phone = `0113 ${String(n % 1000).padStart(3, '0')} ${String((n * 37) % 10000).padStart(4, '0')}`;
  outstanding++;
  const start = performance.now();
  const p: Promise<void> = write(uid, phone)
    .then(
      () => {
        latencies.push(performance.now() - start);
        done++;
      },
      (err: Error) => {
        if (failed++ < 5) firstFailures.push(err.message);
      },
    )
    .finally(() => {
      outstanding--;
      inFlight.delete(p);
    });
  inFlight.add(p);
}
// The last writes may still be on their way: wait for them, a bounded while.
await Promise.race([Promise.all(inFlight), pause(30_000)]);
const elapsed = (performance.now() - t0) / 1000;
await close().catch(() => {});
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
console.log(
  JSON.stringify({
    target: o.target,
    asked: total,
    done,
    perSecond: +(done / elapsed).toFixed(1),
    p50: +pct(50).toFixed(1),
    p99: +pct(99).toFixed(1),
    failed,
    notSent,
    firstFailures,
  }),
);
process.exit(0);

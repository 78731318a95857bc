// The load generator for binds and for a real day's searches (bench/ldap/run.ts starts it, one
// process per load, the same for every server measured). Modes:
//   bind          C connections, each binding again and again with the right password (people
//                 from the warm pool); --once: each of them once, then stop (the warm-up)
//   first-bind    the same, each bind a person not bound before (--skip the first N of them)
//   connect-bind  C workers, each opening a new TCP connection for every bind: connect, bind, unbind
//   flood         C connections binding as names that do not exist, with wrong passwords, as fast
//                 as they are answered (reconnecting if the server closes them)
//   search        C connections x D searches outstanding: --mix thunderbird, outlook, or day (the
//                 two, and exact addresses, from the sampled names); --bound binds each connection
//                 first as a pool person (as a mail client does)
// --from: the local address to connect from (127.0.0.2… : a client the server sees as another address).
// --sync: say "ready" once connected (and bound), and start measuring at a line "go" on stdin.
// Prints one line of JSON: operations, per second, p50 and p99 ms, result codes, transport errors.
import { readyThenGo } from '../proc.js';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { filters, LdapConnection, type Answer } from './wire.js';

const { values: o } = parseArgs({
  options: {
    mode: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    from: { type: 'string' },
    port: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    conns: { type: 'string', default: '8' },
    depth: { type: 'string', default: '1' },
    queries: { type: 'string' },
    people: { type: 'string' },
    mix: { type: 'string', default: 'day' },
    bound: { type: 'boolean', default: false },
    once: { type: 'boolean', default: false },
    sync: { type: 'boolean', default: false },
    skip: { type: 'string', default: '0' },
  },
});
const host = o.host!,
  port = Number(o.port),
  seconds = Number(o.seconds);
const conns = Number(o.conns),
  depth = Number(o.depth);
// Bench people: their DNs and the one password they share (bench/ldap/seed.ts).
const read = <T>(file?: string) => (file ? (JSON.parse(readFileSync(file, 'utf8')) as T) : null);
const people = read<{ pool: string[]; fresh: string[]; password: string }>(o.people);
const queries = read<{ prefixes: string[]; addresses: string[] }>(o.queries);
// A bound on operations as well as on time: no loop here runs unbounded whatever the server does.
const MAX_OPS = 20_000_000;

const latencies: number[] = [];
const codes: Record<string, number> = {};
let errors = 0,
  entries = 0,
  reconnects = 0;
let measuring = false,
  deadline = 0;
const live = () => measuring && Date.now() < deadline && latencies.length < MAX_OPS;
const record = (a: Answer) => {
  latencies.push(a.ms);
  codes[a.code] = (codes[a.code] ?? 0) + 1;
  entries += a.entries;
};
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** xorshift32: the same sequence of searches for every server measured. */
function random(seed: number) {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** The next search a mail-client user makes: mostly names as they are typed, sometimes a whole address. */
function nextFilter(rnd: () => number): Buffer {
  const q = queries!;
  const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)];
  if (o.mix === 'thunderbird') return filters.thunderbird(pick(q.prefixes));
  if (o.mix === 'outlook') return filters.outlook(pick(q.prefixes));
  const r = rnd();
  if (r < 0.4) return filters.thunderbird(pick(q.prefixes));
  return r < 0.8 ? filters.outlook(pick(q.prefixes)) : filters.address(pick(q.addresses));
}

const open = () => LdapConnection.open(host, port, undefined, o.from);
const mine = (list: string[], i: number) => {
  const share = list.filter((_, j) => j % conns === i);
  return share.length ? share : [list[i % list.length]];
};

/** Set-up, which may take its time (connecting, the warm pool's first binds), then the measured part. */
type Load = { setup: () => Promise<void>; run: () => Promise<void> };

function repeatedBinds(): Load {
  const cs: LdapConnection[] = [];
  return {
    setup: async () => {
      for (let i = 0; i < conns; i++) cs.push(await open());
    },
    run: async () => {
      await Promise.all(
        cs.map(async (c, i) => {
          const dns = mine(people!.pool, i);
          for (let k = 0; live() && (!o.once || k < dns.length); k++) {
            try {
              record(await c.bind(dns[k % dns.length], people!.password));
            } catch {
              errors++;
              break;
            }
          }
        }),
      );
      for (const c of cs) c.destroy();
    },
  };
}

function firstBinds(): Load {
  const cs: LdapConnection[] = [];
  let next = Number(o.skip);
  return {
    setup: async () => {
      for (let i = 0; i < conns; i++) cs.push(await open());
    },
    run: async () => {
      await Promise.all(
        cs.map(async (c) => {
          while (live() && next < people!.fresh.length) {
            try {
              record(await c.bind(people!.fresh[next++], people!.password));
            } catch {
              errors++;
              break;
            }
          }
        }),
      );
      for (const c of cs) c.destroy();
    },
  };
}

function connectBinds(): Load {
  return {
    setup: async () => {},
    run: async () => {
      await Promise.all(
        Array.from({ length: conns }, async (_, i) => {
          const dns = mine(people!.pool, i);
          for (let k = 0; live(); k++) {
            const t0 = process.hrtime.bigint();
            let c: LdapConnection | null = null;
            try {
              c = await open();
              const a = await c.bind(dns[k % dns.length], people!.password);
              // The time a user waits: connecting and binding, not the unbind after.
              record({ ...a, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
              await c.unbind();
            } catch {
              errors++;
              c?.destroy();
              await pause(10); // refused or reset: do not spin
            }
          }
        }),
      );
    },
  };
}

function flood(): Load {
  const cs: (LdapConnection | null)[] = [];
  let n = 0;
  return {
    setup: async () => {
      for (let i = 0; i < conns; i++) cs.push(await open());
    },
    run: async () => {
      await Promise.all(
        cs.map(async (_, i) => {
          while (live()) {
            try {
              if (!cs[i] || cs[i]!.closed) {
                cs[i] = await open();
                reconnects++;
              }
              const k = n++;
              // Names nobody has, each different: nothing for a per-name limit or a lockout to catch.
              record(await cs[i]!.bind(`uid=nobody.${process.pid}.${k},ou=People,o=nhs`, `wrong-${k}`));
            } catch {
              errors++;
              await pause(10);
            }
          }
        }),
      );
      for (const c of cs) c?.destroy();
    },
  };
}

function searches(): Load {
  const cs: LdapConnection[] = [];
  let bindFailures = 0;
  return {
    setup: async () => {
      for (let i = 0; i < conns; i++) {
        const c = await open();
        if (o.bound) {
          const a = await c.bind(mine(people!.pool, i)[0], people!.password);
          if (a.code !== 0) bindFailures++;
        }
        cs.push(c);
      }
      if (bindFailures) console.error(`clients: ${bindFailures} of ${conns} connections failed to bind`);
    },
    run: async () => {
      await Promise.all(
        cs.flatMap((c, i) =>
          Array.from({ length: depth }, async (_, d) => {
            const rnd = random(1 + i * 64 + d);
            while (live()) {
              try {
                record(await c.search(nextFilter(rnd)));
              } catch {
                errors++;
                break;
              }
            }
          }),
        ),
      );
      for (const c of cs) c.destroy();
    },
  };
}

const loads: Record<string, () => Load> = {
  bind: repeatedBinds,
  'first-bind': firstBinds,
  'connect-bind': connectBinds,
  flood,
  search: searches,
};
const load = loads[o.mode ?? '']?.();
if (!load) throw new Error(`--mode must be one of ${Object.keys(loads).join(', ')}`);

await load.setup();
if (o.sync) await readyThenGo();
measuring = true;
const t0 = Date.now();
deadline = t0 + seconds * 1000;
await load.run();
const elapsed = Math.min(Date.now(), deadline) - t0;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
const answered = latencies.length;
console.log(
  JSON.stringify({
    mode: o.mode,
    ops: answered,
    perSecond: Math.round(answered / Math.max(0.001, elapsed / 1000)),
    p50: +pct(50).toFixed(2),
    p99: +pct(99).toFixed(2),
    codes,
    errors,
    reconnects,
    entriesPerOp: +(entries / Math.max(1, answered)).toFixed(1),
    ...(o.mode === 'first-bind' ? { exhausted: Number(o.skip) + answered + errors >= people!.fresh.length } : {}),
  }),
);
process.exit(0);

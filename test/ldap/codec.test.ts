// The BER codec against messages made by another implementation (ldapts's encoders), and a
// bounded fuzz: random and mutated PDUs may only ever raise BerError; then a bounded fuzz of a
// running server with forged controls and slowly trickled PDUs.
import {
  AbandonRequest,
  BindRequest,
  ExtendedRequest,
  FilterParser,
  PagedResultsControl,
  SearchRequest,
  ServerSideSortingRequestControl,
  UnbindRequest,
} from 'ldapts';
import t from 'tap';
import { BerError, BerReader, BerWriter, frameLength, int, str, seq } from '../../src/ldap/ber.js';
import { Selection } from '../../src/ldap/mapping.js';
import { decodeMessage, Result, type LdapFilter } from '../../src/ldap/protocol.js';
import { ldapFixture, passwords } from '../helpers/ldap.js';
import {
  bindRequest,
  capturingLog,
  cookieOf,
  pagedControl,
  present,
  searchRequest,
  sortControl,
  vlvControl,
  Wire,
} from './wire.js';

const search = (filter: string, extra: Partial<ConstructorParameters<typeof SearchRequest>[0]> = {}) =>
  decodeMessage(
    new SearchRequest({
      messageId: 7,
      baseDN: 'o=nhs',
      scope: 'sub',
      filter: FilterParser.parseString(filter),
      attributes: ['cn', 'mail'],
      sizeLimit: 100,
      timeLimit: 60,
      ...extra,
    }).write(),
  );

t.test('search requests and every filter type, as ldapts encodes them', async (t) => {
  const m = search(
    '(&(cn=Jane*)(!(sn=Müller))(|(mail=*smi*th)(telephoneNumber>=0113)(title<=Z)(o~=Alpha)(objectClass=*)))',
  );
  t.equal(m.id, 7);
  t.match(m.request, {
    op: 'search',
    base: 'o=nhs',
    scope: 2,
    sizeLimit: 100,
    timeLimit: 60,
    typesOnly: false,
    attributes: ['cn', 'mail'],
  });
  const f = (m.request as { filter: LdapFilter }).filter;
  t.same(f, {
    type: 'and',
    filters: [
      { type: 'sub', attr: 'cn', initial: 'Jane', any: [] },
      { type: 'not', filter: { type: 'eq', attr: 'sn', value: 'Müller' } },
      {
        type: 'or',
        filters: [
          { type: 'sub', attr: 'mail', any: ['smi'], final: 'th' },
          { type: 'ge', attr: 'telephoneNumber', value: '0113' },
          { type: 'le', attr: 'title', value: 'Z' },
          { type: 'approx', attr: 'o', value: 'Alpha' },
          { type: 'present', attr: 'objectClass' },
        ],
      },
    ],
  });
  // RFC 4515 escapes arrive unescaped (\28 is "("); escaped UTF-8 is checked with ldapsearch.
  t.same((search('(cn=a\\28b)').request as { filter: LdapFilter }).filter, { type: 'eq', attr: 'cn', value: 'a(b' });
  t.same(search('(objectClass=*)', { scope: 'base', returnAttributeValues: false }).request, {
    op: 'search',
    base: 'o=nhs',
    scope: 0,
    sizeLimit: 100,
    timeLimit: 60,
    typesOnly: true,
    filter: { type: 'present', attr: 'objectClass' },
    attributes: ['cn', 'mail'],
  });
});

t.test('bind, extended, abandon, unbind and controls', async (t) => {
  t.same(
    decodeMessage(new BindRequest({ messageId: 1, dn: 'uid=jane.smith,ou=People,o=nhs', password: 'sécret' }).write())
      .request,
    { op: 'bind', version: 3, name: 'uid=jane.smith,ou=People,o=nhs', simple: 'sécret' },
  );
  t.same(decodeMessage(new ExtendedRequest({ messageId: 2, oid: '1.3.6.1.4.1.4203.1.11.3' }).write()).request, {
    op: 'extended',
    name: '1.3.6.1.4.1.4203.1.11.3',
    value: undefined,
  });
  t.same(decodeMessage(new AbandonRequest({ messageId: 3, abandonId: 300 }).write()).request, {
    op: 'abandon',
    target: 300,
  });
  t.same(decodeMessage(new UnbindRequest({ messageId: 4 }).write()).request, { op: 'unbind' });
  const withControls = decodeMessage(
    new SearchRequest({
      messageId: 5,
      baseDN: 'o=nhs',
      filter: FilterParser.parseString('(cn=*)'),
      controls: [
        new PagedResultsControl({ value: { size: 25, cookie: Buffer.from('abc') } }),
        new ServerSideSortingRequestControl({ critical: true, value: [{ attributeType: 'cn', reverseOrder: true }] }),
      ],
    }).write(),
  );
  t.same(
    withControls.controls.map((c) => [c.oid, c.critical]),
    [
      ['1.2.840.113556.1.4.319', false],
      ['1.2.840.113556.1.4.473', true],
    ],
  );
  const paged = new BerReader(withControls.controls[0].value!).read(0x30).body;
  t.same([paged.int(), paged.string()], [25, 'abc']);
});

t.test('requests as ldapjs encodes them', async (t) => {
  const ldapjs = (await import('@ldapjs/messages')).default as unknown as Record<
    string,
    new (o: object) => { toBer(): { buffer: Buffer } }
  >;
  const { parseString } = (await import('@ldapjs/filter')).default as unknown as { parseString(s: string): unknown };
  const searchBytes = new ldapjs.SearchRequest({
    messageId: 4,
    baseObject: 'o=nhs',
    scope: 'subtree',
    filter: parseString('(|(cn=jane*)(sn=Müller)(!(title=*)))'),
    attributes: ['cn'],
    sizeLimit: 10,
  }).toBer().buffer;
  t.same(decodeMessage(searchBytes), {
    id: 4,
    controls: [],
    request: {
      op: 'search',
      base: 'o=nhs',
      scope: 2,
      sizeLimit: 10,
      timeLimit: 0,
      typesOnly: false,
      attributes: ['cn'],
      filter: {
        type: 'or',
        filters: [
          { type: 'sub', attr: 'cn', initial: 'jane', any: [] },
          { type: 'eq', attr: 'sn', value: 'Müller' },
          { type: 'not', filter: { type: 'present', attr: 'title' } },
        ],
      },
    },
  });
  t.same(
    decodeMessage(
      new ldapjs.BindRequest({ messageId: 2, name: 'uid=a,ou=People,o=nhs', credentials: 'pw' }).toBer().buffer,
    ).request,
    { op: 'bind', version: 3, name: 'uid=a,ou=People,o=nhs', simple: 'pw' },
  );
});

t.test('integers round-trip, negative ones too', async (t) => {
  for (const n of [0, 1, 127, 128, 255, 256, 65535, 2 ** 31 - 1, -1, -128, -129, -65536]) {
    t.equal(new BerReader(int(n)).int(), n, String(n));
    const written = new BerWriter().int(n).take();
    t.same(written, int(n), `${n}: the writer's bytes are the encoder's`);
  }
});

t.test('what we encode, ldapts can read back', async (t) => {
  const { MessageParser } = await import('ldapts');
  const w = new BerWriter();
  const long = 'x'.repeat(300); // lengths over 127 and 255 take the long form
  new Selection(['cn', 'mail', 'description'], false).writeEntry(w, 9, {
    dn: 'uid=jane.smith,ou=People,o=nhs',
    attrs: [
      ['cn', ['Jane Smith']],
      ['sn', ['Smith']],
      ['mail', ['jane.smith@nhs.net']],
      ['description', [long]],
    ],
  });
  const bytes = w.take();
  const parser = new MessageParser();
  const got = await new Promise<{ messageId: number; name: string; attributes: { type: string; values: string[] }[] }>(
    (resolve, reject) => {
      parser.on('message', (m) => resolve(m as never));
      parser.on('error', reject);
      parser.read(
        bytes,
        new Map([['9', { message: new SearchRequest({ messageId: 9, filter: FilterParser.parseString('(cn=*)') }) }]]),
      );
    },
  );
  t.equal(got.messageId, 9);
  t.equal(got.name, 'uid=jane.smith,ou=People,o=nhs');
  t.same(
    got.attributes.map((a) => [a.type, a.values]),
    [
      ['cn', ['Jane Smith']],
      ['mail', ['jane.smith@nhs.net']],
      ['description', [long]],
    ],
    'only what was asked for',
  );
});

t.test("a cached row's encodings: each attribute list gets its own attributes, however many lists", async (t) => {
  const row = {};
  const entry = {
    dn: 'uid=jane.smith,ou=People,o=nhs',
    row,
    attrs: [
      ['cn', ['Jane Smith']],
      ['sn', ['Smith']],
      ['mail', ['jane.smith@nhs.net']],
      ['title', ['Nurse']],
    ] as [string, string[]][],
  };
  const lists = [
    ['cn'],
    ['mail'],
    ['cn', 'mail'],
    ['sn'],
    ['title'],
    ['sn', 'title'],
    ['x-unknown'],
    ['cn', 'x-unknown'],
    ['cn'],
  ];
  for (const round of [1, 2]) {
    for (const list of lists) {
      const w = new BerWriter();
      new Selection(list, false).writeEntry(w, 1, entry);
      const attrs = new BerReader(w.take()).read(0x30).body;
      attrs.int();
      const body = attrs.read(0x64).body;
      body.string();
      const names: string[] = [];
      for (const list = body.read(0x30).body; !list.done;) names.push(list.read(0x30).body.string());
      t.same(
        names,
        entry.attrs.map(([n]) => n).filter((n) => list.includes(n)),
        `round ${round}: ${list.join(' ')}`,
      );
    }
  }
});

t.test('framing: partial input waits, oversized and impossible input is refused', async (t) => {
  const full = new BindRequest({ messageId: 1, dn: 'x', password: 'y' }).write();
  t.equal(frameLength(full.subarray(0, 3), 1 << 20), -1, 'incomplete: wait for more');
  t.equal(frameLength(full, 1 << 20), full.length);
  t.throws(
    () => frameLength(Buffer.from([0x30, 0x84, 0x00, 0x20, 0x00, 0x00]), 1 << 20),
    /over the limit/,
    'a 2 MiB header is refused before 2 MiB arrive',
  );
  t.throws(() => frameLength(Buffer.from([0x04, 0x00]), 1 << 20), /SEQUENCE/, 'not a SEQUENCE');
  t.throws(() => frameLength(Buffer.from([0x30, 0x80]), 1 << 20), /bad length/, 'indefinite length');
  t.throws(() => decodeMessage(seq(0x30, [int(1), seq(0x63, [str('o=nhs')])])), /unexpected end/, 'a truncated search');
  let deep: Buffer = Buffer.from([0x87, 0x02, 0x63, 0x6e]); // (cn=*)
  for (let i = 0; i < 100; i++) deep = seq(0xa2, [deep]);
  const deepSearch = seq(0x30, [
    int(1),
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
  t.throws(() => decodeMessage(deepSearch), /nested deeper/, 'a filter nested 100 deep');
});

t.test('fuzz: random and mutated PDUs raise BerError and nothing else', async (t) => {
  // Seeded, so a failure can be replayed; bounded to a couple of seconds for CI.
  const rnd = seeded(20261122);
  const samples = [
    new SearchRequest({
      messageId: 1,
      baseDN: 'o=nhs',
      filter: FilterParser.parseString('(&(cn=a*b*c)(|(mail=x)(!(sn>=y))))'),
      attributes: ['cn'],
      controls: [new PagedResultsControl({ value: { size: 5 } })],
    }).write(),
    new BindRequest({ messageId: 2, dn: 'uid=a,ou=People,o=nhs', password: 'p' }).write(),
    new ExtendedRequest({
      messageId: 3,
      oid: '1.3.6.1.4.1.4203.1.11.1',
      value: Buffer.from([0x30, 0x03, 0x82, 0x01, 0x61]),
    }).write(),
  ];
  const deadline = Date.now() + 2000;
  let runs = 0,
    unexpected: unknown = null;
  while (Date.now() < deadline && !unexpected) {
    const base = samples[runs % samples.length];
    let input: Buffer;
    if (runs % 4 === 0) {
      input = Buffer.from(Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)));
    } else {
      input = Buffer.from(base);
      for (let k = 0; k < 1 + rnd() * 4; k++) input[Math.floor(rnd() * input.length)] = Math.floor(rnd() * 256);
      if (rnd() < 0.3) input = input.subarray(0, Math.floor(rnd() * input.length));
    }
    try {
      const n = frameLength(input, 1 << 20);
      if (n > 0) decodeMessage(input.subarray(0, n));
    } catch (err) {
      if (!(err instanceof BerError)) unexpected = { err, input: input.toString('hex') };
    }
    runs++;
  }
  t.equal(unexpected, null, `${runs} inputs`);
  t.ok(runs > 1000);
});

t.test('fuzz over a running server: forged controls, and PDUs trickled in pieces or never finished', async (t) => {
  // Seeded and bounded, like the codec fuzz above. What may happen: a result code, or (for a control
  // value that is not BER) a notice of disconnection; never an error in the log, a hang, or a
  // connection left behind.
  const rnd = seeded(20261202);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const anyInt = () => pick([-1, -(2 ** 31), 0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 40, Math.floor((rnd() - 0.5) * 2 ** 33)]);
  const captured = capturingLog();
  const { server } = await ldapFixture(t, { pduSeconds: 10, log: captured.log });
  const connect = async () => {
    const w = await Wire.open(server.port);
    w.send(bindRequest(1, 'jane.smith@nhs.net', passwords.jane));
    await w.result(1);
    return w;
  };
  let w = await connect();
  const first = seqSearch(2, [pagedControl(2)]);
  w.send(first);
  const valid = cookieOf(await w.result(2)) ?? Buffer.alloc(0);

  const forgedCookie = (): Buffer => {
    const kind = Math.floor(rnd() * 4);
    if (kind === 0) return Buffer.from(JSON.stringify({ s: pick([-1, 1.5, 1e300, 'x', null, 2 ** 53]), id: anyInt() }));
    if (kind === 1) return Buffer.from(Array.from({ length: Math.floor(rnd() * 80) }, () => Math.floor(rnd() * 256)));
    const c = Buffer.from(valid);
    for (let k = 0; k < 1 + rnd() * 3; k++) c[Math.floor(rnd() * c.length)] ^= 1 + Math.floor(rnd() * 255);
    return kind === 2 ? c : c.subarray(0, Math.floor(rnd() * c.length));
  };
  let results = 0,
    notices = 0;
  for (let i = 0; i < 150; i++) {
    const id = 100 + i;
    const controls =
      rnd() < 0.5
        ? [pagedControl(anyInt(), forgedCookie())]
        : [sortControl(pick(['cn', 'sn', 'mail'])), vlvControl(anyInt(), anyInt(), anyInt(), anyInt())];
    if (rnd() < 0.15) {
      const v = Buffer.from(controls[controls.length - 1].value);
      v[Math.floor(rnd() * v.length)] = Math.floor(rnd() * 256); // not always BER any more
      controls[controls.length - 1] = { ...controls[controls.length - 1], value: v };
    }
    w.send(seqSearch(id, controls));
    const r = await w.result(id);
    if (r?.id === id) {
      results++;
      continue;
    }
    t.ok(r && r.id === 0 && r.code === Result.protocolError, `input ${i}: a result, or a notice for bad BER`);
    notices++;
    w.destroy();
    w = await connect();
  }
  w.destroy();
  t.ok(results > 100, `${results} answered with a result code, ${notices} notices`);

  // Slowloris-style: valid requests in random pieces at random small gaps (well within the 10 s
  // deadline even on a loaded machine), a third never finished but begun (the deadline runs from a
  // PDU's first byte; a silent connection is the idle timer's). Each connection has its own seed:
  // the twelve run at once, so one shared sequence would be drawn in a different order each run.
  const trickled = await Promise.all(
    Array.from({ length: 12 }, async (_, k) => {
      const rnd = seeded(20261203 + k);
      const c = await connect();
      const req = seqSearch(5, [pagedControl(2)]);
      const stop = k % 3 === 0 ? 1 + Math.floor(rnd() * (req.length - 1)) : req.length;
      for (let at = 0; at < stop;) {
        const n = Math.min(stop - at, 1 + Math.floor(rnd() * 8));
        c.send(req.subarray(at, at + n));
        at += n;
        await new Promise((r) => setTimeout(r, Math.floor(rnd() * 10)));
      }
      const r = await c.result(5);
      const ok = stop === req.length ? r?.id === 5 && r.code === 0 : r?.id === 0 && (await c.waitClosed());
      c.destroy();
      return ok;
    }),
  );
  t.same(
    trickled,
    trickled.map(() => true),
    'finished ones answered; unfinished ones cut off at the deadline',
  );
  for (let i = 0; i < 100 && server.connections() > 0; i++) await new Promise((r) => setTimeout(r, 100));
  t.equal(server.connections(), 0, 'no connection left behind');
  t.same(captured.errors(), [], 'nothing at error level in the log');
});

// A small seeded generator, so that a failing fuzz input can be replayed.
function seeded(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

function seqSearch(id: number, controls: { oid: string; value: Buffer }[]) {
  const filter = present('mail');
  return searchRequest(id, { base: 'ou=People,o=nhs', scope: 1, filter, attributes: ['uid'], controls });
}

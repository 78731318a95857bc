// A raw LDAP connection for tests that need to see exactly what the server sends (notices of
// disconnection, result codes, controls) and to send what no polite client would.
import { once } from 'node:events';
import net from 'node:net';
import pino from 'pino';
import { BerReader, bool, int, PduAssembler, seq, str, tlv } from '../../src/ldap/ber.js';
import { OID } from '../../src/ldap/protocol.js';

export const NOTICE_OID = OID.noticeOfDisconnection;

export interface Reply {
  id: number;
  /** The protocolOp's tag: 0x61 bind, 0x64 entry, 0x65 search done, 0x78 extended. */
  tag: number;
  code?: number;
  diagnostic?: string;
  /** An extended response's name (the notice of disconnection has its OID here). */
  name?: string;
  value?: Buffer;
  controls: { oid: string; value?: Buffer }[];
}

function parseReply(pdu: Buffer): Reply {
  const msg = new BerReader(pdu).read(0x30).body;
  const id = msg.int();
  const { tag, body } = msg.read();
  const reply: Reply = { id, tag, controls: [] };
  if (tag !== 0x64) {
    reply.code = body.enumerated();
    body.string();
    reply.diagnostic = body.string();
    while (!body.done) {
      const t = body.peekTag();
      if (t === 0x8a) reply.name = body.string(0x8a);
      else if (t === 0x8b) reply.value = body.bytes(0x8b);
      else body.read();
    }
  }
  if (!msg.done && msg.peekTag() === 0xa0) {
    const list = msg.read(0xa0).body;
    while (!list.done) {
      const c = list.read(0x30).body;
      const oid = c.string();
      if (!c.done && c.peekTag() === 0x01) c.bool();
      reply.controls.push({ oid, value: c.done ? undefined : c.bytes(0x04) });
    }
  }
  return reply;
}

export class Wire {
  readonly replies: Reply[] = [];
  closed = false;
  private readonly pdus = new PduAssembler();
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.pdus.push(d);
      for (let p = this.pdus.next(1 << 24); p; p = this.pdus.next(1 << 24)) this.replies.push(parseReply(p));
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static async open(port: number): Promise<Wire> {
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new Wire(socket);
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(bytes: Buffer) {
    this.socket.write(bytes);
  }

  /** Waits (generously: the machine may be loaded) until `done` holds, or the time is up. */
  async until(done: () => boolean, ms = 20_000): Promise<boolean> {
    const end = Date.now() + ms;
    while (!done()) {
      const left = end - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((r) => {
        const timer = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
    return true;
  }

  /** The final reply to message `id` (entries before it are in `entriesOf`), or the notice, or null if closed. */
  async result(id: number): Promise<Reply | null> {
    const found = () => this.replies.find((r) => (r.id === id && r.tag !== 0x64) || this.isNotice(r));
    await this.until(() => Boolean(found()) || this.closed);
    return found() ?? null;
  }

  entriesOf(id: number): Reply[] {
    return this.replies.filter((r) => r.id === id && r.tag === 0x64);
  }

  notice(): Reply | undefined {
    return this.replies.find((r) => this.isNotice(r));
  }

  private isNotice(r: Reply) {
    return r.id === 0 && r.name === NOTICE_OID;
  }

  async waitClosed(ms = 20_000): Promise<boolean> {
    return this.until(() => this.closed, ms);
  }

  destroy() {
    this.socket.destroy();
  }
}

// ---- requests, encoded by hand so that tests can send values no client library would ----

export const bindRequest = (id: number, name: string, password: string) =>
  seq(0x30, [int(id), seq(0x60, [int(3), str(name), str(password, 0x80)])]);

export interface SearchOptions {
  base?: string;
  scope?: 0 | 1 | 2;
  /** A BER-encoded filter; (objectClass=*) by default. */
  filter?: Buffer;
  attributes?: string[];
  controls?: { oid: string; critical?: boolean; value?: Buffer }[];
}

export const present = (attr: string) => tlv(0x87, Buffer.from(attr));
export const equality = (attr: string, value: string) => seq(0xa3, [str(attr), str(value)]);

export function searchRequest(id: number, o: SearchOptions = {}): Buffer {
  const op = seq(0x63, [
    str(o.base ?? 'o=nhs'),
    int(o.scope ?? 2, 0x0a),
    int(0, 0x0a),
    int(0),
    int(0),
    bool(false),
    o.filter ?? present('objectClass'),
    seq(
      0x30,
      (o.attributes ?? ['1.1']).map((a) => str(a)),
    ),
  ]);
  const control = (c: { oid: string; critical?: boolean; value?: Buffer }) =>
    seq(0x30, [str(c.oid), ...(c.critical ? [bool(true)] : []), ...(c.value ? [str(c.value)] : [])]);
  const controls = o.controls?.length ? [seq(0xa0, o.controls.map(control))] : [];
  return seq(0x30, [int(id), op, ...controls]);
}

export const extendedRequest = (id: number, oid: string, value?: Buffer) =>
  seq(0x30, [int(id), seq(0x77, [str(oid, 0x80), ...(value ? [tlv(0x81, value)] : [])])]);

/** RFC 3062: userIdentity [0], oldPasswd [1], newPasswd [2], each optional. */
export function passwordModify(id: number, p: { target?: string; old?: string; new?: string }) {
  const parts = [p.target && str(p.target, 0x80), p.old && str(p.old, 0x81), p.new && str(p.new, 0x82)].filter(
    Boolean,
  ) as Buffer[];
  return extendedRequest(id, OID.passwordModify, seq(0x30, parts));
}

export const whoAmI = (id: number) => extendedRequest(id, OID.whoAmI);

export const pagedControl = (size: number, cookie: Buffer = Buffer.alloc(0)) => ({
  oid: OID.paged,
  value: seq(0x30, [int(size), str(cookie)]),
});

export const sortControl = (attr: string) => ({ oid: OID.sort, value: seq(0x30, [seq(0x30, [str(attr)])]) });

export const vlvControl = (before: number, after: number, offset: number, count: number) => ({
  oid: OID.vlv,
  value: seq(0x30, [int(before), int(after), seq(0xa0, [int(offset), int(count)])]),
});

/** The cookie in a paged-results response control, or null when there is none. */
export function cookieOf(reply: Reply | null): Buffer | null {
  const c = reply?.controls.find((x) => x.oid === OID.paged);
  if (!c?.value) return null;
  const r = new BerReader(c.value).read(0x30).body;
  r.int();
  return r.bytes(0x04);
}

/** A logger that keeps what it is given (warn and above), for tests that check what was logged. */
export function capturingLog() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const log = pino(
    { level: 'warn' },
    {
      write: (s: string) => {
        lines.push(JSON.parse(s));
      },
    },
  );
  return { log, lines, errors: () => lines.filter((l) => l.level >= 50) };
}

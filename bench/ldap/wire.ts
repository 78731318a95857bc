// A bare LDAP client for the load generators (bench/ldap/clients.ts): requests written as BER by
// hand and answers matched to requests by message ID, decoding only what a measurement counts, so
// that the generator costs the shared cores as little as it can and is the same for every server.
import net from 'node:net';
import { BerReader, bool, frameLength, int, seq, str } from '../../src/ldap/ber.js';

export interface Answer {
  code: number;
  entries: number;
  ms: number;
}

/** Every request is answered or failed within this long, so no loop waits for ever. */
const REQUEST_MS = 30_000;

const sub = (attr: string, initial: string) => seq(0xa4, [str(attr), seq(0x30, [str(initial, 0x80)])]);
const present = (attr: string) => str(attr, 0x87);

/** Filters as mail clients send them (RFC 4511 BER). */
export const filters = {
  /** Thunderbird's autocomplete. */
  thunderbird: (x: string) => seq(0xa1, [sub('cn', x), sub('mail', x), sub('sn', x)]),
  /** Outlook's lookup as the name is typed. */
  outlook: (x: string) =>
    seq(0xa0, [
      present('mail'),
      seq(0xa1, [sub('mail', x), seq(0xa1, [sub('cn', x), seq(0xa1, [sub('sn', x), sub('givenName', x)])])]),
    ]),
  /** Resolving an address the user typed whole, when the mail is sent. */
  address: (a: string) => seq(0xa3, [str('mail'), str(a)]),
};

const attrs = seq(
  0x30,
  ['cn', 'mail', 'givenName', 'sn', 'telephoneNumber', 'title'].map((a) => str(a)),
);

interface Waiting {
  start: bigint;
  entries: number;
  resolve: (a: Answer) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class LdapConnection {
  private buf: Buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  closed = false;
  private readonly ended: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => {
      /* reported as 'close' */
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.values()) {
        clearTimeout(w.timer);
        w.reject(new Error('connection closed'));
      }
      this.waiting.clear();
    });
  }

  /** `from`: the local address to connect from (another loopback address is another client to the server). */
  static open(host: string, port: number, timeoutMs = 5_000, from?: string): Promise<LdapConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port, noDelay: true, localAddress: from });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('connect timed out'));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new LdapConnection(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  private receive(chunk: Buffer) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const len = frameLength(this.buf, 1 << 30);
      if (len < 0) break;
      const frame = new BerReader(this.buf.subarray(0, len)).read(0x30).body;
      this.buf = this.buf.subarray(len);
      const id = frame.int();
      const op = frame.read();
      if (id === 0) {
        this.socket.destroy();
        return;
      } // a notice of disconnection: the server is ending it
      const w = this.waiting.get(id);
      if (!w) continue;
      if (op.tag === 0x64) {
        w.entries++;
        continue;
      } // searchResEntry
      if (op.tag === 0x73) continue; // searchResRef
      this.waiting.delete(id);
      clearTimeout(w.timer);
      const ms = Number(process.hrtime.bigint() - w.start) / 1e6;
      w.resolve({ code: op.body.enumerated(), entries: w.entries, ms });
    }
  }

  private request(op: Buffer): Promise<Answer> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error('timed out'));
      }, REQUEST_MS);
      this.waiting.set(id, { start: process.hrtime.bigint(), entries: 0, resolve, reject, timer });
      this.socket.write(seq(0x30, [int(id), op]));
    });
  }

  bind(dn: string, password: string): Promise<Answer> {
    return this.request(seq(0x60, [int(3), str(dn), str(password, 0x80)]));
  }

  /** Subtree from o=nhs, at most 50 entries, the six attributes an address book shows. */
  search(filter: Buffer): Promise<Answer> {
    return this.request(
      seq(0x63, [str('o=nhs'), int(2, 0x0a), int(0, 0x0a), int(50), int(0), bool(false), filter, attrs]),
    );
  }

  /** Unbind, and wait (a little) for the server to close, as RFC 4511 has it: the wait on the server. */
  async unbind(): Promise<void> {
    if (this.closed) return;
    this.socket.write(seq(0x30, [int(this.nextId++), Buffer.from([0x42, 0x00])]));
    const timer = setTimeout(() => this.socket.destroy(), 1_000);
    await this.ended;
    clearTimeout(timer);
  }

  destroy() {
    this.socket.destroy();
  }
}

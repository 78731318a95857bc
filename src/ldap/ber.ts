// A small BER codec for the LDAP messages we serve (RFC 4511 section 5.1: definite lengths only,
// X.690 basic encoding). The reader never trusts a length: every read is bounds-checked and a
// malformed input throws BerError, which the transport answers with a notice of disconnection.

export class BerError extends Error {}

export class BerReader {
  constructor(
    private readonly buf: Buffer,
    public offset = 0,
    private readonly end = buf.length,
  ) {}

  get done(): boolean {
    return this.offset >= this.end;
  }

  peekTag(): number {
    if (this.offset >= this.end) throw new BerError('unexpected end of data');
    return this.buf[this.offset];
  }

  /** Reads one TLV header: its tag and a reader over exactly its content. */
  read(expected?: number): { tag: number; body: BerReader; start: number; length: number } {
    const tag = this.peekTag();
    if (expected !== undefined && tag !== expected)
      throw new BerError(`expected tag 0x${expected.toString(16)}, found 0x${tag.toString(16)}`);
    if ((tag & 0x1f) === 0x1f) throw new BerError('multi-byte tags are not used in LDAP');
    let p = this.offset + 1;
    if (p >= this.end) throw new BerError('truncated length');
    let length = this.buf[p++];
    if (length & 0x80) {
      const n = length & 0x7f;
      if (n === 0) throw new BerError('indefinite lengths are not allowed in LDAP');
      if (n > 4) throw new BerError('length too long');
      if (p + n > this.end) throw new BerError('truncated length');
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + this.buf[p++];
    }
    if (p + length > this.end) throw new BerError('content runs past its container');
    this.offset = p + length;
    return { tag, body: new BerReader(this.buf, p, p + length), start: p, length };
  }

  bytes(expected?: number): Buffer {
    const { body } = this.read(expected);
    return body.buf.subarray(body.offset, body.end);
  }

  string(expected = 0x04): string {
    return this.bytes(expected).toString('utf8');
  }

  int(expected = 0x02): number {
    const b = this.bytes(expected);
    if (b.length === 0 || b.length > 6) throw new BerError('integer of bad size');
    let v = 0;
    for (const byte of b) v = v * 256 + byte;
    return b[0] & 0x80 ? v - 256 ** b.length : v; // two's complement
  }

  bool(expected = 0x01): boolean {
    const b = this.bytes(expected);
    if (b.length !== 1) throw new BerError('boolean of bad size');
    return b[0] !== 0;
  }

  enumerated(): number {
    return this.int(0x0a);
  }

  /** Everything left, as raw bytes (an unparsed control value, say). */
  rest(): Buffer {
    const b = this.buf.subarray(this.offset, this.end);
    this.offset = this.end;
    return b;
  }
}

/**
 * The whole length (header included) of the PDU whose first bytes are `head`, or -1 while its
 * header is incomplete. Throws BerError for an impossible header, or a PDU over `max` bytes: the
 * limit is applied to the header's promise, before the body is waited for.
 */
export function pduLength(head: Buffer, max: number): number {
  if (head.length < 2) return -1;
  if (head[0] !== 0x30) throw new BerError('an LDAPMessage is a SEQUENCE');
  let length = head[1];
  let header = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4) throw new BerError('bad length');
    if (head.length < 2 + n) return -1;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + head[2 + i];
    header += n;
  }
  if (header + length > max) throw new BerError(`message of ${header + length} bytes is over the limit of ${max}`);
  return header + length;
}

/** The longest header an LDAPMessage can have here: tag, 0x84 and four length bytes. */
const MAX_HEADER = 6;

/**
 * How long the first complete TLV in `buf` is, or -1 if more bytes are needed.
 * Throws BerError for an impossible header, or when the PDU would exceed `max` bytes.
 */
export function frameLength(buf: Buffer, max: number): number {
  const n = pduLength(buf.subarray(0, MAX_HEADER), max);
  return n >= 0 && buf.length >= n ? n : -1;
}

/**
 * PDUs out of a byte stream. Chunks are kept as they arrive and joined once per PDU, when it is
 * whole: appending each chunk to one buffer would copy everything held so far on every chunk,
 * quadratic in a PDU's size for a client that sends it a byte at a time.
 */
export class PduAssembler {
  private chunks: Buffer[] = [];
  private held = 0;
  /** The length of the PDU at the head, once its header has been read; -1 before. */
  private need = -1;

  /** Bytes received and not yet part of a whole PDU. */
  get buffered(): number {
    return this.held;
  }

  push(chunk: Buffer): void {
    if (!chunk.length) return;
    this.chunks.push(chunk);
    this.held += chunk.length;
  }

  /** Everything held is dropped (the connection is closing, or StartTLS begins afresh). */
  clear(): void {
    this.chunks = [];
    this.held = 0;
    this.need = -1;
  }

  /** The next whole PDU, or null while more bytes are needed. Throws BerError as pduLength does. */
  next(max: number): Buffer | null {
    if (this.need < 0) {
      this.need = pduLength(this.head(), max);
      if (this.need < 0) return null;
    }
    if (this.held < this.need) return null;
    // The PDU is all in the first chunk (the usual case: a view, no copy), or is joined once now.
    if (this.chunks[0].length < this.need) this.chunks = [Buffer.concat(this.chunks, this.held)];
    const first = this.chunks[0];
    const pdu = first.subarray(0, this.need);
    if (first.length > this.need) this.chunks[0] = first.subarray(this.need);
    else this.chunks.shift();
    this.held -= this.need;
    this.need = -1;
    return pdu;
  }

  /** The first few bytes held, enough for a header: joined only when the first chunk is shorter. */
  private head(): Buffer {
    const first = this.chunks[0];
    if (!first || first.length >= MAX_HEADER || this.chunks.length === 1) return first ?? Buffer.alloc(0);
    return Buffer.concat(this.chunks.slice(0, MAX_HEADER)).subarray(0, MAX_HEADER);
  }
}

// ---- encoding ----

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return Buffer.from([0x80 | out.length, ...out]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthBytes(content.length), content]);
}

export const seq = (tag: number, parts: Buffer[]) => tlv(tag, Buffer.concat(parts));
export const str = (value: string | Buffer, tag = 0x04) =>
  tlv(tag, typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
export const bool = (value: boolean, tag = 0x01) => tlv(tag, Buffer.from([value ? 0xff : 0x00]));

export function int(value: number, tag = 0x02): Buffer {
  const out: number[] = [];
  let v = value;
  do {
    out.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (value >= 0 ? v > 0 || (out[0] & 0x80) !== 0 : v < -1 || (out[0] & 0x80) === 0);
  return tlv(tag, Buffer.from(out));
}

export const enumerated = (value: number) => int(value, 0x0a);

/**
 * A growing buffer for responses: TLVs written in place, lengths filled in when a constructed
 * value ends (minimal form; the content moves up when the length needs more than one byte).
 * Search results are written entry after entry into one buffer and sent in one write.
 */
export class BerWriter {
  private buf: Buffer;
  private pos = 0;
  private readonly open: number[] = [];

  constructor(size = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(n: number) {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  start(tag: number): this {
    this.ensure(2);
    this.buf[this.pos++] = tag;
    this.open.push(this.pos++);
    return this;
  }

  end(): this {
    const at = this.open.pop()!;
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return this;
    }
    const n = len < 0x100 ? 1 : len < 0x10000 ? 2 : len < 0x1000000 ? 3 : 4;
    this.ensure(n);
    this.buf.copyWithin(at + 1 + n, at + 1, this.pos);
    this.buf[at] = 0x80 | n;
    for (let i = n; i >= 1; i--) this.buf[at + i] = (len >>> (8 * (n - i))) & 0xff;
    this.pos += n;
    return this;
  }

  string(value: string, tag = 0x04): this {
    const len = Buffer.byteLength(value);
    this.ensure(len + 6);
    this.buf[this.pos++] = tag;
    this.length_(len);
    this.pos += this.buf.write(value, this.pos, 'utf8');
    return this;
  }

  raw(bytes: Buffer): this {
    this.ensure(bytes.length);
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
    return this;
  }

  /** An INTEGER (or ENUMERATED) in place: minimal two's complement, up to six bytes. */
  int(value: number, tag = 0x02): this {
    let n = 1;
    while (n < 6 && (value < -(2 ** (8 * n - 1)) || value >= 2 ** (8 * n - 1))) n++;
    this.ensure(n + 2);
    this.buf[this.pos++] = tag;
    this.buf[this.pos++] = n;
    for (let i = n - 1; i >= 0; i--) this.buf[this.pos++] = Math.floor(value / 2 ** (8 * i)) & 0xff;
    return this;
  }

  private length_(len: number) {
    if (len < 0x80) {
      this.buf[this.pos++] = len;
      return;
    }
    const n = len < 0x100 ? 1 : len < 0x10000 ? 2 : len < 0x1000000 ? 3 : 4;
    this.buf[this.pos++] = 0x80 | n;
    for (let i = n - 1; i >= 0; i--) this.buf[this.pos++] = (len >>> (8 * i)) & 0xff;
  }

  /** Drops what was written, an unfinished entry included (an operation that failed half-way). */
  reset(): void {
    this.pos = 0;
    this.open.length = 0;
  }

  /** The bytes written so far (a copy), and a fresh start. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }
}

// LDAPMessage decoding and response encoding (RFC 4511 section 4) for the operations we serve.
import { BerError, BerReader, bool, enumerated, int, seq, str, tlv } from './ber.js';

export const OID = {
  paged: '1.2.840.113556.1.4.319',
  sort: '1.2.840.113556.1.4.473',
  sortResponse: '1.2.840.113556.1.4.474',
  vlv: '2.16.840.1.113730.3.4.9',
  vlvResponse: '2.16.840.1.113730.3.4.10',
  startTls: '1.3.6.1.4.1.1466.20037',
  whoAmI: '1.3.6.1.4.1.4203.1.11.3',
  passwordModify: '1.3.6.1.4.1.4203.1.11.1',
  noticeOfDisconnection: '1.3.6.1.4.1.1466.20036',
} as const;

export const Result = {
  success: 0,
  operationsError: 1,
  protocolError: 2,
  timeLimitExceeded: 3,
  sizeLimitExceeded: 4,
  authMethodNotSupported: 7,
  strongerAuthRequired: 8,
  adminLimitExceeded: 11,
  unavailableCriticalExtension: 12,
  noSuchAttribute: 16,
  constraintViolation: 19,
  noSuchObject: 32,
  invalidDNSyntax: 34,
  invalidCredentials: 49,
  insufficientAccessRights: 50,
  busy: 51,
  unavailable: 52,
  unwillingToPerform: 53,
  // draft-ietf-ldapext-ldapv3-vlv-09 section 6.2 (VirtualListViewResponse)
  sortControlMissing: 60,
  offsetRangeError: 61,
  other: 80,
} as const;

/** RFC 4515 filters, as decoded from BER (section 4.5.1.7 of RFC 4511). */
export type LdapFilter =
  | { type: 'and' | 'or'; filters: LdapFilter[] }
  | { type: 'not'; filter: LdapFilter }
  | { type: 'eq' | 'ge' | 'le' | 'approx'; attr: string; value: string }
  | { type: 'sub'; attr: string; initial?: string; any: string[]; final?: string }
  | { type: 'present'; attr: string }
  | { type: 'ext'; attr?: string; rule?: string; value: string; dnAttributes: boolean };

export interface Control {
  oid: string;
  critical: boolean;
  value?: Buffer;
}

export type Request =
  | { op: 'bind'; version: number; name: string; simple?: string; sasl?: string }
  | { op: 'unbind' }
  | {
      op: 'search';
      base: string;
      scope: 0 | 1 | 2;
      sizeLimit: number;
      timeLimit: number;
      typesOnly: boolean;
      filter: LdapFilter;
      attributes: string[];
    }
  | { op: 'abandon'; target: number }
  | { op: 'extended'; name: string; value?: Buffer }
  | { op: 'modify' | 'add' | 'delete' | 'modifyDN' | 'compare' };

export interface Message {
  id: number;
  request: Request;
  controls: Control[];
}

const MAX_FILTER_DEPTH = 32;

function readFilter(r: BerReader, depth: number): LdapFilter {
  if (depth > MAX_FILTER_DEPTH) throw new BerError(`filter nested deeper than ${MAX_FILTER_DEPTH}`);
  const { tag, body } = r.read();
  switch (tag) {
    case 0xa0:
    case 0xa1: {
      const filters: LdapFilter[] = [];
      while (!body.done) filters.push(readFilter(body, depth + 1));
      return { type: tag === 0xa0 ? 'and' : 'or', filters };
    }
    case 0xa2:
      return { type: 'not', filter: readFilter(body, depth + 1) };
    case 0xa3:
    case 0xa5:
    case 0xa6:
    case 0xa8: {
      const attr = body.string();
      const value = body.string();
      return { type: ({ 0xa3: 'eq', 0xa5: 'ge', 0xa6: 'le', 0xa8: 'approx' } as const)[tag as 0xa3], attr, value };
    }
    case 0xa4: {
      const attr = body.string();
      const parts = body.read(0x30).body;
      const f: LdapFilter = { type: 'sub', attr, any: [] };
      while (!parts.done) {
        const t = parts.peekTag();
        const v = parts.string(t);
        if (t === 0x80) f.initial = v;
        else if (t === 0x81) f.any.push(v);
        else if (t === 0x82) f.final = v;
        else throw new BerError('bad substring choice');
      }
      return f;
    }
    case 0x87:
      return { type: 'present', attr: Buffer.from(body.rest()).toString('utf8') };
    case 0xa9: {
      const f: LdapFilter = { type: 'ext', value: '', dnAttributes: false };
      while (!body.done) {
        const t = body.peekTag();
        if (t === 0x81) f.rule = body.string(t);
        else if (t === 0x82) f.attr = body.string(t);
        else if (t === 0x83) f.value = body.string(t);
        else if (t === 0x84) f.dnAttributes = body.bool(t);
        else throw new BerError('bad extensible match');
      }
      return f;
    }
    default:
      throw new BerError(`unknown filter tag 0x${tag.toString(16)}`);
  }
}

function readControls(r: BerReader): Control[] {
  const controls: Control[] = [];
  const list = r.read(0xa0).body;
  while (!list.done) {
    const c = list.read(0x30).body;
    const oid = c.string();
    let critical = false;
    let value: Buffer | undefined;
    if (!c.done && c.peekTag() === 0x01) critical = c.bool();
    if (!c.done) value = c.bytes(0x04);
    controls.push({ oid, critical, value });
  }
  return controls;
}

/** One LDAPMessage. Throws BerError when it is malformed. */
export function decodeMessage(frame: Buffer): Message {
  const msg = new BerReader(frame).read(0x30).body;
  const id = msg.int();
  const { tag, body } = msg.read();
  let request: Request;
  switch (tag) {
    case 0x60: {
      const version = body.int();
      const name = body.string();
      const t = body.peekTag();
      if (t === 0x80) request = { op: 'bind', version, name, simple: body.string(0x80) };
      else if (t === 0xa3) request = { op: 'bind', version, name, sasl: body.read(0xa3).body.string() };
      else throw new BerError('unknown authentication choice');
      break;
    }
    case 0x42:
      request = { op: 'unbind' };
      break;
    case 0x63: {
      const base = body.string();
      const scope = body.enumerated();
      if (scope < 0 || scope > 2) throw new BerError('bad scope');
      body.enumerated(); // derefAliases: there are no aliases here
      const sizeLimit = body.int();
      const timeLimit = body.int();
      const typesOnly = body.bool();
      const filter = readFilter(body, 0);
      const attrs = body.read(0x30).body;
      const attributes: string[] = [];
      while (!attrs.done) attributes.push(attrs.string());
      request = {
        op: 'search',
        base,
        scope: scope as 0 | 1 | 2,
        sizeLimit: Math.max(0, sizeLimit),
        timeLimit: Math.max(0, timeLimit),
        typesOnly,
        filter,
        attributes,
      };
      break;
    }
    case 0x50: {
      const b = body.rest();
      let target = 0;
      for (const byte of b) target = target * 256 + byte;
      request = { op: 'abandon', target };
      break;
    }
    case 0x77: {
      const name = body.string(0x80);
      const value = !body.done ? body.bytes(0x81) : undefined;
      request = { op: 'extended', name, value };
      break;
    }
    case 0x66:
      request = { op: 'modify' };
      break;
    case 0x68:
      request = { op: 'add' };
      break;
    case 0x4a:
      request = { op: 'delete' };
      break;
    case 0x6c:
      request = { op: 'modifyDN' };
      break;
    case 0x6e:
      request = { op: 'compare' };
      break;
    default:
      throw new BerError(`unknown operation tag 0x${tag.toString(16)}`);
  }
  const controls = !msg.done && msg.peekTag() === 0xa0 ? readControls(msg) : [];
  return { id, request, controls };
}

// ---- responses ----

export const responseTag = {
  bind: 0x61,
  search: 0x65,
  modify: 0x67,
  add: 0x69,
  delete: 0x6b,
  modifyDN: 0x6d,
  compare: 0x6f,
  extended: 0x78,
} as const;

function controlsTlv(controls: Control[]): Buffer[] {
  if (!controls.length) return [];
  return [
    seq(
      0xa0,
      controls.map((c) =>
        seq(0x30, [str(c.oid), ...(c.critical ? [bool(true)] : []), ...(c.value ? [str(c.value)] : [])]),
      ),
    ),
  ];
}

export function message(id: number, op: Buffer, controls: Control[] = []): Buffer {
  return seq(0x30, [int(id), op, ...controlsTlv(controls)]);
}

export function result(tag: number, code: number, diagnostic = '', extra: Buffer[] = [], matchedDN = ''): Buffer {
  return seq(tag, [enumerated(code), str(matchedDN), str(diagnostic), ...extra]);
}

export function extendedResult(code: number, diagnostic: string, name?: string, value?: Buffer): Buffer {
  return result(responseTag.extended, code, diagnostic, [
    ...(name ? [str(name, 0x8a)] : []),
    ...(value ? [tlv(0x8b, value)] : []),
  ]);
}

/** RFC 4511 section 4.4.1: sent before the server closes a connection it cannot go on with. */
export function noticeOfDisconnection(code: number, diagnostic: string): Buffer {
  return message(0, extendedResult(code, diagnostic, OID.noticeOfDisconnection));
}

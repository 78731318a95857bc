// The LDAP listeners: framing of LDAPMessages on a byte stream, one operation at a time per
// connection in arrival order, TCP_NODELAY, writes with back-pressure, StartTLS on the same socket,
// LDAPS, idle timeout, and a notice of disconnection for input we cannot go on with — which
// closes that connection only. Hostile clients are bounded: a PDU must arrive whole within a
// deadline, connections that have not bound are few per address and may send small PDUs only, and
// the number of connections has a ceiling.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { describeError } from '../directory/errors.js';
import { BerError, PduAssembler } from './ber.js';
import { decodeMessage, noticeOfDisconnection, Result, type Message } from './protocol.js';
import { Session, type SessionOptions } from './session.js';

export const MAX_PDU = 1024 * 1024;
/** Before a successful bind: a bind, or a rootDSE or subschema search, is a few hundred bytes. */
export const ANONYMOUS_MAX_PDU = 64 * 1024;

export const limitDefaults = { pduSeconds: 10, maxConnections: 4096, maxAnonymousPerAddress: 64 };

export interface LdapServerOptions extends Omit<SessionOptions, 'tls' | 'canStartTls' | 'warnOnce'> {
  host: string;
  port: number;
  ldapsPort?: number;
  certFile?: string;
  keyFile?: string;
  idleSeconds: number;
  /** From a PDU's first byte, the time it has to arrive whole (LDAP_PDU_SECONDS). */
  pduSeconds?: number;
  /** Connections open at once, all listeners together (LDAP_MAX_CONNECTIONS). */
  maxConnections?: number;
  /** Connections from one address that have not bound successfully (LDAP_MAX_ANONYMOUS_PER_ADDRESS). */
  maxAnonymousPerAddress?: number;
  /** The largest PDU a connection may send before it has bound. */
  anonymousMaxPdu?: number;
  log: Logger;
}

export interface LdapServer {
  port: number;
  ldapsPort?: number;
  connections: () => number;
  close(): Promise<void>;
}

/** A warning per kind at most once a minute, however often its cause recurs (a burst of refusals). */
function throttledWarnings(log: Logger, everyMs = 60_000) {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (kind: string, fields: object, msg: string) => {
    const now = Date.now();
    const seen = last.get(kind);
    if (seen && now - seen.at < everyMs) {
      seen.suppressed++;
      return;
    }
    log.warn({ ...fields, ...(seen?.suppressed ? { suppressedSinceLast: seen.suppressed } : {}) }, msg);
    last.set(kind, { at: now, suppressed: 0 });
  };
}

/** A connection's address, IPv4 clients on a dual-stack listener counted as the IPv4 address they are. */
const sourceOf = (socket: net.Socket) =>
  (socket.remoteAddress ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');

/** Who is connected: every connection, and per address those that have not bound. */
class Admission {
  readonly sockets = new Set<net.Socket>();
  private readonly anonymous = new Map<string, number>();

  constructor(
    private readonly opts: Required<Pick<LdapServerOptions, 'maxConnections' | 'maxAnonymousPerAddress'>>,
    private readonly warn: ReturnType<typeof throttledWarnings>,
  ) {}

  /** Admits the socket, or refuses it with a notice (busy) and says why in a throttled warning. */
  admit(socket: net.Socket): { authenticated(): void } | null {
    const address = sourceOf(socket);
    const { maxConnections, maxAnonymousPerAddress } = this.opts;
    if (this.sockets.size >= maxConnections) {
      this.warn(
        'connections',
        { limit: maxConnections },
        `LDAP: ${maxConnections} connections open (LDAP_MAX_CONNECTIONS); refusing new ones`,
      );
      return refuse(socket, 'too many connections; try again later');
    }
    const unbound = this.anonymous.get(address) ?? 0;
    if (unbound >= maxAnonymousPerAddress) {
      // One line a minute for all addresses together: a warning per address would let many
      // addresses fill the log (and the throttle's memory).
      this.warn(
        'address',
        { address, limit: maxAnonymousPerAddress },
        `LDAP: ${maxAnonymousPerAddress} unbound connections from ${address} (LDAP_MAX_ANONYMOUS_PER_ADDRESS)`,
      );
      return refuse(socket, 'too many connections from this address have not bound');
    }
    this.sockets.add(socket);
    this.anonymous.set(address, unbound + 1);
    let counted = true;
    const uncount = () => {
      if (!counted) return;
      counted = false;
      const n = (this.anonymous.get(address) ?? 1) - 1;
      if (n > 0) this.anonymous.set(address, n);
      else this.anonymous.delete(address);
    };
    socket.once('close', () => {
      this.sockets.delete(socket);
      uncount();
    });
    return { authenticated: uncount };
  }
}

function refuse(socket: net.Socket, text: string): null {
  socket.on('error', () => socket.destroy());
  socket.end(noticeOfDisconnection(Result.busy, text));
  setTimeout(() => socket.destroy(), 1000).unref();
  return null;
}

export async function startLdapServer(opts: LdapServerOptions): Promise<LdapServer> {
  const pem =
    opts.certFile && opts.keyFile ? { cert: readFileSync(opts.certFile), key: readFileSync(opts.keyFile) } : undefined;
  const secureContext = pem && tls.createSecureContext(pem);
  const warnOnce = throttledWarnings(opts.log);
  const admission = new Admission(
    {
      maxConnections: opts.maxConnections ?? limitDefaults.maxConnections,
      maxAnonymousPerAddress: opts.maxAnonymousPerAddress ?? limitDefaults.maxAnonymousPerAddress,
    },
    warnOnce,
  );
  const accept = (socket: net.Socket, isTls: boolean) => {
    const admitted = admission.admit(socket);
    if (admitted) serveConnection(socket, isTls, { ...opts, warnOnce }, admitted.authenticated, secureContext);
  };
  const plain = net.createServer({ noDelay: true }, (s) => accept(s, false));
  plain.on('error', (err) => opts.log.error({ error: describeError(err) }, 'LDAP listener error'));
  plain.listen(opts.port, opts.host);
  await once(plain, 'listening');
  let secure: tls.Server | undefined;
  if (opts.ldapsPort !== undefined && pem) {
    // A handshake gets the time a PDU gets: an unfinished one holds no connection slot meanwhile.
    const handshakeTimeout = (opts.pduSeconds ?? limitDefaults.pduSeconds) * 1000;
    secure = tls.createServer({ ...pem, handshakeTimeout }, (s) => accept(s, true));
    secure.on('tlsClientError', () => {
      /* a failed handshake concerns that client only */
    });
    secure.listen(opts.ldapsPort, opts.host);
    await once(secure, 'listening');
  }
  return {
    port: (plain.address() as net.AddressInfo).port,
    ldapsPort: secure ? (secure.address() as net.AddressInfo).port : undefined,
    connections: () => admission.sockets.size,
    async close() {
      for (const s of admission.sockets) s.destroy();
      await Promise.all([new Promise((r) => plain.close(r)), secure ? new Promise((r) => secure!.close(r)) : null]);
    },
  };
}

type ConnectionOptions = LdapServerOptions & Pick<SessionOptions, 'warnOnce'>;

function serveConnection(
  initial: net.Socket,
  isTls: boolean,
  opts: ConnectionOptions,
  authenticated: () => void,
  secureContext?: tls.SecureContext,
) {
  let socket: net.Socket = initial;
  socket.setNoDelay(true);
  socket.setTimeout(opts.idleSeconds * 1000, () => disconnect(Result.unavailable, 'idle timeout'));
  const pdus = new PduAssembler();
  const queue: Message[] = [];
  let working = false;
  let closed = false;

  // A client that has gone cannot be written to: its answers are dropped, quietly.
  const write = async (bytes: Buffer) => {
    if (closed || !socket.writable) return;
    if (!socket.write(bytes))
      await Promise.race([once(socket, 'drain'), once(socket, 'close')]).catch(() => {
        closed = true;
      });
  };
  const disconnect = (code: number, text: string) => {
    if (closed) return;
    closed = true;
    queue.length = 0;
    pdus.clear();
    deadline.stop();
    if (!socket.destroyed) socket.end(noticeOfDisconnection(code, text));
    setTimeout(() => socket.destroy(), 1000).unref();
  };

  // Slowloris: the idle timer restarts on every byte, so a PDU trickled a byte at a time would hold
  // its buffer for ever. A PDU gets a fixed time from its first byte; later bytes do not extend it.
  const pduSeconds = opts.pduSeconds ?? limitDefaults.pduSeconds;
  const deadline = {
    timer: undefined as NodeJS.Timeout | undefined,
    start() {
      if (this.timer || closed || !pdus.buffered || socket.isPaused()) return;
      const late = () => disconnect(Result.protocolError, `a message did not arrive whole within ${pduSeconds} s`);
      this.timer = setTimeout(late, pduSeconds * 1000);
      this.timer.unref();
    },
    stop() {
      clearTimeout(this.timer);
      this.timer = undefined;
    },
  };
  // Until a bind succeeds, only small PDUs: a bind or a rootDSE search needs a few hundred bytes.
  const maxPdu = () => (session.actor ? MAX_PDU : (opts.anonymousMaxPdu ?? ANONYMOUS_MAX_PDU));

  const session = new Session(
    { ...opts, tls: isTls, canStartTls: Boolean(secureContext) && !isTls, source: sourceOf(initial) },
    {
      write,
      close: disconnect,
      async startTls() {
        // Nothing more is read until the handshake is done; queued plaintext would be an attack
        // (RFC 4511 section 4.14.1: the client sends nothing after the request until the response).
        socket.removeListener('data', onData);
        queue.length = 0;
        pdus.clear();
        deadline.stop();
        const secured = new tls.TLSSocket(socket, { isServer: true, secureContext });
        secured.on('error', () => secured.destroy());
        await once(secured, 'secure');
        socket = secured;
        socket.on('data', onData);
      },
    },
  );

  const pump = async () => {
    if (working) return;
    working = true;
    try {
      while (queue.length && !closed) {
        const msg = queue.shift()!;
        if (queue.length < 64 && socket.isPaused()) {
          socket.resume();
          deadline.start(); // a partial PDU held while paused has its time again from now
        }
        if (msg.request.op === 'unbind') {
          closed = true;
          socket.end();
          return;
        }
        await session.handle(msg);
        if (session.actor) authenticated();
      }
    } catch (err) {
      // A malformed control value is the client's fault; anything else is ours, and logged
      // without the error's own text, which for a failed statement holds its SQL and parameters.
      if (err instanceof BerError) {
        disconnect(Result.protocolError, err.message);
      } else {
        opts.log.error({ error: describeError(err) }, 'LDAP operation failed');
        disconnect(Result.other, 'internal error');
      }
    } finally {
      working = false;
    }
  };

  function onData(chunk: Buffer) {
    if (closed) return;
    pdus.push(chunk);
    let whole = false;
    try {
      for (let frame = pdus.next(maxPdu()); frame; frame = pdus.next(maxPdu())) {
        whole = true;
        const msg = decodeMessage(frame);
        if (msg.request.op === 'abandon') session.abandon(msg.request.target);
        else queue.push(msg);
      }
    } catch (err) {
      if (!(err instanceof BerError)) throw err;
      disconnect(Result.protocolError, err.message);
      return;
    }
    // The deadline runs from the first byte of the PDU now at the head: a new one if a PDU ended.
    if (whole || !pdus.buffered) deadline.stop();
    // A client that pipelines faster than we answer is read no further until we catch up; while
    // it is not read, the time of its partial PDU does not run.
    if (queue.length > 256) {
      socket.pause();
      deadline.stop();
    }
    deadline.start();
    void pump();
  }

  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
  initial.on('close', () => {
    closed = true;
    session.closed();
    queue.length = 0;
    pdus.clear();
    deadline.stop();
  });
}

// The LDAP listeners: framing of LDAPMessages on a byte stream, one operation at a time per
// connection in arrival order, TCP_NODELAY, writes with back-pressure, StartTLS on the same socket,
// LDAPS, idle timeout, and a notice of disconnection for input we cannot go on with — which
// closes that connection only.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { BerError, frameLength } from './ber.js';
import { decodeMessage, noticeOfDisconnection, Result, type Message } from './protocol.js';
import { Session, type SessionOptions } from './session.js';

export const MAX_PDU = 1024 * 1024;

export interface LdapServerOptions extends Omit<SessionOptions, 'tls' | 'canStartTls'> {
  host: string;
  port: number;
  ldapsPort?: number;
  certFile?: string;
  keyFile?: string;
  idleSeconds: number;
  log: Logger;
}

export interface LdapServer { port: number; ldapsPort?: number; connections: () => number; close(): Promise<void> }

export async function startLdapServer(opts: LdapServerOptions): Promise<LdapServer> {
  const pem = opts.certFile && opts.keyFile ? { cert: readFileSync(opts.certFile), key: readFileSync(opts.keyFile) } : undefined;
  const secureContext = pem && tls.createSecureContext(pem);
  const sockets = new Set<net.Socket>();
  const accept = (socket: net.Socket, isTls: boolean) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveConnection(socket, isTls, opts, secureContext);
  };
  const plain = net.createServer({ noDelay: true }, (s) => accept(s, false));
  plain.on('error', (err) => opts.log.error({ err }, 'LDAP listener error'));
  plain.listen(opts.port, opts.host);
  await once(plain, 'listening');
  let secure: tls.Server | undefined;
  if (opts.ldapsPort !== undefined && pem) {
    secure = tls.createServer(pem, (s) => accept(s, true));
    secure.on('tlsClientError', () => { /* a failed handshake concerns that client only */ });
    secure.listen(opts.ldapsPort, opts.host);
    await once(secure, 'listening');
  }
  return {
    port: (plain.address() as net.AddressInfo).port,
    ldapsPort: secure ? (secure.address() as net.AddressInfo).port : undefined,
    connections: () => sockets.size,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise((r) => plain.close(r)), secure ? new Promise((r) => secure!.close(r)) : null]);
    },
  };
}

function serveConnection(initial: net.Socket, isTls: boolean, opts: LdapServerOptions, secureContext?: tls.SecureContext) {
  let socket: net.Socket = initial;
  socket.setNoDelay(true);
  socket.setTimeout(opts.idleSeconds * 1000, () => disconnect(Result.unavailable, 'idle timeout'));
  let buffered: Buffer = Buffer.alloc(0);
  const queue: Message[] = [];
  let working = false;
  let closed = false;

  // A client that has gone cannot be written to: its answers are dropped, quietly.
  const write = async (bytes: Buffer) => {
    if (closed || !socket.writable) return;
    if (!socket.write(bytes)) await Promise.race([once(socket, 'drain'), once(socket, 'close')]).catch(() => { closed = true; });
  };
  const disconnect = (code: number, text: string) => {
    if (closed) return;
    closed = true;
    queue.length = 0;
    if (!socket.destroyed) socket.end(noticeOfDisconnection(code, text));
    setTimeout(() => socket.destroy(), 1000).unref();
  };

  const session = new Session({ ...opts, tls: isTls, canStartTls: Boolean(secureContext) && !isTls }, {
    write,
    close: () => disconnect(Result.unavailable, 'closing'),
    async startTls() {
      // Nothing more is read until the handshake is done; queued plaintext would be an attack.
      socket.removeListener('data', onData);
      const secured = new tls.TLSSocket(socket, { isServer: true, secureContext });
      secured.on('error', () => secured.destroy());
      await once(secured, 'secure');
      socket = secured;
      socket.on('data', onData);
    },
  });

  const pump = async () => {
    if (working) return;
    working = true;
    try {
      while (queue.length && !closed) {
        const msg = queue.shift()!;
        if (queue.length < 64 && socket.isPaused()) socket.resume();
        if (msg.request.op === 'unbind') { closed = true; socket.end(); return; }
        await session.handle(msg);
      }
    } catch (err) {
      // A malformed control value is the client's fault; anything else is ours, and logged.
      if (err instanceof BerError) {
        disconnect(Result.protocolError, err.message);
      } else {
        opts.log.error({ err }, 'LDAP operation failed');
        disconnect(Result.other, 'internal error');
      }
    } finally {
      working = false;
    }
  };

  function onData(chunk: Buffer) {
    if (closed) return;
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    try {
      for (;;) {
        const n = frameLength(buffered, MAX_PDU);
        if (n < 0) break;
        const msg = decodeMessage(buffered.subarray(0, n));
        buffered = buffered.subarray(n);
        if (msg.request.op === 'abandon') session.abandon(msg.request.target);
        else queue.push(msg);
      }
      // A client that pipelines faster than we answer is read no further until we catch up.
      if (queue.length > 256) socket.pause();
    } catch (err) {
      if (!(err instanceof BerError)) throw err;
      disconnect(Result.protocolError, err.message);
      return;
    }
    void pump();
  }

  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
  initial.on('close', () => { closed = true; queue.length = 0; });
}

// What one HTTP client may hold (the attacker's pass found that 20,000 idle connections with
// unfinished headers used every file descriptor, LDAP's too): connections in all and per address,
// a deadline for a request's headers and for the whole request. A refused connection is closed at
// once, and the log says so at most once a minute.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';

export interface HttpLimits {
  maxConnections: number;
  perAddress: number;
  headersSeconds: number;
  requestSeconds: number;
}

export function limitConnections(server: Server, limits: HttpLimits, log: Logger): void {
  server.headersTimeout = limits.headersSeconds * 1000;
  server.requestTimeout = limits.requestSeconds * 1000;
  const byAddress = new Map<string, number>();
  let open = 0;
  let warned = 0;
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const mine = byAddress.get(address) ?? 0;
    if (open >= limits.maxConnections || mine >= limits.perAddress) {
      if (Date.now() - warned > 60_000) {
        warned = Date.now();
        const which =
          open >= limits.maxConnections ? `${limits.maxConnections} in all` : `${limits.perAddress} from ${address}`;
        log.warn({ address, open }, `HTTP connection refused: ${which} already open (HTTP_MAX_CONNECTIONS)`);
      }
      socket.destroy();
      return;
    }
    open++;
    byAddress.set(address, mine + 1);
    socket.once('close', () => {
      open--;
      const n = (byAddress.get(address) ?? 1) - 1;
      if (n) byAddress.set(address, n);
      else byAddress.delete(address);
    });
  });
}

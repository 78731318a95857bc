// Bearer authentication: the token becomes the same Actor an LDAP bind would, checked on every
// request (so a leaver's token stops at once). Routes that need a caller say `auth: true`.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../directory/actor.js';
import type { Directory } from '../directory/directory.js';
import { DirectoryError } from '../directory/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    token: string | null;
  }
  interface FastifyContextConfig {
    auth?: boolean;
  }
}

export function bearer(req: FastifyRequest): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m ? m[1] : null;
}

/** Requests whose bearer token was refused (unknown, expired, revoked, a leaver's). */
const refused = new WeakSet<FastifyRequest>();

/**
 * The WWW-Authenticate challenge of a 401 (RFC 6750 section 3): `invalid_token` only when a token was
 * presented and refused, so that a client knows to get a new one rather than to add one.
 */
export function challenge(req: FastifyRequest): string {
  return `Bearer realm="nhs-directory"${refused.has(req) ? ', error="invalid_token"' : ''}`;
}

export function registerAuth(app: FastifyInstance, directory: Directory) {
  app.decorateRequest('actor', null);
  app.decorateRequest('token', null);
  app.addHook('preHandler', async (req) => {
    if (!req.routeOptions.config?.auth) return;
    const token = bearer(req);
    const actor = token ? await directory.verifyToken(token) : null;
    if (!actor) {
      if (token) refused.add(req);
      throw new DirectoryError('auth.invalid_credentials', 'A valid bearer token is required');
    }
    req.actor = actor;
    req.token = token;
  });
}

/** The caller of an authenticated route. */
export const caller = (req: FastifyRequest): Actor => req.actor!;

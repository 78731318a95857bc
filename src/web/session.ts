// Web sessions: the cookie holds an opaque token from the core's token store (the one REST's bearer
// tokens live in) and the time it was last used, signed. Every request checks the token through
// `verifyToken`, as REST does, so a leaver's or a revoked session stops at once; the signed time
// gives the idle expiry without a write per page.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../directory/actor.js';
import type { Directory } from '../directory/directory.js';

/** A session ends after this long without a page, and after SESSION_HOURS whatever happens. */
export const IDLE_MINUTES = 30;
export const SESSION_HOURS = 8;
export const SESSION_COOKIE = 'nhsd_session';

declare module 'fastify' {
  interface FastifyRequest {
    session: { actor: Actor; token: string } | null;
  }
}

const cookieOptions = (req: FastifyRequest) => ({
  path: '/',
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: req.protocol === 'https',
  signed: true,
});

export async function startSession(directory: Directory, req: FastifyRequest, reply: FastifyReply, actor: Actor) {
  const { token } = await directory.issueToken(actor, SESSION_HOURS * 3600);
  reply.setCookie(SESSION_COOKIE, `${token}.${Date.now()}`, {
    ...cookieOptions(req),
    maxAge: SESSION_HOURS * 3600,
  });
}

export async function endSession(directory: Directory, req: FastifyRequest, reply: FastifyReply) {
  const token = req.session?.token ?? read(req)?.token;
  if (token) await directory.revokeToken(token);
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

function read(req: FastifyRequest): { token: string; seen: number } | null {
  const raw = req.cookies[SESSION_COOKIE];
  if (!raw) return null;
  const un = req.unsignCookie(raw);
  if (!un.valid || !un.value) return null;
  const dot = un.value.lastIndexOf('.');
  const seen = Number(un.value.slice(dot + 1));
  return dot > 0 && Number.isFinite(seen) ? { token: un.value.slice(0, dot), seen } : null;
}

/**
 * The signed-in person for this request, or why not: 'none' (no cookie), 'idle' (ended for want
 * of use: revoked now) or 'ended' (signed out, expired, a leaver). Refreshes the cookie's time.
 */
export async function loadSession(
  directory: Directory,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<'ok' | 'none' | 'idle' | 'ended'> {
  const found = read(req);
  if (!found) return req.cookies[SESSION_COOKIE] ? 'ended' : 'none';
  if (Date.now() - found.seen > IDLE_MINUTES * 60_000) {
    await directory.revokeToken(found.token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return 'idle';
  }
  const actor = await directory.verifyToken(found.token);
  if (!actor || actor.kind !== 'person') {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return 'ended';
  }
  req.session = { actor, token: found.token };
  // Written again at most once a minute: the time it holds need not be exact.
  if (Date.now() - found.seen > 60_000)
    reply.setCookie(SESSION_COOKIE, `${found.token}.${Date.now()}`, cookieOptions(req));
  return 'ok';
}

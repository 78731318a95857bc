// Opaque bearer tokens for the REST API: random, stored only as a SHA-256 hash, with an expiry,
// revocable. Verifying one loads the holder's Actor afresh, so a leaver's token dies at once.
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { tokens } from '../db/schema.js';
import type { Actor } from './actor.js';
import { requireNational } from './actor.js';
import { loadActor } from './accounts.service.js';
import { record } from './audit.js';
import type { Ctx } from './context.js';
import { fail } from './errors.js';

export const TOKEN_SECONDS = 8 * 3600;
export const SERVICE_TOKEN_SECONDS = 365 * 86400;

const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

function holder(actor: Actor) {
  if (actor.kind === 'person') return { personId: actor.personId!, serviceName: null };
  if (actor.kind === 'service') return { personId: null, serviceName: actor.name };
  return fail('auth.forbidden', 'The system holds no tokens');
}

export async function issueToken(ctx: Ctx, actor: Actor, seconds = TOKEN_SECONDS): Promise<{ token: string; expiresIn: number }> {
  const token = `nhsd_${randomBytes(32).toString('base64url')}`;
  await ctx.tx.insert(tokens).values({ hash: hashOf(token), ...holder(actor), createdAt: ctx.now(), expiresAt: new Date(ctx.now().getTime() + seconds * 1000) });
  return { token, expiresIn: seconds };
}

/** A long-lived token for a connector's service account (`nhsdir token create`), shown once. */
export async function issueServiceToken(ctx: Ctx, actor: Actor, service: string) {
  requireNational(actor);
  const serviceActor = await loadActor(ctx, { service });
  if (!serviceActor) fail('service.not_found', `No service account is named ${service}`);
  await record(ctx.tx, actor, { action: 'service.token', targetType: 'service', targetId: service, after: { token: 'issued' }, cause: ctx.cause });
  return issueToken(ctx, serviceActor, SERVICE_TOKEN_SECONDS);
}

export async function verifyToken(ctx: Ctx, token: string): Promise<Actor | null> {
  const [row] = await ctx.tx.select().from(tokens)
    .where(and(eq(tokens.hash, hashOf(token)), isNull(tokens.revokedAt), gt(tokens.expiresAt, ctx.now())));
  if (!row) return null;
  return loadActor(ctx, row.personId ? { personId: row.personId } : { service: row.serviceName! });
}

export async function revokeToken(ctx: Ctx, token: string): Promise<void> {
  await ctx.tx.update(tokens).set({ revokedAt: ctx.now() }).where(eq(tokens.hash, hashOf(token)));
}

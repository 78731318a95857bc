// Opaque bearer tokens for the REST API: random, stored only as a SHA-256 hash, with an expiry,
// revocable. Verifying one loads the holder's Actor afresh, so a leaver's token dies at once.
import { createHash, randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { rows } from '../db/client.js';
import { people, tokens } from '../db/schema.js';
import type { Actor } from './actor.js';
import { requireNational } from './actor.js';
import { actorWith, loadActor } from './accounts.service.js';
import { record, touch } from './audit.js';
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

export async function issueToken(
  ctx: Ctx,
  actor: Actor,
  seconds = TOKEN_SECONDS,
): Promise<{ token: string; expiresIn: number }> {
  if (actor.kind === 'person') {
    // A person's token is of the password they signed in with. A reset since (which revoked their
    // tokens) refuses it; the row is held to commit, so a reset after this waits, then revokes it too.
    const [p] = await ctx.tx
      .select({ changed: people.passwordChangedAt })
      .from(people)
      .where(eq(people.id, actor.personId!))
      .for('share');
    if (p?.changed?.getTime() !== actor.passwordChangedAt)
      fail('auth.invalid_credentials', 'The password was changed while signing in: sign in again');
  }
  const token = `nhsd_${randomBytes(32).toString('base64url')}`;
  await ctx.tx.insert(tokens).values({
    hash: hashOf(token),
    ...holder(actor),
    createdAt: ctx.now(),
    expiresAt: new Date(ctx.now().getTime() + seconds * 1000),
  });
  return { token, expiresIn: seconds };
}

/** A long-lived token for a connector's service account (`nhsdir token create`), shown once. */
export async function issueServiceToken(ctx: Ctx, actor: Actor, service: string) {
  requireNational(actor);
  const serviceActor = await loadActor(ctx, { service });
  if (!serviceActor) fail('service.not_found', `No service account is named ${service}`);
  await record(ctx.tx, actor, {
    action: 'service.token',
    targetType: 'service',
    targetId: service,
    after: { token: 'issued' },
    cause: ctx.cause,
  });
  return issueToken(ctx, serviceActor, SERVICE_TOKEN_SECONDS);
}

export const tokenKey = (token: string) => `token:${hashOf(token)}`;

/**
 * The token's holder as an Actor, and when the token expires, in one query (every request asks):
 * null if expired, revoked, or a leaver's.
 */
export async function verifyToken(ctx: Ctx, token: string): Promise<{ actor: Actor; expiresAt: number } | null> {
  const [row] = await rows<{
    person_id: number | null;
    service_name: string | null;
    uid: string | null;
    usable: boolean;
    expires_at: Date;
    grants: { role: never; org_code: string | null }[];
  }>(
    ctx.tx.execute(sql`
    select t.person_id, t.service_name, p.uid, t.expires_at,
      (t.service_name is not null or (p.kind = 'person' and p.status = 'active' and p.deleted_at is null)) as usable,
      coalesce((select json_agg(json_build_object('role', g.role, 'org_code', g.org_code)) from role_grants g
        where g.person_id = t.person_id or g.service_name = t.service_name), '[]'::json) as grants
    from tokens t left join people p on p.id = t.person_id
    where t.hash = ${hashOf(token)} and t.revoked_at is null and t.expires_at > ${ctx.now()}`),
  );
  if (!row || !row.usable) return null;
  const base = row.person_id
    ? { kind: 'person' as const, name: row.uid!, personId: Number(row.person_id) }
    : { kind: 'service' as const, name: row.service_name! };
  return {
    actor: actorWith(
      base,
      row.grants.map((g) => ({ role: g.role, orgCode: g.org_code })),
    ),
    expiresAt: new Date(row.expires_at).getTime(),
  };
}

/** End every token of a person, except `keep` (the one making a change of their own password). */
export async function revokeTokensOf(ctx: Ctx, personId: number, keep?: string | null): Promise<void> {
  const except = keep ? sql` and hash <> ${hashOf(keep)}` : sql``;
  await ctx.tx.execute(
    sql`update tokens set revoked_at = ${ctx.now()} where person_id = ${personId} and revoked_at is null${except}`,
  );
}

export async function revokeToken(ctx: Ctx, token: string): Promise<void> {
  await touch(ctx.tx, tokenKey(token)); // not audited, so say so here (first: see touch)
  await ctx.tx
    .update(tokens)
    .set({ revokedAt: ctx.now() })
    .where(eq(tokens.hash, hashOf(token)));
}

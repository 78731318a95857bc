// The append-only audit log; its sequence numbers double as change numbers (LDAP cn=changelog and
// GET /api/v1/changes), so they must be handed out in commit order.
import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import { CHANGES_CHANNEL, rows, type Tx } from '../db/client.js';
import { changesOf } from '../db/search-sql.js';
import { audit } from '../db/schema.js';
import type { Actor } from './actor.js';
import { requireAuditor } from './actor.js';
import type { Ctx } from './context.js';
import { changeScope } from './visibility.js';

export type TargetType = (typeof audit.$inferInsert)['targetType'];

/** Fields that never reach the log, whatever a caller passes. */
const secretFields = new Set(['passwordHash', 'password', 'niHmac', 'dobHmac', 'failedAttempts', 'lockedUntil']);

function scrub(value: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  if (!value) return null;
  return Object.fromEntries(Object.entries(value).filter(([k, v]) => !secretFields.has(k) && v !== undefined));
}

// One lock for every writer of the log, held to commit: a change numbered n is visible before any
// numbered n+1, so a reader polling `changeNumber>=n` never skips one that committed late.
const AUDIT_LOCK = 7266002;
const logLock = sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`;

export interface AuditEntry {
  action: string;
  targetType: TargetType;
  targetId: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  cause?: string;
}

const toRow = (actor: Actor, e: AuditEntry) => ({
  actor: `${actor.kind}:${actor.name}`,
  action: e.action,
  targetType: e.targetType,
  targetId: e.targetId,
  before: scrub(e.before),
  after: scrub(e.after),
  cause: e.cause ?? null,
});

// What each write transaction changed, as the tags the read caches know (`uid:…`, `org:…`): the
// directory's `run` evicts them at commit, and other processes hear of them through NOTIFY, which
// PostgreSQL delivers at commit. An audited write outside `run` (start-up work) announces "everything".
const changedIn = new WeakMap<object, { touched: Set<string>; announced: Set<string> }>();

/** Follow what `tx` changes; `announceChanges` says what is still unsaid before commit. */
export function trackChanges(tx: Tx): Set<string> {
  const touched = new Set<string>();
  changedIn.set(tx, { touched, announced: new Set() });
  return touched;
}

/**
 * A change that no audit record names (a token's revocation): evicted and announced all the same.
 * It changes no directory entry, so kept searches stay (an attacker's pass emptied every node's
 * with logouts in a loop when it said `search`). Called before the change is made: it takes the
 * log's lock first, as every audited write does, so that no write holds a row another waits for
 * while waiting for the notice's row itself (an attacker's pass deadlocked a logout, token row
 * then notice, with a leaver, notice then tokens).
 */
export async function touch(tx: Tx, tag: string): Promise<void> {
  changedIn.get(tx)?.touched.add(tag);
  await tx.execute(logLock);
}

/** More than this many tags, or a payload near NOTIFY's 8,000 bytes, and "everything" is said instead. */
const MAX_NAMED = 200;
const MAX_BYTES = 7000;

export function everything(touched: Set<string>): boolean {
  if (touched.size > MAX_NAMED) return true;
  let bytes = 0;
  for (const tag of touched) bytes += Buffer.byteLength(tag) + 1;
  return bytes > MAX_BYTES;
}

/** The notice of what `tx` changed that no statement has carried yet (usually nothing: `record` says its own). */
export async function announceChanges(tx: Tx, touched: Set<string>): Promise<void> {
  const announced = changedIn.get(tx)?.announced ?? new Set<string>();
  const unsaid = [...touched].filter((t) => !announced.has(t));
  if (unsaid.length === 0) return;
  await tx.execute(announce(everything(touched) ? '*' : unsaid.join(' ')));
}

/**
 * The notice of `tags`, numbered (nhs_announce, migrations/0012): every notice is, so that a reader
 * can tell whether it has heard of every change its database shows (heard.ts).
 */
const announce = (tags: string) => sql`select nhs_announce(${CHANGES_CHANNEL}, ${tags})`;

/** The log's lock first (a volatile subquery is not merged into the outer one), then the notice. */
const lockAnd = (tags: string) => sql`${announce(tags)} from (${logLock}) as locked`;

const tagOf = (e: AuditEntry) =>
  e.targetType === 'organisation'
    ? `org:${e.targetId}`
    : `${e.targetType === 'service' ? 'service' : 'uid'}:${e.targetId}`;

/** A person's details: a change to these alone leaves who matches a search not reading them as it was. */
const details = new Set(['title', 'department', 'site', 'telephone', 'mobile']);

/**
 * The attributes of a person's row an entry changed, where it changed nothing else any search
 * reads: details, or only the row's time (`modified`) with a password or a quota. Otherwise null.
 */
function narrowly(e: AuditEntry): string[] | null {
  if (e.action === 'person.password' || e.action === 'quota.set') return ['modified'];
  const changed = e.action === 'person.update' && e.after ? Object.keys(e.after) : [];
  return changed.length > 0 && changed.every((k) => details.has(k)) ? [...changed, 'modified'] : null;
}

/**
 * What an entry changed, for the read caches: the entry's own tag, and for the kept searches
 * (directory.ts) either the attributes it changed (`attr:telephone attr:modified`), or `search`:
 * anything else may change who any search finds, and every kept search is forgotten.
 */
function tagsOf(e: AuditEntry): string[] {
  const attrs = narrowly(e);
  return [tagOf(e), ...(attrs ? attrs.map((a) => `attr:${a}`) : ['search'])];
}

/**
 * The log's lock and the notice of these entries, as one statement's worth of SQL (a CTE the insert
 * reads from, so the lock is held before a sequence number is drawn). Untracked: "everything".
 */
function lockAndNotify(tx: Tx, entries: AuditEntry[]) {
  const tracked = changedIn.get(tx);
  if (!tracked) return lockAnd('*');
  for (const e of entries) if (tracked.touched.size <= MAX_NAMED) for (const tag of tagsOf(e)) tracked.touched.add(tag);
  // A single entry's tags are said here, a write's round trip fewer; a bulk write's at the end, once.
  const tags = entries.length === 1 ? tagsOf(entries[0]) : null;
  if (!tags || everything(tracked.touched)) return logLock;
  for (const tag of tags) tracked.announced.add(tag);
  return lockAnd(tags.join(' '));
}

/** The insert of one entry, under the log's lock (read first, so it is held before `seq` is drawn). */
function insertOne(tx: Tx, actor: Actor, entry: AuditEntry) {
  const r = toRow(actor, entry);
  return sql`insert into ${audit} (actor, action, target_type, target_id, before, after, cause)
    select ${r.actor}, ${r.action}, ${r.targetType}, ${r.targetId}, ${json(r.before)}::jsonb, ${json(r.after)}::jsonb,
      ${r.cause} from (${lockAndNotify(tx, [entry])}) as locked
    returning seq`;
}

export async function record(tx: Tx, actor: Actor, entry: AuditEntry): Promise<number> {
  const [row] = await rows<{ seq: number }>(tx.execute(insertOne(tx, actor, entry)));
  return Number(row.seq);
}

/**
 * The entry as a CTE of the statement that makes the change (`tx.with(logged).update(…)`): the
 * change and its record in one round trip. PostgreSQL runs a data-modifying CTE whether or not the
 * statement reads it.
 */
export function recordWith(tx: Tx, actor: Actor, entry: AuditEntry) {
  return tx.$with('logged', { seq: sql<number>`seq` }).as(insertOne(tx, actor, entry));
}

const json = (v: Record<string, unknown> | null) => (v ? JSON.stringify(v) : null);

/**
 * Many entries in few statements (a merger, a feed's first load: thousands of people), a few
 * thousand rows each so that the statement text stays small.
 */
export async function recordMany(tx: Tx, actor: Actor, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.execute(lockAndNotify(tx, entries));
  for (let i = 0; i < entries.length; i += BATCH)
    await insertBatch(
      tx,
      entries.slice(i, i + BATCH).map((e) => toRow(actor, e)),
    );
}

const BATCH = 2000;

async function insertBatch(tx: Tx, batch: ReturnType<typeof toRow>[]) {
  const col = (f: (r: (typeof batch)[number]) => unknown) => sql.param(batch.map(f));
  await tx.execute(sql`insert into ${audit} (actor, action, target_type, target_id, before, after, cause)
    select ${batch[0].actor}, a.action, a.target_type, a.target_id, a.before::jsonb, a.after::jsonb, a.cause
    from unnest(${col((r) => r.action)}::text[], ${col((r) => r.targetType)}::text[], ${col((r) => r.targetId)}::text[],
      ${col((r) => json(r.before))}::text[], ${col((r) => json(r.after))}::text[], ${col((r) => r.cause)}::text[])
      with ordinality as a(action, target_type, target_id, before, after, cause, n)
    order by a.n`);
}

export interface AuditQuery {
  after?: number;
  actor?: string;
  target?: string;
  limit?: number;
}

export async function listAudit(ctx: Ctx, actor: Actor, q: AuditQuery) {
  requireAuditor(actor);
  const where: SQL[] = [gt(audit.seq, q.after ?? 0)];
  if (q.actor) where.push(eq(audit.actor, q.actor));
  if (q.target) where.push(eq(audit.targetId, q.target));
  return ctx.tx
    .select()
    .from(audit)
    .where(and(...where))
    .orderBy(asc(audit.seq))
    .limit(q.limit ?? 50);
}

// Who reads which changes is the one visibility rule's (visibility.ts `changeScope`), for the
// REST feed and LDAP's cn=changelog alike.
export { changeScope };

/** The change feed from `after`, as the caller may read it. */
export async function listChanges(ctx: Ctx, actor: Actor, q: { after?: number; limit?: number }) {
  const scope = changeScope(actor);
  const where: SQL[] = [gt(audit.seq, q.after ?? 0)];
  if ('orgs' in scope) where.push(changesOf(scope.orgs, sql`${audit.targetType}`, sql`${audit.targetId}`));
  return ctx.tx
    .select()
    .from(audit)
    .where(and(...where))
    .orderBy(asc(audit.seq))
    .limit(q.limit ?? 50);
}

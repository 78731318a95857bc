// Sign-in at mail-client rates. Every mail client binds on every connection it opens, and a
// password check (scrypt) costs about 0.3 s of CPU: so a check that succeeded is remembered, keyed
// by a hash of the account, its stored password hash and the password given (never the password
// itself), and the same credentials sign in again without scrypt. The account's row is read on
// every sign-in, so a changed password (a new stored hash), a lock or a leaver is seen at once, in
// every process, without telling anyone. Failures are throttled per source address and per name
// before any hash is computed, hashing runs a few at a time with a bounded queue (a full queue is
// answered "busy" at once, except to an address that ranks before the last in line, which takes its
// place), and no database connection is held while a hash is computed.
import { createHmac, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { said } from '../db/search-sql.js';
import type { Principal } from './accounts.service.js';
import type { Actor } from './actor.js';
import type { CoreSettings } from './context.js';
import { DirectoryError, fail, isDatabaseUnavailable } from './errors.js';
import { Gate } from './gate.js';
import { verifyPassword } from './secrets.js';

export interface SignInLimits {
  /** Password checks computed at once (scrypt is CPU: about one per core). */
  hashConcurrency: number;
  /** Checks waiting beyond those; one more is answered busy. */
  hashQueue: number;
  /** How long a successful check is remembered. */
  rememberSeconds: number;
  /** Failed sign-ins a source address (or a name) may have in a minute before its checks stop. */
  failuresPerMinute: number;
  /** Checks one source address may have waiting or running at once. */
  perSource: number;
  /**
   * How long a throttled refusal waits before it is answered (default none). A flood's clients wait
   * for each answer, so a second's pause turns thousands of refusals a second into a few: the flood
   * costs a timer, not a core. Only refusals wait; remembered credentials from that address do not.
   */
  throttledDelayMs?: number;
}

export const defaultSignInLimits: SignInLimits = {
  hashConcurrency: 2,
  hashQueue: 64,
  rememberSeconds: 600,
  failuresPerMinute: 30,
  perSource: 8,
  throttledDelayMs: 1000,
};

interface AccountRow {
  kind: 'person' | 'service';
  id: string;
  password_hash: string | null;
  failed_attempts: number;
  locked_until: Date | string | null;
  usable: boolean;
  /** When a person's password was last set (null for services, whose secret is set at start-up). */
  changed: Date | string | null;
  /** The change number the look-up saw (search-sql.ts `said`): the actor from memory must have heard it. */
  said: string;
}

const REMEMBERED_MAX = 100_000;

const timeOf = (t: Date | string | null) => (t === null ? undefined : new Date(t).getTime());

/**
 * A sign-in's own write (the failure count, its reset): whether it was written. The account was
 * read from a standby, so while the primary cannot be reached the bind is answered all the same;
 * any other error is still the caller's.
 */
async function bestEffort(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (!isDatabaseUnavailable(err)) throw err;
    return false;
  }
}

export function createSignIn(
  database: Database,
  settings: CoreSettings,
  now: () => Date,
  actorOf: (who: { personId: number } | { service: string }, said: number) => Promise<Actor | null>,
  limits: SignInLimits = defaultSignInLimits,
  verify = verifyPassword, // tests hold a check here to change the account while it runs
) {
  const key = randomBytes(32);
  const mac = (text: string) => createHmac('sha256', key).update(text).digest('base64url');
  const remembered = new Map<string, number>(); // proof → expiry (ms)
  const failures = new Map<string, { count: number; until: number }>();
  // Failures that could not be written (the primary unreachable), by account whatever name it was
  // asked by: the lockout rule holds in memory, in this process, until they can be counted again.
  const unwritten = new Map<string, { count: number; lockedUntil: number }>();
  const hashing = new Gate(limits.hashConcurrency, limits.hashQueue);

  // Checks waiting or running per source address: one address may hold a few places, not the queue.
  const bySource = new Map<string, number>();
  /** Run one password check when a place is free; refuse at once when too many wait. */
  async function check(password: string, stored: string | null, source?: string): Promise<boolean> {
    const mine = source ? (bySource.get(source) ?? 0) : 0;
    if (source && mine >= limits.perSource)
      fail('service.busy', 'Too many sign-ins from this address are being checked; try again shortly');
    if (source) bySource.set(source, mine + 1);
    const rank = source ? rankOf(source) : 0;
    try {
      // Ranked by the address (its failures and busy answers this minute, less for one that signed
      // someone in lately): a flood that keeps the queue full, each address below its allowance and
      // asking again at once when told busy, gives its places up to addresses that are not flooding.
      return await hashing.run(
        () => verify(password, stored),
        'Too many sign-ins are being checked; try again shortly',
        undefined,
        rank,
      );
    } catch (err) {
      // A flood asks again the moment it is told busy: each refusal ranks its address lower.
      if (source && err instanceof DirectoryError && err.code === 'service.busy') failed(`busy:${source}`);
      throw err;
    } finally {
      if (source) {
        const n = bySource.get(source)! - 1;
        if (n) bySource.set(source, n);
        else bySource.delete(source);
      }
    }
  }

  const recentFailures = (who: string) => {
    const f = failures.get(who);
    return f !== undefined && f.until > Date.now() ? f.count : 0;
  };
  const throttled = (who: string) => recentFailures(who) >= limits.failuresPerMinute;
  // Addresses that signed someone in lately (until when): a flood's addresses never do.
  const succeeded = new Map<string, number>();
  const rankOf = (source: string) =>
    recentFailures(`source:${source}`) +
    recentFailures(`busy:${source}`) -
    ((succeeded.get(source) ?? 0) > Date.now() ? limits.failuresPerMinute : 0);
  const failed = (who: string) => {
    const f = failures.get(who);
    if (!f || f.until <= Date.now()) {
      if (failures.size >= REMEMBERED_MAX) failures.clear();
      failures.set(who, { count: 1, until: Date.now() + 60_000 });
    } else f.count++;
  };

  const accountKey = (a: AccountRow) => `${a.kind}:${a.id}`;
  const isLocked = (a: AccountRow, at: Date) =>
    (a.locked_until != null && new Date(a.locked_until) > at) ||
    (unwritten.get(accountKey(a))?.lockedUntil ?? 0) > at.getTime();

  /** One more failure in a row for the account: LOCKOUT_ATTEMPTS of them lock it. */
  async function countFailure(account: AccountRow, at: Date) {
    const until = new Date(at.getTime() + settings.lockoutMinutes * 60_000);
    const limit = settings.lockoutAttempts;
    // Atomic, as binds run concurrently: the failure that reaches the limit locks.
    const [t, which] = table(account);
    const written = await bestEffort(
      database.db.execute(sql`update ${t} set
      locked_until = case when failed_attempts + 1 >= ${limit} then ${until} else locked_until end,
      failed_attempts = case when failed_attempts + 1 >= ${limit} then 0 else failed_attempts + 1 end
      where ${which}`),
    );
    if (written) return;
    if (unwritten.size >= REMEMBERED_MAX) unwritten.clear();
    const u = unwritten.get(accountKey(account)) ?? { count: account.failed_attempts, lockedUntil: 0 };
    if (++u.count >= limit) Object.assign(u, { count: 0, lockedUntil: until.getTime() });
    unwritten.set(accountKey(account), u);
  }

  function remember(...proofs: string[]) {
    if (remembered.size >= REMEMBERED_MAX) {
      let drop = REMEMBERED_MAX / 10;
      for (const k of remembered.keys()) {
        if (drop-- <= 0) break;
        remembered.delete(k);
      }
    }
    for (const proof of proofs) remembered.set(proof, Date.now() + limits.rememberSeconds * 1000);
  }
  const isRemembered = (proof: string | undefined) => proof !== undefined && (remembered.get(proof) ?? 0) > Date.now();

  const find = (p: Principal) =>
    database.select<AccountRow>(
      'service' in p
        ? sql`select 'service' as kind, name as id, password_hash, failed_attempts, locked_until, true as usable,
        null as changed, ${said} from services where name = ${p.service}`
        : sql`select 'person' as kind, p.id::text as id, p.password_hash, p.failed_attempts, p.locked_until,
        (p.status = 'active' and p.deleted_at is null) as usable, p.password_changed_at as changed, ${said}
        from people p
        where p.kind = 'person' and ${
          'uid' in p
            ? sql`p.uid = ${p.uid}`
            : sql`p.id = (select person_id from addresses where address = ${p.address.trim().toLowerCase()})`
        }`,
    );

  const table = (a: AccountRow) =>
    a.kind === 'person' ? [sql`people`, sql`id = ${a.id}`] : [sql`services`, sql`name = ${a.id}`];

  /**
   * The account as it is now, if its password is still the one a check proved and it has not been
   * locked meanwhile (the check waited its turn and took its time); otherwise undefined.
   */
  async function unchanged(principal: Principal, checked: AccountRow): Promise<AccountRow | undefined> {
    const [current] = await find(principal);
    const same = current?.id === checked.id && current.password_hash === checked.password_hash;
    return same && !isLocked(current, now()) ? current : undefined;
  }

  /** A proved account's failures forgotten, and its actor, if still of the password proved. */
  async function signedIn(account: AccountRow): Promise<Actor | null> {
    if (!account.usable) return null;
    unwritten.delete(accountKey(account));
    if (account.failed_attempts || account.locked_until) {
      const [t, which] = table(account);
      await bestEffort(
        database.db.execute(sql`update ${t} set failed_attempts = 0, locked_until = null where ${which}`),
      );
    }
    const who = account.kind === 'person' ? { personId: Number(account.id) } : { service: account.id };
    const actor = await actorOf(who, Number(account.said));
    // The actor (a session's or a token's) is of the password proved here: one set since, even in the
    // moment before the actor was read, refuses the sign-in rather than binding it to the new one.
    if (actor?.kind === 'person' && actor.passwordChangedAt !== timeOf(account.changed)) return null;
    return actor;
  }

  const refuseSlowly = async (): Promise<null> => {
    if (limits.throttledDelayMs) await new Promise((resolve) => setTimeout(resolve, limits.throttledDelayMs));
    return null;
  };

  /**
   * The Actor for a name and password, or null: unknown name, wrong password, leaver, locked and
   * throttled all answer alike. LOCKOUT_ATTEMPTS failures in a row lock for LOCKOUT_MINUTES.
   */
  async function authenticate(principal: Principal, password: string, source?: string): Promise<Actor | null> {
    const name = `name:${JSON.stringify(principal)}`;
    // A throttled address or name gets no query and no check, unless these very credentials
    // succeeded before (then the row is still read below, to see a change since).
    const asked = mac(`${name}\0${password}`);
    const blocked = (source !== undefined && throttled(`source:${source}`)) || throttled(name);
    if (blocked && !isRemembered(asked)) return refuseSlowly();
    let account: AccountRow | undefined = (await find(principal))[0];
    const at = now();
    const locked = account !== undefined && isLocked(account, at);
    const proof = account?.password_hash
      ? mac(`${account.kind}:${account.id}\0${account.password_hash}\0${password}`)
      : undefined;
    let ok = isRemembered(proof) && !locked;
    if (!ok) {
      if (blocked) return refuseSlowly();
      // An unknown name or a locked account costs a check all the same, so that neither can be told
      // from a wrong password; throttling bounds what that costs.
      ok = (await check(password, account?.password_hash ?? null, source)) && !locked;
      if (locked) return null;
      if (ok) {
        account = await unchanged(principal, account!);
        if (!account) return null;
        remember(proof!, asked);
        if (source) {
          if (succeeded.size >= REMEMBERED_MAX) succeeded.clear();
          succeeded.set(source, Date.now() + limits.rememberSeconds * 1000);
        }
      }
    }
    if (!ok || !account) {
      if (source) failed(`source:${source}`);
      failed(name);
      if (account) await countFailure(account, at);
      return null;
    }
    return signedIn(account);
  }
  /** Password checks running and waiting now (tests wait for a queue to fill). */
  return Object.assign(authenticate, { checks: () => hashing.load });
}

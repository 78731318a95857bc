// Start-up shared by `serve`, `migrate` and `demo`: open and migrate the database, settle the
// identifier key, make sure the national `admin` exists, and load the demo directory when due.
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { services, settings } from './db/schema.js';
import { systemActor } from './directory/actor.js';
import { createDirectory, type Directory } from './directory/directory.js';
import { describeError, DirectoryError, isDatabaseUnavailable } from './directory/errors.js';
import { hashPassword, identifierHmac, randomSecret } from './directory/secrets.js';
import { demoLoaded, loadDemo } from './demo/demo.js';

/** IDENTIFIER_KEY, or a key kept in DATA_DIR/identifier.key (made once, readable by the owner only). */
function identifierKey(config: Config, log: Logger): string {
  if (config.IDENTIFIER_KEY) return config.IDENTIFIER_KEY;
  const file = join(config.DATA_DIR, 'identifier.key');
  if (!existsSync(file)) {
    mkdirSync(config.DATA_DIR, { recursive: true });
    // Written whole under a name of its own, then linked into place: link fails if the file exists,
    // so of two servers starting at once on a new DATA_DIR one key wins and both read it.
    const draft = `${file}.${process.pid}`;
    writeFileSync(draft, randomSecret(32) + '\n', { mode: 0o600 });
    try {
      linkSync(draft, file);
      log.info({ file }, 'generated the identifier key');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(draft);
    }
  }
  if (config.DATABASE_URL)
    log.warn(
      { file },
      'IDENTIFIER_KEY is unset: using the key file; set IDENTIFIER_KEY when several servers share the database',
    );
  return readFileSync(file, 'utf8').trim();
}

/** HMACs made with one key are useless with another: refuse to start with a different key. */
async function checkKey(database: Database, key: string): Promise<void> {
  const check = identifierHmac(key, 'ni', 'key-check');
  // The first server to start records its key's check; every server (the first included, should
  // another have recorded one at the same moment) then compares with what is recorded.
  await database.db.insert(settings).values({ key: 'identifier_key_check', value: check }).onConflictDoNothing();
  const [row] = await database.db.select().from(settings).where(eq(settings.key, 'identifier_key_check'));
  if (row.value !== check)
    throw new Error(
      'IDENTIFIER_KEY differs from the key this database was made with: ' +
        'NI-number and date-of-birth matching would fail. Use the original key.',
    );
}

/** The national administrator `admin` (cn=admin,ou=Services): ADMIN_PASSWORD, or a random one printed once. */
async function ensureAdmin(directory: Directory, database: Database, config: Config, log: Logger): Promise<void> {
  const [existing] = await database.db.select().from(services).where(eq(services.name, 'admin'));
  if (existing) return;
  const password = config.ADMIN_PASSWORD ?? randomSecret(12);
  try {
    await directory.createService(systemActor, {
      name: 'admin',
      description: 'National administrator',
      grants: [{ role: 'national_admin' }],
    });
  } catch (err) {
    // Another server on the same database, starting at the same moment, made it first.
    if (err instanceof DirectoryError && err.code === 'service.exists') return;
    throw err;
  }
  await database.db
    .update(services)
    .set({ passwordHash: await hashPassword(password) })
    .where(eq(services.name, 'admin'));
  if (config.ADMIN_PASSWORD) log.info('created the national administrator "admin" with ADMIN_PASSWORD');
  else log.warn(`created the national administrator "admin" with the password ${password} (shown once: keep it)`);
}

/** The database opened, the directory on it, and what makes that database ready for it. */
async function openCore(config: Config, log: Logger, opts: { demo?: boolean }) {
  const database = await openDatabase(config);
  try {
    const key = identifierKey(config, log);
    const directory = createDirectory(database, {
      mailDomain: config.MAIL_DOMAIN,
      identifierKey: key,
      leaverRetentionDays: config.LEAVER_RETENTION_DAYS,
      lockoutAttempts: config.LOCKOUT_ATTEMPTS,
      lockoutMinutes: config.LOCKOUT_MINUTES,
      entryCacheSize: config.ENTRY_CACHE_SIZE,
      entryCacheMb: config.ENTRY_CACHE_MB,
    });
    // Migrate, check the key, make `admin`, load the demo when due: each step is safe to repeat.
    const prepare = async () => {
      await database.migrate();
      await checkKey(database, key);
      await ensureAdmin(directory, database, config, log);
      const wanted = opts.demo ?? (config.DEMO === 'true' || (config.DEMO === 'auto' && database.kind === 'pglite'));
      if (wanted && !(await demoLoaded(database))) {
        // DEMO=auto fills only an empty embedded database; DEMO=true fills any database once.
        const [{ n }] = await database.query<{ n: number }>('select count(*)::int as n from people');
        if (config.DEMO === 'true' || opts.demo || n === 0) await loadDemo(directory, log);
      }
    };
    return { database, directory, prepare };
  } catch (err) {
    await database.close();
    throw err;
  }
}

export async function startCore(config: Config, log: Logger, opts: { demo?: boolean } = {}) {
  const { database, directory, prepare } = await openCore(config, log, opts);
  try {
    await prepare();
    return { database, directory };
  } catch (err) {
    await database.close();
    throw err;
  }
}

/** Start-up's retries while the database cannot be reached: the first soon, then less often, up to this. */
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5_000;

/**
 * `serve`'s start-up (issue 15): as startCore, but a PostgreSQL server that cannot be reached does
 * not stop it. The directory then refuses everything with DatabaseUnavailable (REST 503, LDAP
 * unavailable, /readyz 503 naming the database) while the same steps are tried again here, backing
 * off up to RETRY_MAX_MS; once they succeed (migrations under their advisory lock) it serves, with
 * no restart. `ready` resolves true then (at once when the database answered), or false when
 * `stop` came first. Any other failure of the first attempt (a wrong IDENTIFIER_KEY) stops start-up.
 */
export async function startServing(config: Config, log: Logger) {
  const { database, directory, prepare } = await openCore(config, log, {});
  try {
    await prepare();
    return { database, directory, ready: Promise.resolve(true), stop: () => {} };
  } catch (err) {
    if (database.kind !== 'postgres' || !isDatabaseUnavailable(err)) {
      await database.close();
      throw err;
    }
    const why = (e: unknown) =>
      isDatabaseUnavailable(e)
        ? `cannot reach the database ${database.name} (DATABASE_URL): ${describeError(e).message}`
        : `cannot prepare the database ${database.name}: ${describeError(e).message}`;
    let stopped = false;
    let wake = () => {};
    let waiting = why(err);
    directory.setWaiting(waiting);
    log.warn(`${waiting}; serving nothing (REST 503, LDAP unavailable) until it answers`);
    const ready = (async () => {
      for (let delay = RETRY_FIRST_MS; ; delay = Math.min(2 * delay, RETRY_MAX_MS)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, delay).unref();
        });
        if (stopped) return false;
        try {
          await prepare();
          directory.setWaiting(undefined);
          log.info(`reached the database ${database.name} and migrated it: serving`);
          return true;
        } catch (e) {
          if (stopped) return false;
          // Said once, not every retry: the same failure again is no news.
          if (why(e) !== waiting) {
            waiting = why(e);
            directory.setWaiting(waiting);
            if (isDatabaseUnavailable(e)) log.warn(`${waiting}; trying again`);
            else log.error(`${waiting}; trying again`);
          }
        }
      }
    })();
    const stop = () => {
      stopped = true;
      wake();
    };
    return { database, directory, ready, stop };
  }
}

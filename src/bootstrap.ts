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
import { DirectoryError } from './directory/errors.js';
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

export async function startCore(config: Config, log: Logger, opts: { demo?: boolean } = {}) {
  const database = await openDatabase(config);
  try {
    await database.migrate();
    const key = identifierKey(config, log);
    await checkKey(database, key);
    const directory = createDirectory(database, {
      mailDomain: config.MAIL_DOMAIN,
      identifierKey: key,
      leaverRetentionDays: config.LEAVER_RETENTION_DAYS,
      lockoutAttempts: config.LOCKOUT_ATTEMPTS,
      lockoutMinutes: config.LOCKOUT_MINUTES,
      entryCacheSize: config.ENTRY_CACHE_SIZE,
      entryCacheMb: config.ENTRY_CACHE_MB,
    });
    await ensureAdmin(directory, database, config, log);
    const wanted = opts.demo ?? (config.DEMO === 'true' || (config.DEMO === 'auto' && database.kind === 'pglite'));
    if (wanted && !(await demoLoaded(database))) {
      // DEMO=auto fills only an empty embedded database; DEMO=true fills any database once.
      const [{ n }] = await database.query<{ n: number }>('select count(*)::int as n from people');
      if (config.DEMO === 'true' || opts.demo || n === 0) await loadDemo(directory, log);
    }
    return { database, directory };
  } catch (err) {
    await database.close();
    throw err;
  }
}

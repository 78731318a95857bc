// `nhsdir serve`: start the core, listen, sweep expired leavers hourly, shut down cleanly. Without
// its database at start-up it listens all the same and serves once start-up has reached it.
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import { limitConnections } from './http/limits.js';
import { startServing } from './bootstrap.js';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { systemActor } from './directory/actor.js';
import type { Directory } from './directory/directory.js';
import { describeError } from './directory/errors.js';
import { Dit } from './ldap/mapping.js';
import { startLdapServer } from './ldap/server.js';
import { createSync } from './sync/runs.js';
import { loadSchedule, startScheduler } from './sync/scheduler.js';
import { version } from './version.js';

export async function serve(config: Config, log: Logger) {
  const { database, directory, ready, stop } = await startServing(config, log);
  // Should start-up fail after this (a port in use), what is open is closed again, last first: the
  // embedded database then writes its files and frees DATA_DIR, and the process can exit.
  const opened: (() => Promise<unknown>)[] = [() => database.close(), async () => stop()];
  try {
    return await listen(config, log, { database, directory, ready, stopStarting: stop }, opened);
  } catch (err) {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    throw err;
  }
}

interface Started {
  database: Database;
  directory: Directory;
  /** True once the database is ready (at once, unless start-up is still waiting for it). */
  ready: Promise<boolean>;
  stopStarting: () => void;
}

async function listen(
  config: Config,
  log: Logger,
  { database, directory, ready, stopStarting }: Started,
  opened: (() => Promise<unknown>)[],
) {
  const unwatch = await directory.watchChanges();
  opened.push(async () => unwatch?.());
  const app = await buildApp(
    directory,
    { loggerInstance: log },
    { ldapSuffix: config.LDAP_SUFFIX, leaverThreshold: config.SYNC_LEAVER_THRESHOLD },
  );
  opened.push(() => app.close());
  limitConnections(
    app.server,
    {
      maxConnections: config.HTTP_MAX_CONNECTIONS,
      perAddress: config.HTTP_MAX_CONNECTIONS_PER_ADDRESS,
      headersSeconds: config.HTTP_HEADERS_SECONDS,
      requestSeconds: config.HTTP_REQUEST_SECONDS,
    },
    log,
  );
  await app.listen({ host: config.HOST, port: config.HTTP_PORT });
  const ldap = await startLdapServer({
    directory,
    dit: new Dit(config.LDAP_SUFFIX),
    anonymous: config.LDAP_ANONYMOUS,
    sizeCap: config.LDAP_SIZE_LIMIT,
    vendorVersion: version,
    host: config.HOST,
    port: config.LDAP_PORT,
    ldapsPort: config.LDAPS_PORT,
    certFile: config.TLS_CERT_FILE,
    keyFile: config.TLS_KEY_FILE,
    idleSeconds: config.LDAP_IDLE_SECONDS,
    log,
    pduSeconds: config.LDAP_PDU_SECONDS,
    maxConnections: config.LDAP_MAX_CONNECTIONS,
    maxAnonymousPerAddress: config.LDAP_MAX_ANONYMOUS_PER_ADDRESS,
  });
  const sweep = async () => {
    try {
      const gone = await directory.softDeleteExpiredLeavers(systemActor);
      if (gone.length) log.info({ count: gone.length }, 'soft-deleted leavers past LEAVER_RETENTION_DAYS');
    } catch (err) {
      log.error({ error: describeError(err) }, 'leaver retention sweep failed; will retry');
    }
  };
  // Read now: a schedule that cannot be read stops start-up, with or without the database.
  const schedule = config.SYNC_SCHEDULE ? loadSchedule(config.SYNC_SCHEDULE) : null;
  let stopping = false;
  let scheduler: ReturnType<typeof startScheduler> | null = null;
  let timer: NodeJS.Timeout | undefined;
  // The sweep and the schedule start once the database is ready.
  const first = ready.then(async (isReady) => {
    if (!isReady || stopping) return;
    scheduler = schedule
      ? startScheduler(
          createSync(directory, config.SYNC_LEAVER_THRESHOLD),
          schedule,
          log,
          undefined,
          database.leadership(), // issue 15: one node runs the schedule
        )
      : null;
    timer = setInterval(sweep, 3_600_000);
    timer.unref();
    await sweep();
  });

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    stopStarting();
    await first;
    clearInterval(timer);
    await scheduler?.stop();
    await unwatch?.();
    await ldap.close();
    await app.close();
    // PGlite writes its files on close: closing it is what keeps the embedded data safe.
    await database.close();
    log.info('stopped');
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  // Announced only now: a signal sent on reading these lines finds its handler in place.
  log.info(
    `LDAP on ldap://${config.HOST}:${ldap.port}` +
      `${ldap.ldapsPort ? ` and ldaps://${config.HOST}:${ldap.ldapsPort}` : ''}, base ${config.LDAP_SUFFIX}`,
  );
  log.info(
    `REST API on http://${config.HOST}:${config.HTTP_PORT} (health at /healthz), database: ` +
      (database.kind === 'pglite' ? `embedded in ${config.DATA_DIR}` : 'PostgreSQL'),
  );
  log.info(
    'sign in as "admin" (ADMIN_PASSWORD, or the password printed when it was created), ' +
      'or with a demo account: demo.admin, demo.la, demo.user, password "demo"',
  );
  return { app, ldap, database, directory, stop };
}

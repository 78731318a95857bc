// The `nhsdir` command: serve | migrate | demo | sync | export | token.
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startCore } from './bootstrap.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { describeError, DirectoryError, isDatabaseUnavailable } from './directory/errors.js';
import { createWriteStream, existsSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { systemActor } from './directory/actor.js';
import { exportStream, formats, type Format } from './export/export.js';
import { serve } from './server.js';
import { syncCommand } from './sync/sync.command.js';

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

const help: Record<string, string> = {
  '': `nhsdir: the NHS staff directory (LDAP and REST over one PostgreSQL directory)

usage: nhsdir <command> [options]

commands:
  serve     migrate, load the demo when due, serve LDAP and REST
  migrate   apply database migrations and exit
  demo      load the demo directory (once) and exit
  sync      run a staff or organisation feed and print its report
  export    write an organisation's address book
  token     create a service-account token
  restore   bring back a soft-deleted leaver

Configuration comes from environment variables (see README). 'nhsdir <command> --help' for more.`,
  serve:
    'usage: nhsdir serve\n\nStarts the directory with the configuration from the environment ' +
    '(DATABASE_URL, DATA_DIR, HOST, HTTP_PORT, ...).',
  migrate: 'usage: nhsdir migrate\n\nApplies the migrations in migrations/ to the configured database and exits.',
  demo: 'usage: nhsdir demo\n\nLoads the demo directory into the configured database, unless it is already there.',
  sync: `usage: nhsdir sync --connector NAME [--org CODE] [--file PATH] [--config FILE]
                   [--dry-run] [--json] [--progress]

Runs one feed through a connector and prints its report (--json: the report as JSON).
  csv, esr           a staff file for the organisation --org
  ods                organisation reference data (no --org)
  ods-successions    predecessor_code,successor_code,effective_date (no --org)
  ldap               pull the people of another directory for --org; --config is a JSON file
                     with url, bind_dn, password, base, filter, attributes (see README)
Exit status: 0 applied or dry run, 1 rejected or failed, 3 held for approval.
A progress line is shown when standard error is a terminal, or with --progress.`,
  export:
    'usage: nhsdir export --org CODE --format vcard|vcard4|csv|ldif [--out FILE]\n\n' +
    "Writes the organisation's address book to FILE, or to standard output.",
  token:
    'usage: nhsdir token create --service NAME\n\n' +
    'Prints a new bearer token for the service account NAME (valid one year). It is shown once.',
  restore: `usage: nhsdir restore --uid UID

Brings back a leaver who was soft-deleted after LEAVER_RETENTION_DAYS, with their uid and address:
they are a leaver again (administrators of their organisation see them) and the retention period
starts afresh. A national administrator does the same with POST /api/v1/people/{uid}/restore.`,
};

/** The configuration once read: the error message names the setting that a failure points at. */
let loaded: Config | undefined;

/** The environment variable that set a port, to name it in a message. */
function portSetting(port: unknown): string | undefined {
  if (!loaded || typeof port !== 'number') return undefined;
  const ports = [
    ['HTTP_PORT', loaded.HTTP_PORT],
    ['LDAP_PORT', loaded.LDAP_PORT],
    ['LDAPS_PORT', loaded.LDAPS_PORT],
  ] as const;
  return ports.find(([, p]) => p === port)?.[0];
}

/**
 * A failure as one line for whoever ran the command: what went wrong and what setting it concerns,
 * never a stack, and of a database error never the statement and its parameters.
 */
function explain(err: unknown): string {
  if (err instanceof ConfigError || err instanceof DirectoryError) return err.message;
  const e = (err ?? {}) as NodeJS.ErrnoException & { port?: number; address?: string };
  if (e.syscall === 'listen' && (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL')) {
    const setting = portSetting(e.port);
    const where = setting ? ` (${setting})` : '';
    if (e.code === 'EADDRINUSE') {
      return `port ${e.port} is already in use${where}: stop what is using it, or choose another port`;
    }
    if (e.code === 'EACCES') return `not allowed to listen on port ${e.port}${where}: choose a port above 1023`;
    return `cannot listen on ${e.address} (HOST): no such address on this machine`;
  }
  if (isDatabaseUnavailable(err)) {
    return `cannot reach the database${loaded?.DATABASE_URL ? ' (DATABASE_URL)' : ''}: ${describeError(err).message}`;
  }
  return describeError(err).message;
}

async function main(argv: string[]): Promise<number> {
  const [command = '', ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    strict: false,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      org: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      service: { type: 'string' },
      connector: { type: 'string' },
      file: { type: 'string' },
      uid: { type: 'string' },
      config: { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      progress: { type: 'boolean' },
    },
  });
  if (command === '--help' || command === '-h' || command === 'help' || command === '') {
    console.log(help['']);
    return command === '' ? 2 : 0;
  }
  if (!(command in help)) {
    console.error(`nhsdir: unknown command "${command}"\n\n${help['']}`);
    return 2;
  }
  if (values.help) {
    console.log(help[command]);
    return 0;
  }
  const config = loadConfig(process.env);
  loaded = config;
  // Only the server logs to standard output; commands keep it for their own output (an export).
  // An error logged anywhere shows its code and first line: a failed statement's full message holds
  // its SQL and every parameter, identifier HMACs included.
  const log = pino(
    { level: config.LOG_LEVEL, base: undefined, serializers: { err: describeError } },
    command === 'serve' ? process.stdout : pino.destination(2),
  );
  return commands[command]({ config, log, values, positionals });
}

type Values = ReturnType<typeof parseArgs>['values'];
interface Invocation {
  config: Config;
  log: pino.Logger;
  values: Values;
  positionals: string[];
}

/** The core without the demo, for one command; the database is closed whatever `fn` does. */
async function withCore(
  { config, log }: Invocation,
  fn: (directory: Awaited<ReturnType<typeof startCore>>['directory']) => Promise<number>,
): Promise<number> {
  const { database, directory } = await startCore({ ...config, DEMO: 'false' }, log, { demo: false });
  try {
    return await fn(directory);
  } finally {
    await database.close();
  }
}

/** A command's usage, on standard error, and the exit status of a wrong invocation. */
const usage = (command: string) => {
  console.error(help[command]);
  return 2;
};

const commands: Record<string, (i: Invocation) => Promise<number>> = {
  serve: async ({ config, log }) => {
    await serve(config, log);
    return -1; // keep running until a signal
  },
  migrate: (i) => migrateOrDemo(i, 'migrate'),
  demo: (i) => migrateOrDemo(i, 'demo'),
  export: async (i) => {
    const { values, config } = i;
    const format = String(values.format ?? 'vcard');
    if (typeof values.org !== 'string' || !(format in formats)) return usage('export');
    const org = values.org.toUpperCase();
    return withCore(i, async (directory) => {
      await directory.getOrganisation(org);
      const out = typeof values.out === 'string' ? createWriteStream(values.out) : process.stdout;
      await pipeline(exportStream(directory, systemActor, org, format as Format, config.LDAP_SUFFIX), out);
      if (process.stderr.isTTY && typeof values.out === 'string') console.error(`wrote ${values.out}`);
      return 0;
    });
  },
  token: async (i) => {
    const service = i.values.service;
    if (i.positionals[0] !== 'create' || typeof service !== 'string') return usage('token');
    return withCore(i, async (directory) => {
      console.log((await directory.issueServiceToken(systemActor, service)).token);
      return 0;
    });
  },
  restore: async (i) => {
    const uid = i.values.uid;
    if (typeof uid !== 'string') return usage('restore');
    return withCore(i, async (directory) => {
      const restored = await directory.restorePerson(systemActor, uid.trim().toLowerCase());
      console.log(`restored ${restored.uid} (${restored.mail}), a leaver of ${restored.orgCode ?? 'no organisation'}`);
      return 0;
    });
  },
  sync: async (i) => {
    const { values, config } = i;
    if (typeof values.connector !== 'string') return usage('sync');
    if (typeof values.file === 'string' && !existsSync(values.file)) {
      console.error(`nhsdir sync: no file ${values.file}`);
      return 2;
    }
    const connector = values.connector;
    return withCore(i, (directory) =>
      syncCommand(directory, config.SYNC_LEAVER_THRESHOLD, {
        connector,
        org: str(values.org)?.toUpperCase(),
        file: str(values.file),
        config: str(values.config),
        dryRun: !!values['dry-run'],
        json: !!values.json,
        progress: !!values.progress || !!process.stderr.isTTY,
      }),
    );
  },
};

async function migrateOrDemo({ config, log }: Invocation, command: 'migrate' | 'demo'): Promise<number> {
  const { database } = await startCore({ ...config, DEMO: 'false' }, log, { demo: command === 'demo' });
  await database.close();
  log.info(command === 'migrate' ? 'migrations applied' : 'demo directory present');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    console.error(`nhsdir: ${explain(err)}`);
    // The stack is for whoever debugs nhsdir itself, and may carry a statement's parameters.
    if (loaded?.LOG_LEVEL === 'debug' || loaded?.LOG_LEVEL === 'trace') console.error(err);
    process.exitCode = 1;
  },
);

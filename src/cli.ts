// The `nhsdir` command: serve | migrate | demo | sync | export | token.
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startCore } from './bootstrap.js';
import { ConfigError, loadConfig } from './config.js';
import { serve } from './server.js';

const help: Record<string, string> = {
  '': `nhsdir: the NHS staff directory (LDAP and REST over one PostgreSQL directory)

usage: nhsdir <command> [options]

commands:
  serve     migrate, load the demo when due, serve LDAP and REST
  migrate   apply database migrations and exit
  demo      load the demo directory (once) and exit
  sync      run a staff or organisation feed       (arrives with the sync engine)
  export    write an organisation's address book   (arrives with the REST API)
  token     create a service-account token         (arrives with the REST API)

Configuration comes from environment variables (see README). 'nhsdir <command> --help' for more.`,
  serve: 'usage: nhsdir serve\n\nStarts the directory with the configuration from the environment (DATABASE_URL, DATA_DIR, HOST, HTTP_PORT, ...).',
  migrate: 'usage: nhsdir migrate\n\nApplies the migrations in migrations/ to the configured database and exits.',
  demo: 'usage: nhsdir demo\n\nLoads the demo directory into the configured database, unless it is already there.',
  sync: 'usage: nhsdir sync --connector NAME --org CODE --file PATH [--dry-run] [--json]',
  export: 'usage: nhsdir export --org CODE --format vcard|vcard4|csv|ldif [--out FILE]',
  token: 'usage: nhsdir token create --service NAME',
};

async function main(argv: string[]): Promise<number> {
  const [command = '', ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { help: { type: 'boolean', short: 'h' } }, strict: false });
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
  const log = pino({ level: config.LOG_LEVEL, base: undefined });
  switch (command) {
    case 'serve':
      await serve(config, log);
      return -1; // keep running until a signal
    case 'migrate':
    case 'demo': {
      const { database } = await startCore({ ...config, DEMO: 'false' }, log, { demo: command === 'demo' });
      await database.close();
      log.info(command === 'migrate' ? 'migrations applied' : 'demo directory present');
      return 0;
    }
    default:
      console.error(`nhsdir ${command}: not available yet in this version`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => { if (code >= 0) process.exitCode = code; },
  (err) => {
    console.error(err instanceof ConfigError ? `nhsdir: ${err.message}` : err);
    process.exitCode = 1;
  },
);

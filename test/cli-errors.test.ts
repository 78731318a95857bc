// What `nhsdir` prints when it cannot do its work: one line saying why and naming the setting, an
// exit status of 1, never a JavaScript stack; and what it had opened is closed again.
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createServerDatabase, usingPostgres } from './helpers/db.js';
import { freePort, run } from './helpers/process.js';

/** A port something else is listening on, for as long as the test runs. */
async function busyPort(t: Test): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  t.teardown(() => new Promise<void>((r) => srv.close(() => r())));
  return (srv.address() as { port: number }).port;
}

async function environment(t: Test): Promise<Record<string, string>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nhsdir-cli-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  // No demo directory: loading it would only slow each start down.
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    HTTP_PORT: String(await freePort()),
    LDAP_PORT: String(await freePort()),
    ADMIN_PASSWORD: 'admin-password-1',
    DEMO: 'false',
  };
  if (usingPostgres) {
    const db = await createServerDatabase(process.env.DATABASE_URL!);
    t.teardown(db.drop);
    env.DATABASE_URL = db.url;
  }
  return env;
}

/** Exit status 1, and the output ends in exactly `line`, with no stack anywhere. */
async function fails(t: Test, running: ReturnType<typeof run>, line: RegExp, what: string) {
  t.equal(await running.exited, 1, `${what}: exit status`);
  const out = running.output();
  const last = out.trimEnd().split('\n').pop() ?? '';
  t.match(last, line, `${what}: ${last}`);
  t.notMatch(out, /^\s+at .+[(:]\d+/m, `${what}: no stack`);
  t.notMatch(out, /Error: |node:internal/, `${what}: no error dump`);
}

t.test('a port in use: one line naming the port and its setting; the database is closed again', async (t) => {
  const env = await environment(t);
  const http = await busyPort(t);
  const inUse = (port: number, setting: string) =>
    new RegExp(`^nhsdir: port ${port} is already in use \\(${setting}\\)`);
  await fails(t, run(['serve'], { ...env, HTTP_PORT: String(http) }), inUse(http, 'HTTP_PORT'), 'HTTP');
  const ldap = await busyPort(t);
  await fails(t, run(['serve'], { ...env, LDAP_PORT: String(ldap) }), inUse(ldap, 'LDAP_PORT'), 'LDAP');
  // What the failed starts made is kept (the administrator), and the embedded database is free for
  // the next command.
  const token = run(['token', 'create', '--service', 'admin'], env);
  t.equal(await token.exited, 0, token.output());
  t.match(token.output(), /^nhsd_[\w-]{43}$/m);
});

const embeddedOnly = { skip: usingPostgres && 'an embedded database only' };

t.test('a command against a running embedded server: one line, not a stack', embeddedOnly, async (t) => {
  const env = await environment(t);
  const server = run(['serve'], env);
  t.teardown(() => {
    server.child.kill('SIGTERM');
    return server.exited;
  });
  await server.waitFor(/REST API on http/);
  const inUse = /^nhsdir: the embedded database in .+ is in use by process \d+ \(stop it, or use the REST API\)$/;
  await fails(t, run(['export', '--org', 'RXQ'], env), inUse, 'export');
  await fails(t, run(['token', 'create', '--service', 'admin'], env), inUse, 'token');
  await fails(t, run(['migrate'], env), inUse, 'migrate');
});

t.test('a database that refuses connections: one line naming DATABASE_URL', async (t) => {
  const env = await environment(t);
  const url = `postgres://postgres@127.0.0.1:${await freePort()}/nhsdir`;
  const refused = /^nhsdir: cannot reach the database \(DATABASE_URL\): .*ECONNREFUSED/;
  await fails(t, run(['migrate'], { ...env, DATABASE_URL: url }), refused, 'migrate');
});

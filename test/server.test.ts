// From a user's side: start the service, stop it, start it again; the data stays.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { openPglite, openPostgres } from '../src/db/client.js';
import { createServerDatabase, usingPostgres } from './helpers/db.js';
import { freePort, run } from './helpers/process.js';

t.test('serve: demo on first start, data kept across a restart, clean shutdown', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nhsdir-serve-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    HTTP_PORT: String(await freePort()),
    LDAP_PORT: String(await freePort()),
    ADMIN_PASSWORD: 'admin-password-1',
  };
  if (usingPostgres) {
    const db = await createServerDatabase(process.env.DATABASE_URL!);
    t.teardown(db.drop);
    Object.assign(env, { DATABASE_URL: db.url, DEMO: 'true' });
  }
  const first = run(['serve'], env);
  await first.waitFor(/REST API on http/);
  t.match(first.output(), /loaded the demo directory/);
  t.match(first.output(), /demo\.admin, demo\.la and demo\.user sign in with the password \\"demo\\"/);
  const ready = await fetch(`http://127.0.0.1:${env.HTTP_PORT}/readyz`);
  t.equal(ready.status, 200);
  t.same(await ready.json(), { status: 'ok', database: usingPostgres ? 'postgres' : 'pglite' });
  first.child.kill('SIGTERM');
  t.equal(await first.exited, 0, 'exits cleanly on SIGTERM');
  t.match(first.output(), /"stopped"/);

  const second = run(['serve'], env);
  await second.waitFor(/REST API on http/);
  t.notMatch(second.output(), /loaded the demo directory|created the national administrator/, 'nothing loaded twice');
  if (!usingPostgres) {
    const busy = run(['export', '--org', 'RXQ'], env);
    t.equal(await busy.exited, 1, 'a second process may not open the embedded database');
    t.match(busy.output(), /in use by process/);
  }
  second.child.kill('SIGINT');
  t.equal(await second.exited, 0, 'exits cleanly on SIGINT');

  const out = join(dataDir, 'rxq.csv');
  const exported = run(['export', '--org', 'rxq', '--format', 'csv', '--out', out], env);
  t.equal(await exported.exited, 0, exported.output());
  const csv = readFileSync(out, 'utf8');
  t.ok(csv.startsWith('First Name,Last Name,Display Name,E-mail Address'));
  t.match(csv, /Jane,Smith,Jane Smith \(Northbridge Teaching Hospitals NHS Foundation Trust\),jane\.smith@nhs\.net/);
  const token = run(['token', 'create', '--service', 'admin'], env);
  t.equal(await token.exited, 0);
  t.match(token.output().trim().split('\n').pop(), /^nhsd_[A-Za-z0-9_-]{43}$/, 'a token, shown once');

  const database = usingPostgres
    ? await openPostgres(env.DATABASE_URL)
    : await openPglite({ dataDir: join(dataDir, 'pglite') });
  t.teardown(() => database.close());
  const counts = await database.query<{ kind: string; status: string; n: number }>(
    'select kind, status, count(*)::int as n from people group by 1, 2 order by 1, 2',
  );
  t.same(counts, [
    { kind: 'mailbox', status: 'active', n: 6 },
    { kind: 'person', status: 'active', n: 302 },
    { kind: 'person', status: 'leaver', n: 1 },
  ]);
  const orgs = await database.query<{ n: number }>('select count(*)::int as n from organisations');
  t.ok(orgs[0].n >= 5, 'at least five organisations');
});

t.test('a bad setting stops start-up with a message naming it', async (t) => {
  const bad = run(['serve'], { HTTP_PORT: 'eighty', LDAPS_PORT: '1636' });
  t.equal(await bad.exited, 1);
  t.match(bad.output(), /HTTP_PORT/);
  const half = run(['serve'], { LDAPS_PORT: '1636' });
  t.equal(await half.exited, 1);
  t.match(half.output(), /LDAPS_PORT: needs TLS_CERT_FILE and TLS_KEY_FILE/);
});

t.test('the command explains itself', async (t) => {
  const h = run(['--help'], {});
  t.equal(await h.exited, 0);
  t.match(h.output(), /serve .*\n.*migrate/);
  const unknown = run(['frobnicate'], {});
  t.equal(await unknown.exited, 2);
  t.match(unknown.output(), /unknown command "frobnicate"/);
  const sub = run(['export', '--help'], {});
  t.equal(await sub.exited, 0);
  t.match(sub.output(), /--format vcard\|vcard4\|csv\|ldif/);
});

t.test(
  'two servers starting at once on a new database and a new DATA_DIR both come up, with one key, one admin and one demo directory',
  { skip: !usingPostgres && 'needs PostgreSQL (DATABASE_URL): an embedded database is opened by one process' },
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nhsdir-pair-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
    const db = await createServerDatabase(process.env.DATABASE_URL!);
    t.teardown(db.drop);
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const start = (http: number, ldap: number) =>
      run(['serve'], {
        DATA_DIR: dataDir,
        DATABASE_URL: db.url,
        DEMO: 'true',
        ADMIN_PASSWORD: 'admin-password-1',
        HTTP_PORT: String(http),
        LDAP_PORT: String(ldap),
      });
    const servers = [start(ports[0], ports[1]), start(ports[2], ports[3])];
    t.teardown(() => servers.forEach((s) => s.child.kill('SIGTERM')));
    await Promise.all(servers.map((s) => s.waitFor(/REST API on http/)));
    t.equal(
      servers.filter((s) => /generated the identifier key/.test(s.output())).length,
      1,
      'one of them made the key',
    );
    const database = await openPostgres(db.url);
    t.teardown(() => database.close());
    t.same(await database.query('select name from services'), [{ name: 'admin' }]);
    t.equal(
      servers.filter((s) => /loaded the demo directory/.test(s.output())).length,
      1,
      'one of them loaded the demo',
    );
    t.same(await database.query('select count(*)::int as n from people'), [{ n: 309 }], 'once');
    for (const s of servers) {
      s.child.kill('SIGTERM');
      t.equal(await s.exited, 0, 'and stops cleanly');
    }
  },
);

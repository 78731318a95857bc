// The database out of reach: REST answers 503 with Retry-After (try again later), not 500, and logs
// a warning with the error's code and one line.
import pino from 'pino';
import t, { type Test } from 'tap';
import { openPostgres } from '../../src/db/client.js';
import { createDirectory, type Directory } from '../../src/directory/directory.js';
import { testApp } from '../helpers/app.js';
import { usingPostgres } from '../helpers/db.js';
import { testSettings } from '../helpers/directory.js';
import { ldapFixture, passwords } from '../helpers/ldap.js';
import { freePort } from '../helpers/process.js';

async function appOn(t: Test, dir: Directory) {
  const lines: string[] = [];
  const log = pino(
    { level: 'info' },
    {
      write: (s: string) => {
        lines.push(s);
      },
    },
  );
  const { call } = await testApp(t, { directory: dir, server: { loggerInstance: log } });
  return { call, lines };
}

type Answer = { statusCode: number; headers: Record<string, unknown>; json(): unknown };
const signIn = { username: 'jane.smith', password: 'x' };

function unavailable(t: Test, res: Answer, what: string) {
  t.equal(res.statusCode, 503, what);
  t.equal(res.headers['retry-after'], '5', `${what}: Retry-After`);
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(res.json(), { status: 503, code: 'service.unavailable', request_id: /\S/ });
}

t.test('PostgreSQL refusing connections: reads and writes answer 503 with Retry-After', async (t) => {
  // Nothing listens on this port: every connection is refused, as while the server restarts.
  const database = await openPostgres(`postgres://postgres@127.0.0.1:${await freePort()}/nhsdir`);
  t.teardown(() => database.close());
  const { call, lines } = await appOn(t, createDirectory(database, testSettings));
  unavailable(t, await call('GET', '/api/v1/people/jane.smith', { token: 'nhsd_some-token' }), 'a read');
  const write = { token: 'nhsd_some-token', body: { site: 'Annex' } };
  unavailable(t, await call('PATCH', '/api/v1/people/jane.smith', write), 'a write');
  unavailable(t, await call('POST', '/api/v1/auth/token', { body: signIn }), 'a sign-in');
  t.equal((await call('GET', '/readyz')).statusCode, 503, 'not ready');
  const warnings = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'database unavailable');
  t.equal(warnings.length, 3);
  t.match(warnings[0], { level: 40, error: { code: 'ECONNREFUSED' } });
  t.notMatch(lines.join('\n'), /"level":50|\bat \w+ \(|nhsd_some-token/, 'no error level, no stack, no token');
});

const pgliteOnly = { skip: usingPostgres && "PGlite only (the case above is PostgreSQL's)" };

t.test('the embedded database closed under a running server: 503', pgliteOnly, async (t) => {
  const { dir, database } = await ldapFixture(t);
  const { call } = await appOn(t, dir);
  const admin = { username: 'ann.admin@nhs.net', password: passwords.admin };
  const token = (await call('POST', '/api/v1/auth/token', { body: admin })).json().access_token;
  t.equal((await call('PATCH', '/api/v1/people/jane.smith', { token, body: { site: 'Annex' } })).statusCode, 200);
  // Closed as at shutdown; the fixture's own teardown then finds it closed already.
  const close = database.close;
  database.close = async () => undefined;
  await close();
  unavailable(t, await call('PATCH', '/api/v1/people/jane.smith', { token, body: { site: 'Annexe' } }), 'a write');
  unavailable(t, await call('GET', '/api/v1/people?q=bob', { token }), 'a search');
  unavailable(t, await call('POST', '/api/v1/auth/token', { body: signIn }), 'a sign-in');
});

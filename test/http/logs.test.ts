// What the logs and the sync run reports hold: one line per request, no secrets in URLs, no
// Authorization header or token hash, and of a statement that failed in the database its code and
// one line, never the SQL and its parameters (identifier HMACs among them).
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t, { type Test } from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { identifierHmac } from '../../src/directory/secrets.js';
import { createSync } from '../../src/sync/runs.js';
import { startScheduler } from '../../src/sync/scheduler.js';
import { testApp } from '../helpers/app.js';
import { testSettings } from '../helpers/directory.js';
import { staffCsv } from '../helpers/feeds.js';
import { ldapFixture, passwords } from '../helpers/ldap.js';

/** A pino logger whose lines the test reads back (pino writes to any object with `write`). */
function captured() {
  const lines: string[] = [];
  const log = pino(
    { level: 'info' },
    {
      write: (s: string) => {
        lines.push(...s.split('\n').filter(Boolean));
      },
    },
  );
  const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, lines, parsed, text: () => lines.join('\n') };
}

async function api(t: Test) {
  const fx = await ldapFixture(t);
  const logs = captured();
  const { call, login } = await testApp(t, { directory: fx.dir, server: { loggerInstance: logs.log } });
  return { ...fx, logs, call, login };
}

/**
 * A trigger that makes the database refuse a row, as a constraint would: a statement failing inside
 * the database whatever the core does before it. Its message is ours, so the log can be checked.
 */
async function refuseInDatabase(database: { query(sql: string): Promise<unknown> }) {
  await database.query(`create function test_refuse() returns trigger language plpgsql as $$
    begin
      if new.given_name = 'Boom' or new.site = 'boom' then
        raise exception 'refused by the test trigger' using errcode = '23514';
      end if;
      return new;
    end $$`);
  await database.query(`create trigger test_refuse before insert or update on people
    for each row execute function test_refuse()`);
}

/** What the log shows of the trigger's refusal: its SQLSTATE and its message. */
const refusal = { code: '23514', message: 'refused by the test trigger' };

/** Signs that a statement, its parameters or a secret reached the text. */
function noStatement(t: Test, text: string, secrets: string[], what: string) {
  t.notMatch(text, /Failed query|params:|insert into|update "?people|select /i, `${what}: no SQL and no parameters`);
  for (const s of secrets) t.notOk(text.includes(s), `${what}: no ${s.slice(0, 6)}…`);
}

t.test('one line per request; secrets in the query redacted; no Authorization header or token hash', async (t) => {
  const { call, login, logs } = await api(t);
  const token = await login('jane.smith@nhs.net', passwords.jane);
  logs.lines.length = 0;
  const query = `access_token=${token}&password=hunter22&q=kept&client_secret=s3cr3t&code=abc123&pwd=pw1;sig=sg1`;
  const res = await call('GET', `/api/v1/me?${query}`, { token });
  t.equal(res.statusCode, 200);
  const lines = logs.parsed();
  t.equal(lines.length, 1, `one line for one request: ${logs.text()}`);
  t.match(lines[0], {
    level: 30,
    msg: 'request completed',
    reqId: /\S/,
    req: { method: 'GET' },
    res: { statusCode: 200 },
  });
  const url = (lines[0].req as { url: string }).url;
  t.equal(
    url,
    '/api/v1/me?access_token=[REDACTED]&password=[REDACTED]&q=kept' +
      '&client_secret=[REDACTED]&code=[REDACTED]&pwd=[REDACTED]&sig=[REDACTED]',
    'any name the API does not read',
  );
  const text = logs.text();
  const hash = createHash('sha256').update(token).digest('base64url');
  for (const secret of [token, token.slice(5), hash, 'hunter22', 's3cr3t', 'abc123', 'pw1', 'sg1']) {
    t.notOk(text.includes(secret), `no ${secret.slice(0, 8)}…`);
  }
  t.notMatch(text, /authorization|bearer/i, 'no Authorization header');

  // A refused request, a 404 and a schema failure are also one line each.
  logs.lines.length = 0;
  await call('GET', '/api/v1/me?token=xyz', { token: 'nhsd_not-a-token' });
  await call('GET', '/nowhere?session=abc');
  await call('GET', '/api/v1/people?limit=lots', { token });
  t.equal(logs.lines.length, 3, logs.text());
  t.notMatch(logs.text(), /xyz|nhsd_not-a-token|session=abc/);
});

t.test('a statement refused by the database: a 500 whose log line has its code and one line only', async (t) => {
  const { database, call, login, logs } = await api(t);
  await refuseInDatabase(database);
  const admin = await login('ann.admin@nhs.net', passwords.admin);
  logs.lines.length = 0;
  const body = { site: 'boom', title: 'Matron of the ward' };
  const res = await call('PATCH', '/api/v1/people/jane.smith', { token: admin, body });
  t.equal(res.statusCode, 500);
  t.match(res.json(), { code: 'internal' });
  t.notMatch(res.body, /refused|boom|Matron/, 'nothing internal in the answer');
  const errors = logs.parsed().filter((l) => l.level === 50);
  t.equal(errors.length, 1, logs.text());
  t.match(errors[0], { reqId: res.json().request_id, msg: 'request failed', error: refusal });
  t.notOk('err' in errors[0], 'no raw error object');
  noStatement(t, logs.text(), ['Matron of the ward'], 'the log');
});

t.test('a feed failing in the database: log, run report and scheduler hold no statement or HMAC', async (t) => {
  const { dir, database, call, login, logs } = await api(t);
  await refuseInDatabase(database);
  const ni = 'QQ123456C';
  const dob = '1980-01-31';
  const key = testSettings.identifierKey;
  const hmacs = [identifierHmac(key, 'ni', ni), identifierHmac(key, 'dob', dob)];
  const csv = staffCsv(
    `E1,Alice,Feedrow,,RXA,Nurse,Ward 1,,,,,,,${ni},${dob}`,
    'E2,Boom,Feedrow,,RXA,Porter,Ward 2,,,,,,,,',
  );
  // The hazard is real: the error the core throws carries the statement and the identifier HMACs.
  const folder = mkdtempSync(join(tmpdir(), 'nhsdir-logs-'));
  t.teardown(() => rmSync(folder, { recursive: true, force: true }));
  writeFileSync(join(folder, 'direct.csv'), csv);
  const sync = createSync(dir, 0.5);
  const source = { stream: createReadStream(join(folder, 'direct.csv')) };
  const raw = await sync.runFeed(systemActor, { connector: 'csv', orgCode: 'RXA', source }).then(
    () => null,
    (err: Error) => err,
  );
  t.ok(raw && hmacs.every((h) => raw.message.includes(h)), 'the raw error holds the HMACs (what must not be logged)');

  const connector = await login('rxa-feed', passwords.feed);
  logs.lines.length = 0;
  const res = await call('POST', '/api/v1/organisations/RXA/feeds', { token: connector, body: csv, type: 'text/csv' });
  t.equal(res.statusCode, 500);
  t.match(
    logs.parsed().find((l) => l.level === 50),
    { error: refusal },
  );
  noStatement(t, logs.text(), hmacs, 'the log');

  const admin = await login('ann.admin@nhs.net', passwords.admin);
  type Run = { status: string; errors: { message: string }[] };
  const runs = (await call('GET', '/api/v1/sync-runs?org=RXA', { token: admin })).json().items as Run[];
  t.equal(runs.length, 2, 'both failed runs are recorded');
  for (const run of runs) {
    const message = 'The run failed and nothing was applied: refused by the test trigger';
    t.match(run, { status: 'rejected', errors: [{ line: 0, message }] });
  }
  noStatement(t, JSON.stringify(runs), hmacs, 'the run reports');

  // The scheduler's log line for the same failure.
  const drop = join(folder, 'drop');
  const sched = captured();
  mkdirSync(drop);
  writeFileSync(join(drop, 'staff.csv'), csv);
  const job = { name: 'rxa', connector: 'csv', org: 'RXA', interval_seconds: 3600, drop_folder: drop };
  const scheduler = startScheduler(sync, [job], sched.log);
  await scheduler.stop(); // waits for the run under way
  t.match(
    sched.parsed().find((l) => l.level === 50),
    { job: 'rxa', error: refusal },
  );
  noStatement(t, sched.text(), hmacs, 'the scheduler log');
});

// Feeds over REST: who may send them, the report and its status codes, held runs and approval,
// the review queue, and organisation feeds whose renames and mergers show in REST and over LDAP.
import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import { testApp } from '../helpers/app.js';
import { ldapFixture, ldapsearch, passwords } from '../helpers/ldap.js';
import { staffCsv } from '../helpers/feeds.js';

const rxa = Array.from(
  { length: 10 },
  (_, i) => `F${i},Feed,Person${String.fromCharCode(97 + i)},,RXA,Nurse,Ward ${i},,,,,,,,`,
);

async function api(t: Test) {
  const fx = await ldapFixture(t);
  const { call, login } = await testApp(t, { directory: fx.dir });
  const feed = (token: string, csv: string | Buffer, query = '', org = 'RXA') =>
    call('POST', `/api/v1/organisations/${org}/feeds${query}`, { token, body: csv, type: 'text/csv' });
  return { ...fx, call, login, feed };
}

t.test("a connector sends its own organisation's feed; nobody else's, and users not at all", async (t) => {
  const { login, feed, call } = await api(t);
  const connector = await login('rxa-feed', passwords.feed);
  const jane = await login('jane.smith@nhs.net', passwords.jane);
  t.equal((await feed(connector, staffCsv(...rxa), '', 'RXB')).statusCode, 403, "another organisation's feed");
  t.equal((await feed(jane, staffCsv(...rxa))).statusCode, 403, 'a user');
  t.equal(
    (await call('POST', '/api/v1/organisations/RXA/feeds', { body: staffCsv(...rxa), type: 'text/csv' })).statusCode,
    401,
    'no token',
  );
  const json = await call('POST', '/api/v1/organisations/RXA/feeds', { token: connector, body: { rows: [] } });
  t.equal(json.statusCode, 415, 'a JSON body is not a feed file');
  t.equal((await feed(connector, staffCsv(...rxa), '?connector=ods')).statusCode, 400, 'not a staff connector');

  const dry = await feed(connector, staffCsv(...rxa), '?dry_run=true');
  t.equal(dry.statusCode, 200);
  t.match(dry.json(), { status: 'dry_run', counts: { joiners: 10 } });
  t.equal(
    (await call('GET', '/api/v1/people/feed.persona', { token: jane })).statusCode,
    404,
    'the dry run created nobody',
  );

  const applied = await feed(connector, staffCsv(...rxa));
  t.equal(applied.statusCode, 200);
  const body = applied.json();
  t.match(body, {
    connector: 'csv',
    org_code: 'RXA',
    status: 'applied',
    counts: { rows: 10, joiners: 10, errors: 0 },
    started_at: /Z$/,
    finished_at: /Z$/,
  });
  t.match(body.changes[0], {
    action: 'joiner',
    uid: 'feed.persona',
    mail: 'feed.persona@nhs.net',
    fields: { title: 'Nurse' },
  });
  t.equal(
    (await call('GET', '/api/v1/people/feed.persona', { token: jane })).json().display_name,
    'Feed Persona (Alpha Hospitals NHS Trust)',
  );

  const garbage = await feed(connector, randomBytes(2000));
  t.equal(garbage.statusCode, 422);
  t.match(garbage.json(), { status: 'rejected', errors: [{ line: 0, message: /not a text file|not valid UTF-8/ }] });
  t.equal((await call('GET', '/api/v1/people/feed.persona', { token: jane })).json().status, 'active', 'still there');
  t.match(
    (await call('GET', '/metrics')).body,
    /nhsdir_sync_runs_total\{connector="csv",status="rejected"\} [1-9]/,
    'runs are counted by result',
  );
});

t.test("a held run: 202, its report, approval by the organisation's administrator", async (t) => {
  const { login, feed, call } = await api(t);
  const connector = await login('rxa-feed', passwords.feed);
  await feed(connector, staffCsv(...rxa));
  // The seed's 5 active people were never fed, so only fed people can leave: 6 of 15 (40%).
  const held = await feed(connector, staffCsv(...rxa.slice(0, 4)));
  t.equal(held.statusCode, 202);
  const id = held.json().run_id;
  t.match(held.json(), { status: 'held', counts: { leavers: 6 }, held_reason: /6 of 15 people \(40\.0%\)/ });
  const admin = await login('ann.admin@nhs.net', passwords.admin);
  t.equal(
    (await call('POST', `/api/v1/sync-runs/${id}/approve`, { token: connector })).statusCode,
    404,
    'a connector cannot see or approve its held run',
  );
  t.match((await call('GET', `/api/v1/sync-runs/${id}`, { token: admin })).json(), { run_id: id, status: 'held' });
  const list = await call('GET', '/api/v1/sync-runs?org=RXA&limit=1', { token: admin });
  t.match(list.json(), { items: [{ run_id: id }], next_cursor: /./ });
  const approved = await call('POST', `/api/v1/sync-runs/${id}/approve`, { token: admin });
  t.equal(approved.statusCode, 200);
  t.match(approved.json(), { run_id: id, status: 'applied', counts: { leavers: 6 } });
  t.equal((await call('POST', `/api/v1/sync-runs/${id}/approve`, { token: admin })).statusCode, 409);
  t.equal((await call('GET', '/api/v1/people/feed.personj', { token: admin })).json().status, 'leaver');
  const other = await login('national', passwords.national);
  t.equal((await call('GET', '/api/v1/sync-runs/999999', { token: other })).statusCode, 404);
});

t.test('the review queue over REST: a possible re-hire resolved as a new person', async (t) => {
  const { login, feed, call, dir } = await api(t);
  const national = await login('national', passwords.national);
  const connector = await login('rxa-feed', passwords.feed);
  await feed(national, staffCsv('B1,Rita,Return,,RXB,,,,,,,,,QQ123456A,1970-01-31'), '', 'RXB');
  const leaving = (await feed(national, staffCsv(), '', 'RXB')).json(); // 1 of RXB's 3 people: held, then approved
  t.equal((await call('POST', `/api/v1/sync-runs/${leaving.run_id}/approve`, { token: national })).statusCode, 200);
  t.equal((await dir.getPerson((await dir.loadActor({ service: 'national' }))!, 'rita.return')).status, 'leaver');
  const report = (await feed(connector, staffCsv('A9,Rita,Return,,RXA,Sister,,,,,,,,qq 12 34 56 a,1970-01-31'))).json();
  t.match(report.changes, [{ action: 'review', fields: { employee_number: 'A9', candidate_uid: 'rita.return' } }]);
  const jane = await login('jane.smith@nhs.net', passwords.jane);
  t.equal((await call('GET', '/api/v1/review-queue', { token: jane })).statusCode, 403);
  const admin = await login('ann.admin@nhs.net', passwords.admin);
  const queue = (await call('GET', '/api/v1/review-queue', { token: admin })).json();
  t.match(queue.items, [
    { org_code: 'RXA', employee_number: 'A9', given_name: 'Rita', candidate: { uid: 'rita.return', org_code: 'RXB' } },
  ]);
  t.notOk(JSON.stringify(queue).includes('QQ123456A'), 'no NI number anywhere');
  const fresh = await call('POST', `/api/v1/review-queue/${queue.items[0].id}/resolve`, {
    token: admin,
    body: { action: 'new' },
  });
  t.equal(fresh.statusCode, 200);
  t.match(fresh.json(), { uid: 'rita.return2', mail: 'rita.return2@nhs.net', org_code: 'RXA', title: 'Sister' });
  t.same((await call('GET', '/api/v1/review-queue', { token: admin })).json().items, []);
});

t.test(
  'organisation feeds: a rename shows in REST and LDAP at once; a merger moves people with their addresses',
  async (t) => {
    const { login, call, url } = await api(t);
    const national = await login('national', passwords.national);
    const admin = await login('ann.admin@nhs.net', passwords.admin);
    const ods = (csv: string, connector = 'ods') =>
      call('POST', `/api/v1/reference/organisations?connector=${connector}`, {
        token: national,
        body: csv,
        type: 'text/csv',
      });
    const row = (code: string, name: string, status: string) =>
      `"${code}","${name}","","","","","","","","","20200101","","${status}"`;
    t.equal(
      (
        await call('POST', '/api/v1/reference/organisations', {
          token: admin,
          body: row('RXC', 'X', 'A'),
          type: 'text/csv',
        })
      ).statusCode,
      403,
      'national administrators only',
    );

    const first = await ods(
      [
        row('RXA', 'Alpha Teaching Hospitals NHS Trust', 'A'),
        row('RXB', 'Beta Community NHS Trust', 'A'),
        row('RXC', 'Gamma Care NHS Trust', 'A'),
        row('RXD', 'Delta (proposed)', 'P'),
        'bad,row',
      ].join('\n'),
    );
    t.equal(first.statusCode, 200);
    t.match(first.json(), {
      status: 'applied',
      counts: { rows: 5, joiners: 1, updated: 1, unchanged: 2, errors: 1 },
      errors: [{ line: 5, column: 13 }],
    });
    t.equal(
      (await call('GET', '/api/v1/people/jane.smith', { token: admin })).json().display_name,
      'Jane Smith (Alpha Teaching Hospitals NHS Trust)',
    );
    const asJane = ['-H', url, '-D', 'jane.smith@nhs.net', '-w', passwords.jane, '-b', 'o=nhs'];
    t.same((await ldapsearch([...asJane, '(uid=john.smithson)', 'displayName'])).entries[0].attrs.displayName, [
      'John Smithson (Alpha Teaching Hospitals NHS Trust)',
    ]);
    t.match((await call('GET', '/api/v1/organisations/RXA', { token: admin })).json().previous_names, [
      { name: 'Alpha Hospitals NHS Trust' },
    ]);

    // Closing RXB without a successor would make its people leavers: held. The succession moves them.
    const closing = await ods(row('RXB', 'Beta Community NHS Trust', 'C'));
    t.equal(closing.statusCode, 202);
    t.match(closing.json().held_reason, /RXB \(2 people\)/);
    const merged = await ods(
      'predecessor_code,successor_code,effective_date\nRXB,RXC,2020-04-01\nRXZ,RXC,20200401\n',
      'ods-successions',
    );
    t.equal(merged.statusCode, 200);
    t.match(merged.json(), {
      counts: { movers: 1, errors: 1 },
      changes: [{ action: 'merge', uid: 'RXB', fields: { successor_code: 'RXC', people_moved: 2 } }],
      errors: [{ line: 3, column: 1 }],
    });
    const bob = (await call('GET', '/api/v1/people/bob.builder', { token: admin })).json();
    t.match(bob, {
      org_code: 'RXC',
      mail: 'bob.builder@nhs.net',
      status: 'active',
      display_name: 'Bob Builder (Gamma Care NHS Trust)',
    });
    t.same((await ldapsearch([...asJane, '(mail=bob.builder@nhs.net)', 'displayName'])).entries[0].attrs.displayName, [
      'Bob Builder (Gamma Care NHS Trust)',
    ]);
    t.match((await call('GET', '/api/v1/organisations/RXB', { token: admin })).json(), {
      status: 'closed',
      successor_code: 'RXC',
    });
    t.equal(
      (await ods(row('RXB', 'Beta Community NHS Trust', 'C'))).json().status,
      'applied',
      'the held closure is now a no-op',
    );
  },
);

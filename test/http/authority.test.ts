// Authority over people is ordered (issue 10): a local administrator never resets, edits, moves or
// removes someone holding a role; a move of someone active elsewhere waits for their organisation;
// grants never vanish as a side effect; a password change ends the person's other tokens.
import t, { type Test } from 'tap';
import { Client } from 'ldapts';
import { systemActor as sys } from '../../src/directory/actor.js';
import { startLdapServer } from '../../src/ldap/server.js';
import { Dit } from '../../src/ldap/mapping.js';
import pino from 'pino';
import { testApp } from '../helpers/app.js';
import { testDirectory } from '../helpers/directory.js';
import { staffCsv } from '../helpers/feeds.js';
import { passwords, seed } from '../helpers/ldap.js';

async function fixture(t: Test) {
  const { dir, database } = await testDirectory(t);
  await seed(dir);
  // Nora National works at RXA and is a national administrator; Otto administers RXB; Audrey audits.
  const nora = await dir.createJoiner(sys, { givenName: 'Nora', familyName: 'National', orgCode: 'RXA' });
  await dir.grantRole(sys, { uid: nora.uid }, { role: 'national_admin' });
  await dir.grantRole(sys, { uid: nora.uid }, { role: 'local_admin', orgCode: 'RXA' });
  const otto = await dir.createJoiner(sys, { givenName: 'Otto', familyName: 'Other', orgCode: 'RXB' });
  await dir.grantRole(sys, { uid: otto.uid }, { role: 'local_admin', orgCode: 'RXB' });
  const audrey = await dir.createJoiner(sys, { givenName: 'Audrey', familyName: 'Auditor', orgCode: 'RXA' });
  await dir.grantRole(sys, { uid: audrey.uid }, { role: 'auditor' });
  const peer = await dir.createJoiner(sys, { givenName: 'Pat', familyName: 'Peer', orgCode: 'RXA' });
  await dir.grantRole(sys, { uid: peer.uid }, { role: 'local_admin', orgCode: 'RXA' });
  for (const uid of [nora.uid, otto.uid, audrey.uid, peer.uid])
    await dir.setPassword(sys, uid, { newPassword: `${uid}-password` });
  await dir.createService(sys, {
    name: 'rxb-feed',
    password: 'rxb-feed-password',
    grants: [{ role: 'connector', orgCode: 'RXB' }],
  });
  // A leaver threshold that one leaver among these few people does not reach.
  const settings = { ldapSuffix: 'o=nhs', leaverThreshold: 0.5 };
  const { app, call, tryLogin: login } = await testApp(t, { directory: dir, settings });
  const tokens = {
    ann: (await login('ann.admin', passwords.admin))!,
    otto: (await login('otto.other', 'otto.other-password'))!,
    national: (await login('national', passwords.national))!,
    rxbFeed: (await login('rxb-feed', 'rxb-feed-password'))!,
  };
  const roles = async (uid: string) =>
    (
      await database.query<{ role: string; org_code: string | null }>(
        'select g.role, g.org_code from role_grants g join people p on p.id = g.person_id where p.uid = $1 order by g.role, g.org_code',
        [uid],
      )
    ).map((g) => `${g.role}${g.org_code ? `:${g.org_code}` : ''}`);
  return { dir, database, app, login, call, tokens, roles };
}

t.test('a local administrator cannot reset or edit anyone who holds a role', async (t) => {
  const { call, login, tokens, roles } = await fixture(t);
  for (const uid of ['nora.national', 'pat.peer', 'audrey.auditor']) {
    const reset = await call('PUT', `/api/v1/people/${uid}/password`, {
      token: tokens.ann,
      body: { new_password: 'taken-over-1' },
    });
    t.equal(reset.statusCode, 403, `${uid}: the reset is refused`);
    t.match(reset.json().detail, /only a national administrator/);
    t.equal(await login(uid, 'taken-over-1'), null, `${uid}: the new password does not sign in`);
    t.ok(await login(uid, `${uid}-password`), `${uid}: the old one still does`);
    t.equal(
      (await call('PATCH', `/api/v1/people/${uid}`, { token: tokens.ann, body: { title: 'Taken' } })).statusCode,
      403,
      `${uid}: no edit`,
    );
    t.equal(
      (await call('POST', `/api/v1/people/${uid}/leaver`, { token: tokens.ann })).statusCode,
      403,
      `${uid}: not made a leaver`,
    );
  }
  t.same(await roles('nora.national'), ['local_admin:RXA', 'national_admin'], 'her grants are as they were');
  // An ordinary member of staff is the local administrator's to manage; anyone is the national's.
  t.equal(
    (
      await call('PUT', '/api/v1/people/john.smithson/password', {
        token: tokens.ann,
        body: { new_password: 'porter-password' },
      })
    ).statusCode,
    204,
  );
  t.equal(
    (
      await call('PUT', '/api/v1/people/pat.peer/password', {
        token: tokens.national,
        body: { new_password: 'reset-by-national' },
      })
    ).statusCode,
    204,
  );
  t.ok(await login('pat.peer', 'reset-by-national'));
});

t.test('LDAP Password Modify follows the same rule', async (t) => {
  const { dir, login } = await fixture(t);
  const server = await startLdapServer({
    directory: dir,
    dit: new Dit('o=nhs'),
    anonymous: false,
    sizeCap: 500,
    vendorVersion: 'test',
    host: '127.0.0.1',
    port: 0,
    idleSeconds: 60,
    log: pino({ level: 'silent' }),
  });
  t.teardown(() => server.close());
  const client = new Client({ url: `ldap://127.0.0.1:${server.port}` });
  t.teardown(() => client.unbind());
  await client.bind('uid=ann.admin,ou=People,o=nhs', passwords.admin);
  const modify = (user: string, pw: string) => client.exop('1.3.6.1.4.1.4203.1.11.1', berPasswordModify(user, pw));
  await t.rejects(
    modify('uid=nora.national,ou=People,o=nhs', 'taken-over-2'),
    { code: 50 },
    'insufficientAccessRights',
  );
  t.equal(await login('nora.national', 'taken-over-2'), null);
  await modify('uid=john.smithson,ou=People,o=nhs', 'porter-password-2');
  t.ok(await login('john.smithson', 'porter-password-2'), 'an ordinary person is reset');
});

/** RFC 3062 PasswdModifyRequestValue: userIdentity [0], newPasswd [2]. */
function berPasswordModify(user: string, pw: string): Buffer {
  const field = (tag: number, v: string) => Buffer.concat([Buffer.from([tag, Buffer.byteLength(v)]), Buffer.from(v)]);
  const body = Buffer.concat([field(0x80, user), field(0x82, pw)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

t.test('a move of someone active elsewhere waits until their organisation lets them go', async (t) => {
  const { call, login, tokens, roles, database } = await fixture(t);
  // Otto (RXB) asks for Nora, a national administrator working at RXA: a request, nothing moves.
  const asked = await call('POST', '/api/v1/people/nora.national/joiner', {
    token: tokens.otto,
    body: {
      org_code: 'RXB',
      title: 'Taken',
    },
  });
  t.equal(asked.statusCode, 202);
  t.match(asked.json(), { uid: 'nora.national', from_org: 'RXA', to_org: 'RXB', status: 'open' });
  const nora = (await call('GET', '/api/v1/people/nora.national', { token: tokens.national })).json();
  t.match(nora, { org_code: 'RXA', title: null }, 'she is still at RXA, untouched');
  t.same(await roles('nora.national'), ['local_admin:RXA', 'national_admin'], 'no grant removed');
  t.equal(
    (
      await call('PUT', '/api/v1/people/nora.national/password', {
        token: tokens.otto,
        body: { new_password: 'taken-over-3' },
      })
    ).statusCode,
    403,
  );
  t.ok(await login('nora.national', 'nora.national-password'));
  // Asking twice makes no second request.
  t.equal(
    (
      await call('POST', '/api/v1/people/nora.national/joiner', { token: tokens.otto, body: { org_code: 'RXB' } })
    ).json().id,
    asked.json().id,
  );
  // RXA's local administrator may not release someone holding roles; a national administrator may.
  const listed = (await call('GET', '/api/v1/move-requests', { token: tokens.ann })).json().items;
  t.same(
    listed.map((r: { id: number }) => r.id),
    [asked.json().id],
    'RXA sees the request for its person',
  );
  t.same(
    (await call('GET', '/api/v1/move-requests?org=RXA', { token: tokens.otto })).statusCode,
    403,
    'RXB cannot list RXA by name',
  );
  t.equal(
    (await call('POST', `/api/v1/move-requests/${asked.json().id}/release`, { token: tokens.otto })).statusCode,
    403,
    'the asker cannot release',
  );
  t.equal(
    (await call('POST', `/api/v1/move-requests/${asked.json().id}/release`, { token: tokens.ann })).statusCode,
    403,
  );
  const released = await call('POST', `/api/v1/move-requests/${asked.json().id}/release`, { token: tokens.national });
  t.equal(released.statusCode, 200);
  t.match(released.json(), { uid: 'nora.national', mail: 'nora.national@nhs.net', org_code: 'RXB', title: 'Taken' });
  t.same(await roles('nora.national'), ['national_admin'], 'the RXA grant ended; the national one stays');
  const revoked = await database.query<{ action: string; after: { reason: string } }>(
    "select action, after from audit where target_id = 'nora.national' and action = 'role.revoke'",
  );
  t.match(revoked, [{ after: { reason: 'moved to RXB' } }], 'the grant that ended is an audited act of its own');
  t.equal(
    (await call('POST', `/api/v1/move-requests/${asked.json().id}/release`, { token: tokens.national })).statusCode,
    409,
    'once',
  );
});

t.test("an ordinary person is released by their own organisation's administrator", async (t) => {
  const { call, tokens } = await fixture(t);
  const asked = (
    await call('POST', '/api/v1/people/john.smithson/joiner', { token: tokens.otto, body: { org_code: 'RXB' } })
  ).json();
  t.equal((await call('GET', '/api/v1/people/john.smithson', { token: tokens.otto })).json().org_code, 'RXA');
  const released = await call('POST', `/api/v1/move-requests/${asked.id}/release`, { token: tokens.ann });
  t.equal(released.statusCode, 200);
  t.equal(released.json().org_code, 'RXB');
  const declined = (
    await call('POST', '/api/v1/people/jane.smith/joiner', { token: tokens.otto, body: { org_code: 'RXB' } })
  ).json();
  t.equal((await call('POST', `/api/v1/move-requests/${declined.id}/decline`, { token: tokens.ann })).statusCode, 204);
  t.equal((await call('GET', '/api/v1/move-requests', { token: tokens.ann })).json().items.length, 0, 'nothing waits');
  t.equal((await call('GET', '/api/v1/people/jane.smith', { token: tokens.otto })).json().org_code, 'RXA');
});

t.test(
  "a feed's email column asks for a move; the other organisation's feed making them a leaver completes it",
  async (t) => {
    const { call, tokens, roles } = await fixture(t);
    const feed = (token: string, org: string, ...rows: string[]) =>
      call('POST', `/api/v1/organisations/${org}/feeds`, { token, body: staffCsv(...rows), type: 'text/csv' });
    const rxb = ['B1,Nora,National,,RXB,Director,,,,,nora.national@nhs.net,,,,'];
    const first = await feed(tokens.rxbFeed, 'RXB', ...rxb);
    t.equal(first.statusCode, 200);
    t.match(first.json(), { status: 'applied', counts: { movers: 0 } });
    t.match(first.json().changes, [
      { action: 'move_requested', uid: 'nora.national', fields: { org_code: 'RXB', previous_org_code: 'RXA' } },
    ]);
    t.same(await roles('nora.national'), ['local_admin:RXA', 'national_admin'], 'no grant removed by a feed');
    const again = await feed(tokens.rxbFeed, 'RXB', ...rxb);
    t.match(again.json(), { counts: { unchanged: 1 }, changes: [] }, 'the same file again changes nothing');
    // RXA's own feed (here: its employee number, then absent) makes her a leaver: the move happens.
    await feed(tokens.national, 'RXA', 'A1,Nora,National,,RXA,,,,,,nora.national@nhs.net,,,,');
    const left = await feed(tokens.national, 'RXA', 'A2,Jane,Smith,,RXA,,,,,,jane.smith@nhs.net,,,,');
    t.match(left.json().changes, [{ action: 'leaver', uid: 'nora.national' }]);
    const nora = (await call('GET', '/api/v1/people/nora.national', { token: tokens.national })).json();
    t.match(nora, { org_code: 'RXB', status: 'active', title: 'Director', mail: 'nora.national@nhs.net' });
    t.same(await roles('nora.national'), [], 'a leaver holds nothing: each grant ended, recorded');
    const next = await feed(tokens.rxbFeed, 'RXB', ...rxb);
    t.match(next.json(), { counts: { unchanged: 1, movers: 0 } }, 'matched by employee number now');
  },
);

t.test("a local administrator's feed, review link or quota cannot reach someone holding a role", async (t) => {
  const { call, tokens, roles, dir } = await fixture(t);
  const feed = (...rows: string[]) =>
    call('POST', '/api/v1/organisations/RXA/feeds', { token: tokens.ann, body: staffCsv(...rows), type: 'text/csv' });
  // Adopted by email as an ordinary person would be, Nora is then absent from Ann's next file.
  await call('POST', '/api/v1/organisations/RXA/feeds', {
    token: tokens.national,
    body: staffCsv('A1,Nora,National,,RXA,,,,,,nora.national@nhs.net,,,,'),
    type: 'text/csv',
  });
  const renamed = await feed('A1,Evil,Mallory,,RXA,,,,,,,,,,');
  t.match(renamed.json().errors, [
    {
      message:
        /nora\.national holds a role: only the organisation's connector or a national administrator may change them/,
    },
  ]);
  const gone = await feed('A2,Jane,Smith,,RXA,,,,,,jane.smith@nhs.net,,,,');
  t.match(gone.json().errors, [{ message: /nora\.national holds a role: .* make them a leaver/ }]);
  t.match((await call('GET', '/api/v1/people/nora.national', { token: tokens.national })).json(), {
    status: 'active',
    given_name: 'Nora',
  });
  t.same(await roles('nora.national'), ['local_admin:RXA', 'national_admin']);
  t.equal(
    (await call('PUT', '/api/v1/people/nora.national/quota', { token: tokens.ann, body: { quota_mb: 50 } })).statusCode,
    403,
    'no quota change either',
  );
  // A leaver who held a role (granted again by hand) is not taken in by a local administrator.
  await dir.markLeaver(sys, 'pat.peer');
  await dir.grantRole(sys, { uid: 'pat.peer' }, { role: 'auditor' });
  t.equal(
    (await call('POST', '/api/v1/people/pat.peer/joiner', { token: tokens.otto, body: { org_code: 'RXB' } }))
      .statusCode,
    403,
  );
});

t.test('a leaver holds nothing: grants and tokens end, and coming back brings neither back', async (t) => {
  const { call, login, tokens, roles } = await fixture(t);
  const old = (await login('nora.national', 'nora.national-password'))!;
  t.equal((await call('POST', '/api/v1/people/nora.national/leaver', { token: tokens.national })).statusCode, 200);
  t.same(await roles('nora.national'), []);
  t.equal(
    (await call('POST', '/api/v1/people/nora.national/joiner', { token: tokens.otto, body: { org_code: 'RXB' } }))
      .statusCode,
    200,
    'a leaver, taken in',
  );
  t.equal((await call('GET', '/api/v1/me', { token: old })).statusCode, 401, 'her old token stays dead');
  const again = (await login('nora.national', 'nora.national-password'))!;
  t.same((await call('GET', '/api/v1/me', { token: again })).json().roles, ['user'], 'no role came back with her');
});

t.test('a password change or reset ends the other tokens of that person', async (t) => {
  const { call, login, tokens } = await fixture(t);
  const first = (await login('jane.smith', passwords.jane))!;
  const second = (await login('jane.smith', passwords.jane))!;
  const me = (token: string) => call('GET', '/api/v1/me', { token }).then((r) => r.statusCode);
  const own = await call('PUT', '/api/v1/people/jane.smith/password', {
    token: first,
    body: {
      current_password: passwords.jane,
      new_password: 'jane-new-password',
    },
  });
  t.equal(own.statusCode, 204);
  t.equal(await me(first), 200, 'the token that made the change goes on');
  t.equal(await me(second), 401, 'her other token ends');
  t.equal(
    (
      await call('PUT', '/api/v1/people/jane.smith/password', {
        token: tokens.ann,
        body: { new_password: 'reset-by-admin' },
      })
    ).statusCode,
    204,
  );
  t.equal(await me(first), 401, 'a reset ends every token, the one that changed it too');
  t.equal(await me(tokens.ann), 200, "the administrator's own token is untouched");
  const self = (await login('jane.smith', 'reset-by-admin'))!;
  t.equal(
    (await call('PUT', '/api/v1/people/jane.smith/password', { token: self, body: { new_password: 'no-current-1' } }))
      .statusCode,
    401,
    'a change of your own always needs the current password',
  );
});

t.test('grants end only as acts of their own, recorded', async (t) => {
  const { dir, roles, database } = await fixture(t);
  await dir.revokeRole(sys, { uid: 'audrey.auditor' }, { role: 'auditor' });
  t.same(await roles('audrey.auditor'), []);
  await t.rejects(dir.revokeRole(sys, { uid: 'audrey.auditor' }, { role: 'auditor' }), { code: 'validation.failed' });
  const ann = (await dir.loadActor({ personId: (await dir.getPerson(sys, 'ann.admin')).id! }))!;
  await t.rejects(dir.revokeRole(ann, { uid: 'pat.peer' }, { role: 'local_admin', orgCode: 'RXA' }), {
    code: 'auth.forbidden',
  });
  await dir.markLeaver(sys, 'pat.peer');
  t.same(await roles('pat.peer'), [], 'a leaver loses the grants for the organisation left');
  const audit = await database.query<{ target_id: string; after: { reason: string } }>(
    "select target_id, after from audit where action = 'role.revoke' order by seq",
  );
  t.match(audit, [
    { target_id: 'audrey.auditor', after: { reason: 'revoked' } },
    { target_id: 'pat.peer', after: { reason: 'leaver' } },
  ]);
});

t.test('a NUL or control character in a field is bad input, and nothing changes', async (t) => {
  const { dir } = await fixture(t);
  await t.rejects(dir.updatePerson(sys, 'jane.smith', { site: '\u0000' }), {
    code: 'validation.failed',
    fields: { site: /control/ },
  });
  await t.rejects(dir.createJoiner(sys, { givenName: 'Nul\u0000', familyName: 'Byte', orgCode: 'RXA' }), {
    code: 'validation.failed',
  });
  t.equal((await dir.getPerson(sys, 'jane.smith')).site, 'Main Hospital');
});

// The REST API through fastify's inject, on the same known directory as the LDAP tests.
import t, { type Test } from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { testApp } from '../helpers/app.js';
import { testDirectory } from '../helpers/directory.js';
import { passwords, seed } from '../helpers/ldap.js';

async function api(t: Test) {
  const { dir, database } = await testDirectory(t);
  await seed(dir);
  return { ...(await testApp(t, { directory: dir })), database };
}

t.test('sign in, who am I, sign out', async (t) => {
  const { call, login } = await api(t);
  const bad = await call('POST', '/api/v1/auth/token', { body: { username: 'jane.smith@nhs.net', password: 'wrong' } });
  t.equal(bad.statusCode, 401);
  t.equal(bad.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(bad.json(), { status: 401, code: 'auth.invalid_credentials', request_id: /\S/ });
  const ok = await call('POST', '/api/v1/auth/token', {
    body: { username: 'jane.smith@nhs.net', password: passwords.jane },
  });
  t.equal(ok.statusCode, 200);
  t.match(ok.json(), { token_type: 'Bearer', expires_in: 28800, access_token: /^nhsd_/ });
  const token = ok.json().access_token;
  const me = await call('GET', '/api/v1/me', { token });
  t.match(me.json(), { uid: 'jane.smith', mail: 'jane.smith@nhs.net', org_code: 'RXA', roles: ['user'] });
  t.notMatch(me.body, /password|hash|hmac|ni_/i, 'no secrets');
  const service = await call('GET', '/api/v1/me', { token: await login('rxa-feed', passwords.feed) });
  t.same(service.json(), { name: 'rxa-feed', roles: ['connector'], org_code: 'RXA' });
  t.equal((await call('POST', '/api/v1/auth/logout', { token })).statusCode, 204);
  t.equal((await call('GET', '/api/v1/me', { token })).statusCode, 401, 'a revoked token is dead');
  t.equal((await call('GET', '/api/v1/me')).statusCode, 401, 'no token');
});

t.test("a leaver's token stops working at once", async (t) => {
  const { dir, call, login } = await api(t);
  await dir.setPassword(systemActor, 'john.smithson', { newPassword: 'john-password' });
  const john = await login('john.smithson', 'john-password');
  t.equal((await call('GET', '/api/v1/me', { token: john })).statusCode, 200);
  const admin = await login('ann.admin@nhs.net', passwords.admin);
  t.equal((await call('POST', '/api/v1/people/john.smithson/leaver', { token: admin })).json().status, 'leaver');
  t.equal((await call('GET', '/api/v1/me', { token: john })).statusCode, 401);
});

t.test('search: by how a person matches, then by that value; pages walk every match once', async (t) => {
  const { dir, call, login } = await api(t);
  const jane = await login('jane.smith@nhs.net', passwords.jane);
  const uidsOf = (res: { json(): { items: { uid: string }[] } }) => res.json().items.map((p) => p.uid);
  t.same(uidsOf(await call('GET', '/api/v1/people?q=j', { token: jane })), [
    'jane.smith',
    'jane.smith2',
    'john.smithson',
  ]);
  // More people than a page, matching through each arm: given names, family names, an old address.
  const renamed = await dir.createJoiner(systemActor, { givenName: 'Kimmy', familyName: 'Old', orgCode: 'RXA' });
  await dir.updatePerson(systemActor, renamed.uid, { givenName: 'Tamsin' });
  for (let i = 0; i < 12; i++)
    await dir.createJoiner(systemActor, {
      givenName: `Kim${String.fromCharCode(97 + (i % 3))}`,
      familyName: `Page${i}`,
      orgCode: 'RXA',
    });
  for (let i = 0; i < 9; i++)
    await dir.createJoiner(systemActor, {
      givenName: `Lee${i}`,
      familyName: `Kimber${String.fromCharCode(99 - (i % 3))}`,
      orgCode: 'RXB',
    });
  const all = uidsOf(await call('GET', '/api/v1/people?q=kim&limit=500', { token: jane }));
  t.equal(all.length, 22);
  t.same(
    all.slice(0, 12).map((u) => u.split('.')[0]),
    ['kima', 'kima', 'kima', 'kima', 'kimb', 'kimb', 'kimb', 'kimb', 'kimc', 'kimc', 'kimc', 'kimc'],
    'given-name matches first, by name',
  );
  t.same(
    all.slice(12, 21).map((u) => u.split('.')[1].replace(/\d+$/, '')),
    ['kimbera', 'kimbera', 'kimbera', 'kimberb', 'kimberb', 'kimberb', 'kimberc', 'kimberc', 'kimberc'],
    'then family names, by name',
  );
  t.equal(all[21], 'kimmy.old', 'then old addresses: Kimmy Old, now Tamsin Old, by kimmy.old@');
  const walked: string[] = [];
  let next: string | null = null;
  do {
    const res = await call('GET', `/api/v1/people?q=kim&limit=4${next ? `&cursor=${next}` : ''}`, { token: jane });
    t.equal(res.statusCode, 200);
    walked.push(...uidsOf(res));
    next = res.json().next_cursor;
  } while (next);
  t.same(walked, all, 'pages of 4 give the same people in the same order, each once');
  t.equal(
    (
      await call(
        'GET',
        `/api/v1/people?q=kim&cursor=${Buffer.from(JSON.stringify({ a: '9.1.x' })).toString('base64url')}`,
        { token: jane },
      )
    ).statusCode,
    400,
    'a cursor naming no arm is refused',
  );
});

t.test('people: search, read, joiners, edits, and who may do what', async (t) => {
  const { call, login } = await api(t);
  const jane = await login('jane.smith@nhs.net', passwords.jane);
  const admin = await login('ann.admin@nhs.net', passwords.admin);
  const search = await call('GET', '/api/v1/people?q=jane', { token: jane });
  t.same(
    search.json().items.map((p: { uid: string }) => p.uid),
    ['jane.smith', 'jane.smith2'],
  );
  t.match(search.headers['content-type'], /^application\/json/);
  for (const found of [search, await call('GET', '/api/v1/people?q=jane', { token: jane })]) {
    t.same(
      Object.keys(found.json().items[0]).sort(),
      [
        'aliases',
        'created_at',
        'deleted_at',
        'department',
        'display_name',
        'family_name',
        'given_name',
        'mail',
        'mobile',
        'org_code',
        'org_name',
        'quota_mb',
        'site',
        'status',
        'telephone',
        'title',
        'uid',
        'updated_at',
      ],
      'the person JSON of the contract and nothing else (from the database, then from memory)',
    );
    t.same(
      found.json().items[0],
      (await call('GET', '/api/v1/people/jane.smith', { token: jane })).json(),
      'as the person reads alone',
    );
  }
  t.same(
    (await call('GET', '/api/v1/people?q=mary.jones', { token: jane }))
      .json()
      .items.map((p: { mail: string }) => p.mail),
    ['mary.evans@nhs.net'],
    'an old address finds the person',
  );
  t.equal(
    (await call('GET', '/api/v1/people?status=leaver', { token: jane })).statusCode,
    403,
    'users do not list leavers',
  );
  t.same(
    (await call('GET', '/api/v1/people?status=leaver', { token: admin }))
      .json()
      .items.map((p: { uid: string }) => p.uid),
    ['lee.leaver'],
  );
  t.equal(
    (await call('GET', '/api/v1/people/lee.leaver', { token: jane })).statusCode,
    404,
    'leavers are hidden from users',
  );
  // Pages: two at a time, with an opaque cursor.
  const first = (await call('GET', '/api/v1/people?limit=2', { token: jane })).json();
  t.equal(first.items.length, 2);
  const second = (await call('GET', `/api/v1/people?limit=2&cursor=${first.next_cursor}`, { token: jane })).json();
  t.notSame(second.items[0].uid, first.items[0].uid);
  const badCursor = await call('GET', '/api/v1/people?cursor=not-ours', { token: jane });
  t.equal(badCursor.statusCode, 400);
  // Joiners: a local administrator in their own organisation only.
  const created = await call('POST', '/api/v1/people', {
    token: admin,
    body: { given_name: 'Zoë', family_name: "D'Arcy", org_code: 'RXA', title: 'Midwife' },
  });
  t.equal(created.statusCode, 201);
  t.match(created.json(), {
    uid: 'zoe.darcy',
    mail: 'zoe.darcy@nhs.net',
    display_name: "Zoë D'Arcy (Alpha Hospitals NHS Trust)",
    title: 'Midwife',
    status: 'active',
    quota_mb: 200,
  });
  const other = await call('POST', '/api/v1/people', {
    token: admin,
    body: { given_name: 'Not', family_name: 'Mine', org_code: 'RXB' },
  });
  t.equal(other.statusCode, 403);
  t.equal(other.json().code, 'auth.forbidden');
  t.equal(
    (await call('PATCH', '/api/v1/people/bob.builder', { token: admin, body: { title: 'x' } })).statusCode,
    403,
    "another organisation's person",
  );
  // Users edit their own phone numbers and nothing else.
  t.equal(
    (await call('PATCH', '/api/v1/people/jane.smith', { token: jane, body: { mobile: '07700 900999' } })).json().mobile,
    '07700 900999',
  );
  t.equal(
    (await call('PATCH', '/api/v1/people/jane.smith', { token: jane, body: { title: 'Director' } })).statusCode,
    403,
  );
  t.equal(
    (await call('PUT', '/api/v1/people/jane.smith/quota', { token: jane, body: { quota_mb: 1024 } })).statusCode,
    403,
  );
  t.equal(
    (await call('PUT', '/api/v1/people/jane.smith/quota', { token: admin, body: { quota_mb: 1024 } })).json().quota_mb,
    1024,
  );
  const full = await call('PUT', '/api/v1/people/john.smithson/quota', { token: admin, body: { quota_mb: 1024 } });
  t.equal(full.statusCode, 409);
  t.match(full.json().detail, /RXA has \d+ mailboxes: at most 1 may be 1024 MB/);
});

t.test('bad input: a clear problem document, nothing written', async (t) => {
  const { call, login, database } = await api(t);
  const admin = await login('ann.admin@nhs.net', passwords.admin);
  const count = async () => (await database.query<{ n: number }>('select count(*)::int as n from people'))[0].n;
  const before = await count();
  const wrongType = await call('POST', '/api/v1/people', {
    token: admin,
    body: { given_name: 42, family_name: 'Smith', org_code: 'RXA' },
  });
  t.equal(wrongType.statusCode, 400);
  t.match(wrongType.json(), { code: 'validation.failed', errors: [{ field: 'body.given_name' }] });
  const unknown = await call('POST', '/api/v1/people', {
    token: admin,
    body: { given_name: 'A', family_name: 'B', org_code: 'RXA', is_admin: true },
  });
  t.equal(unknown.statusCode, 400, 'unknown fields are refused');
  const badCode = await call('POST', '/api/v1/people', {
    token: admin,
    body: { given_name: 'A', family_name: 'B', org_code: 'rx-a' },
  });
  t.equal(badCode.statusCode, 400);
  const noOrg = await call('GET', '/api/v1/organisations/ZZZ99', { token: admin });
  t.equal(noOrg.statusCode, 404);
  t.equal(noOrg.json().code, 'organisation.not_found');
  const noName = await call('POST', '/api/v1/people', {
    token: admin,
    body: { given_name: '李', family_name: 'B', org_code: 'RXA' },
  });
  t.match(noName.json(), { status: 400, code: 'person.invalid_name', errors: [{ field: 'given_name' }] });
  const huge = await call('POST', '/api/v1/people', {
    token: admin,
    body: { given_name: 'x'.repeat(2 * 1024 * 1024), family_name: 'B', org_code: 'RXA' },
  });
  t.equal(huge.statusCode, 413);
  t.equal(await count(), before, 'nothing written');
  t.equal((await call('GET', '/api/v1/nowhere', { token: admin })).json().code, 'route.not_found');
});

t.test('the OpenAPI document and Swagger UI are served', async (t) => {
  const { call } = await api(t);
  const spec = await call('GET', '/openapi.json');
  t.equal(spec.statusCode, 200);
  t.match(spec.json(), {
    openapi: /^3\./,
    paths: { '/api/v1/people': { get: {} }, '/api/v1/auth/token': { post: {} } },
  });
  t.equal((await call('GET', '/docs/')).statusCode, 200);
});

t.test('organisations: renames show at once; only national administrators change them', async (t) => {
  const { call, login } = await api(t);
  const national = await login('national', passwords.national);
  const admin = await login('ann.admin@nhs.net', passwords.admin);
  t.equal((await call('PATCH', '/api/v1/organisations/RXA', { token: admin, body: { name: 'Mine' } })).statusCode, 403);
  const renamed = await call('PATCH', '/api/v1/organisations/RXA', {
    token: national,
    body: { name: 'Alpha and Omega NHS Trust' },
  });
  t.match(renamed.json(), {
    code: 'RXA',
    name: 'Alpha and Omega NHS Trust',
    previous_names: [{ name: 'Alpha Hospitals NHS Trust' }],
  });
  t.equal(
    (await call('GET', '/api/v1/people/jane.smith', { token: admin })).json().display_name,
    'Jane Smith (Alpha and Omega NHS Trust)',
  );
  const list = await call('GET', '/api/v1/organisations?q=beta', { token: admin });
  t.same(
    list.json().items.map((o: { code: string }) => o.code),
    ['RXB'],
  );
  const quota = await call('GET', '/api/v1/organisations/RXA/quota', { token: admin });
  t.match(quota.json(), {
    org_code: 'RXA',
    tiers: [{ quota_mb: 50 }, { quota_mb: 200 }, { quota_mb: 500, limit: 1 }, { quota_mb: 1024, limit: 1 }],
  });
  t.equal((await call('GET', '/api/v1/organisations/RXB/quota', { token: admin })).statusCode, 403);
  const check = await call('GET', '/api/v1/secure-domains/check?address=someone@leeds.gcsx.gov.uk', { token: admin });
  t.same(check.json(), { address: 'someone@leeds.gcsx.gov.uk', domain: 'leeds.gcsx.gov.uk', secure: true });
  const jane = await login('jane.smith@nhs.net', passwords.jane);
  t.equal((await call('GET', '/api/v1/audit', { token: jane })).statusCode, 403, 'users do not read the audit log');
  // The change feed says who did what to whom: not for ordinary users; a local administrator reads
  // their own organisation's changes; a national administrator every change.
  t.equal(
    (await call('GET', '/api/v1/changes?after=0&limit=500', { token: jane })).statusCode,
    403,
    'users do not read the change feed',
  );
  type Change = { action: string; target_id: string };
  const seen = async (token: string) =>
    (await call('GET', '/api/v1/changes?after=0&limit=500', { token })).json().items as Change[];
  const mine = await seen(admin);
  t.ok(
    mine.some((c) => c.action === 'organisation.rename' && c.target_id === 'RXA'),
    'her organisation renamed',
  );
  t.ok(
    mine.some((c) => c.target_id === 'jane.smith'),
    'her people',
  );
  t.notOk(
    mine.some((c) => ['RXB', 'jane.smith2', 'bob.builder', 'national'].includes(c.target_id)),
    'nothing of another organisation or a service',
  );
  const all = await seen(national);
  t.ok(
    all.some((c) => c.target_id === 'bob.builder') && all.some((c) => c.target_id === 'RXB'),
    'national: everything',
  );
});

t.test("movers, own passwords, other organisations' mailboxes, and the sign-in rate limit", async (t) => {
  const { call, login } = await api(t);
  const admin = await login('ann.admin@nhs.net', passwords.admin);
  const national = await login('national', passwords.national);
  // Bob leaves Beta and joins Alpha: Alpha's administrator takes him, keeping his address.
  t.equal(
    (await call('POST', '/api/v1/people/bob.builder/leaver', { token: admin })).statusCode,
    403,
    'not her leaver to make',
  );
  await call('POST', '/api/v1/people/bob.builder/leaver', { token: national });
  const moved = await call('POST', '/api/v1/people/bob.builder/joiner', {
    token: admin,
    body: { org_code: 'RXA', title: 'Estates Officer' },
  });
  t.match(moved.json(), {
    uid: 'bob.builder',
    mail: 'bob.builder@nhs.net',
    org_code: 'RXA',
    status: 'active',
    title: 'Estates Officer',
  });
  // Own password needs the current one.
  const jane = await login('jane.smith@nhs.net', passwords.jane);
  t.equal(
    (await call('PUT', '/api/v1/people/jane.smith/password', { token: jane, body: { new_password: 'a-new-password' } }))
      .statusCode,
    401,
  );
  t.equal(
    (
      await call('PUT', '/api/v1/people/jane.smith/password', {
        token: jane,
        body: { current_password: passwords.jane, new_password: 'a-new-password' },
      })
    ).statusCode,
    204,
  );
  t.ok(await login('jane.smith@nhs.net', 'a-new-password'));
  t.equal(
    (
      await call('POST', '/api/v1/mailboxes', {
        token: admin,
        body: { name: 'Beta Desk', org_code: 'RXB', owner_uid: 'jane.smith2' },
      })
    ).statusCode,
    403,
    "another organisation's mailbox",
  );
  // Twenty sign-ins a minute from one address; the twenty-first is refused before any password check.
  let last = 0;
  for (let i = 0; i < 21; i++)
    last = (await call('POST', '/api/v1/auth/token', { body: { username: 'nobody', password: 'x' } })).statusCode;
  t.equal(last, 429);
});

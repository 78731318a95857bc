// Mailboxes over REST: administrators create, owners manage delegates; metrics; routes not yet built.
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { testApp } from '../helpers/app.js';
import { testDirectory } from '../helpers/directory.js';
import { passwords, seed } from '../helpers/ldap.js';

t.test('mailboxes, metrics, and a feed without the required columns', async (t) => {
  const { dir } = await testDirectory(t);
  await seed(dir);
  await dir.setPassword(systemActor, 'john.smithson', { newPassword: 'john-password' });
  const { app, call, login } = await testApp(t, { directory: dir });
  const admin = await login('ann.admin@nhs.net', passwords.admin);
  const jane = await login('jane.smith@nhs.net', passwords.jane);
  const john = await login('john.smithson', 'john-password');

  t.equal(
    (
      await call('POST', '/api/v1/mailboxes', {
        token: jane,
        body: {
          name: 'Cardiology Team',
          org_code: 'RXA',
          owner_uid: 'jane.smith',
        },
      })
    ).statusCode,
    403,
    'users do not create mailboxes',
  );
  const created = await call('POST', '/api/v1/mailboxes', {
    token: admin,
    body: {
      name: 'Cardiology Team',
      org_code: 'RXA',
      owner_uid: 'jane.smith',
    },
  });
  t.equal(created.statusCode, 201);
  t.match(created.json(), {
    uid: 'cardiology.team',
    mail: 'cardiology.team@nhs.net',
    owner_uid: 'jane.smith',
    delegates: [],
    listed: true,
  });
  const noOwner = await call('POST', '/api/v1/mailboxes', {
    token: admin,
    body: {
      name: 'Orphans',
      org_code: 'RXA',
      owner_uid: 'no.one',
    },
  });
  t.match(noOwner.json(), { status: 400, code: 'mailbox.no_owner' });
  const added = await call('PUT', '/api/v1/mailboxes/cardiology.team/delegates/john.smithson', {
    token: jane,
    body: {
      permission: 'send_as',
    },
  });
  t.same(
    added.json().delegates,
    [{ uid: 'john.smithson', permission: 'send_as' }],
    'the owner adds a delegate, no administrator involved',
  );
  t.equal(
    (
      await call('PUT', '/api/v1/mailboxes/cardiology.team/delegates/john.smithson', {
        token: john,
        body: {
          permission: 'full_access',
        },
      })
    ).statusCode,
    403,
    'a delegate is not the owner',
  );
  t.equal(
    (
      await call('PUT', '/api/v1/mailboxes/cardiology.team/delegates/john.smithson', {
        token: jane,
        body: { permission: 'everything' },
      })
    ).statusCode,
    400,
  );
  t.same(
    (await call('DELETE', '/api/v1/mailboxes/cardiology.team/delegates/john.smithson', { token: jane })).json()
      .delegates,
    [],
  );

  const feed = await app.inject({
    method: 'POST',
    url: '/api/v1/organisations/RXA/feeds?connector=csv',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
    payload: 'employee_number\n',
  });
  t.equal(feed.statusCode, 422);
  t.match(feed.json(), {
    status: 'rejected',
    errors: [{ line: 1, message: /lacks the columns given_name, family_name, org_code/ }],
  });

  const m = await app.inject({ method: 'GET', url: '/metrics' });
  t.equal(m.statusCode, 200);
  t.match(m.body, /nhsdir_http_requests_total\{route="\/api\/v1\/mailboxes",method="POST",status="201"\} 1/);
  t.match(m.body, /# TYPE nhsdir_ldap_operations_total counter/);
  // Latency by route as a histogram: cumulative buckets ending in +Inf, which equals the count.
  const route = 'route="/api/v1/mailboxes"';
  const buckets = [
    ...m.body.matchAll(
      new RegExp(`^nhsdir_http_request_duration_seconds_bucket\\{${route},le="([^"]+)"\\} (\\d+)$`, 'gm'),
    ),
  ];
  t.ok(buckets.length > 2, 'buckets for the route');
  t.same(buckets.at(-1)?.[1], '+Inf');
  const counts = buckets.map((b) => Number(b[2]));
  t.ok(
    counts.every((n, i) => i === 0 || n >= counts[i - 1]),
    'cumulative',
  );
  t.match(m.body, new RegExp(`^nhsdir_http_request_duration_seconds_count\\{${route}\\} ${counts.at(-1)}$`, 'm'));
});

t.test('mailbox writes say nothing of people the caller may not see', async (t) => {
  const { dir } = await testDirectory(t);
  await seed(dir);
  // jane.smith2 of RXB becomes a delegate of Jane's mailbox, then leaves; Bob Builder of RXB leaves too.
  await dir.setDelegate(systemActor, 'alpha.pharmacy', 'jane.smith2', 'send_as');
  await dir.markLeaver(systemActor, 'jane.smith2');
  await dir.markLeaver(systemActor, 'bob.builder');
  const { call, login } = await testApp(t, { directory: dir });
  const jane = await login('jane.smith@nhs.net', passwords.jane);
  const admin = await login('ann.admin@nhs.net', passwords.admin);
  const delegate = (method: 'PUT' | 'DELETE', uid: string) =>
    call(method, `/api/v1/mailboxes/alpha.pharmacy/delegates/${uid}`, {
      token: jane,
      ...(method === 'PUT' ? { body: { permission: 'send_as' } } : {}),
    });
  for (const method of ['PUT', 'DELETE'] as const) {
    const hidden = await delegate(method, 'bob.builder');
    const nobody = await delegate(method, 'no.one');
    t.same([hidden.statusCode, nobody.statusCode], [404, 404], `${method}: another organisation's leaver is not found`);
  }
  const removed = await delegate('DELETE', 'jane.smith2');
  t.equal(removed.statusCode, 200, "a delegate who has left is removed by the mailbox's owner");
  t.same(removed.json().delegates, [], 'and is gone');

  const ownedBy = (owner: string) =>
    call('POST', '/api/v1/mailboxes', { token: admin, body: { name: 'Ward 9', org_code: 'RXA', owner_uid: owner } });
  const [hidden, nobody] = [await ownedBy('bob.builder'), await ownedBy('no.one')];
  t.same([hidden.statusCode, nobody.statusCode], [400, 400]);
  t.equal(
    hidden.json().detail.replace('bob.builder', 'X'),
    nobody.json().detail.replace('no.one', 'X'),
    'a hidden owner is answered as one that does not exist',
  );
});

// The role matrix: every endpoint, asked by every kind of caller. Refused callers get 401 (no
// token), 403, or 404 where the API does not reveal that something exists; allowed callers get
// through the check (a 409 from the state an earlier allowed call left counts as through).
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { testApp } from '../helpers/app.js';
import { testDirectory } from '../helpers/directory.js';
import { staffCsv } from '../helpers/feeds.js';
import { passwords, seed } from '../helpers/ldap.js';

type Role = 'anon' | 'user' | 'otherAdmin' | 'ownAdmin' | 'connector' | 'auditor' | 'national';
const roles: Role[] = ['anon', 'user', 'otherAdmin', 'ownAdmin', 'connector', 'auditor', 'national'];
const signedIn = roles.filter((r) => r !== 'anon');

interface Case {
  method: string;
  url: string;
  body?: unknown;
  type?: string;
  allowed: Role[];
  hidden?: boolean;
}

t.test('every endpoint, every role', async (t) => {
  const { dir } = await testDirectory(t);
  await seed(dir);
  await dir.createOrganisation(systemActor, { code: 'RXC', name: 'Gamma Trust' });
  const other = await dir.createJoiner(systemActor, { givenName: 'Otto', familyName: 'Other', orgCode: 'RXB' });
  await dir.grantRole(systemActor, { uid: other.uid }, { role: 'local_admin', orgCode: 'RXB' });
  await dir.setPassword(systemActor, other.uid, { newPassword: 'other-password' });
  await dir.createService(systemActor, {
    name: 'auditor',
    password: 'auditor-password',
    grants: [{ role: 'auditor' }],
  });
  const { call, login } = await testApp(t, { directory: dir });
  const tokens: Record<Role, string | undefined> = {
    anon: undefined,
    user: await login('jane.smith@nhs.net', passwords.jane),
    otherAdmin: await login('otto.other@nhs.net', 'other-password'),
    ownAdmin: await login('ann.admin@nhs.net', passwords.admin),
    connector: await login('rxa-feed', passwords.feed),
    auditor: await login('auditor', 'auditor-password'),
    national: await login('national', passwords.national),
  };
  const applied = (
    await call('POST', '/api/v1/organisations/RXA/feeds', {
      token: tokens.national,
      body: staffCsv('Z1,Zed,Feed,,RXA,,,,,,,,,,'),
      type: 'text/csv',
    })
  ).json();

  const admins: Role[] = ['ownAdmin', 'national'];
  const writers: Role[] = ['ownAdmin', 'connector', 'national'];
  const cases: Case[] = [
    { method: 'GET', url: '/api/v1/me', allowed: signedIn },
    { method: 'GET', url: '/api/v1/people?q=jane', allowed: signedIn },
    // The connector sees its organisation's leavers (it makes them), as over LDAP (issue 12).
    { method: 'GET', url: '/api/v1/people?status=leaver', allowed: ['otherAdmin', 'connector', ...admins] },
    { method: 'GET', url: '/api/v1/people/jane.smith', allowed: signedIn },
    { method: 'GET', url: '/api/v1/people/lee.leaver', allowed: writers, hidden: true },
    {
      method: 'POST',
      url: '/api/v1/people',
      body: { given_name: 'New', family_name: 'Joiner', org_code: 'RXA' },
      allowed: writers,
    },
    { method: 'PATCH', url: '/api/v1/people/john.smithson', body: { title: 'Head Porter' }, allowed: writers },
    {
      method: 'PATCH',
      url: '/api/v1/people/jane.smith',
      body: { telephone: '0113 496 0999' },
      allowed: ['user', ...writers],
    },
    {
      method: 'PUT',
      url: '/api/v1/people/john.smithson/password',
      body: { new_password: 'a-new-password-1' },
      allowed: admins,
    },
    { method: 'PUT', url: '/api/v1/people/john.smithson/quota', body: { quota_mb: 50 }, allowed: admins },
    { method: 'POST', url: '/api/v1/people/bob.builder/joiner', body: { org_code: 'RXA' }, allowed: writers },
    { method: 'POST', url: '/api/v1/people/new.joiner/leaver', allowed: writers },
    { method: 'GET', url: '/api/v1/organisations', allowed: signedIn },
    { method: 'GET', url: '/api/v1/organisations/RXA', allowed: signedIn },
    { method: 'POST', url: '/api/v1/organisations', body: { code: 'RXD', name: 'Delta Trust' }, allowed: ['national'] },
    { method: 'PATCH', url: '/api/v1/organisations/RXC', body: { name: 'Gamma Health Trust' }, allowed: ['national'] },
    { method: 'GET', url: '/api/v1/organisations/RXA/address-book?format=csv', allowed: signedIn },
    { method: 'GET', url: '/api/v1/organisations/RXA/quota', allowed: admins },
    { method: 'GET', url: '/api/v1/secure-domains', allowed: signedIn },
    { method: 'GET', url: '/api/v1/secure-domains/check?address=a%40nhs.net', allowed: signedIn },
    { method: 'GET', url: '/api/v1/audit', allowed: ['auditor', 'national'] },
    { method: 'GET', url: '/api/v1/changes', allowed: ['otherAdmin', 'ownAdmin', 'connector', 'auditor', 'national'] },
    {
      method: 'POST',
      url: '/api/v1/mailboxes',
      body: { name: 'Alpha Theatres', org_code: 'RXA', owner_uid: 'jane.smith' },
      allowed: admins,
    },
    { method: 'GET', url: '/api/v1/mailboxes/alpha.pharmacy', allowed: signedIn },
    {
      method: 'PUT',
      url: '/api/v1/mailboxes/alpha.pharmacy/delegates/john.smithson',
      body: { permission: 'send_as' },
      allowed: ['user', ...admins],
    },
    { method: 'DELETE', url: '/api/v1/mailboxes/alpha.pharmacy/delegates/john.smithson', allowed: ['user', ...admins] },
    {
      method: 'POST',
      url: '/api/v1/organisations/RXA/feeds?dry_run=true',
      body: staffCsv('Z1,Zed,Feed,,RXA,,,,,,,,,,'),
      type: 'text/csv',
      allowed: writers,
    },
    {
      method: 'POST',
      url: '/api/v1/reference/organisations?dry_run=true',
      body: '"RXA","Alpha Hospitals NHS Trust","","","","","","","","","20200101","","A"\n',
      type: 'text/csv',
      allowed: ['national'],
    },
    { method: 'GET', url: '/api/v1/sync-runs?org=RXA', allowed: admins },
    { method: 'GET', url: `/api/v1/sync-runs/${applied.run_id}`, allowed: admins, hidden: true },
    { method: 'POST', url: `/api/v1/sync-runs/${applied.run_id}/approve`, allowed: admins, hidden: true },
    { method: 'GET', url: '/api/v1/review-queue', allowed: ['otherAdmin', ...admins] },
    { method: 'POST', url: '/api/v1/organisations/RXC/close', body: {}, allowed: ['national'] },
    { method: 'POST', url: '/api/v1/auth/logout', allowed: signedIn },
  ];
  // Who asks is part of a search: the same list asked by another organisation's administrator,
  // then by the leaver's own, then by the other again.
  const leavers = async (role: Role) =>
    (await call('GET', '/api/v1/people?status=leaver&q=lee', { token: tokens[role] }))
      .json()
      .items.map((p: { uid: string }) => p.uid);
  t.same(await leavers('otherAdmin'), [], "another organisation's leavers are not listed");
  t.same(await leavers('ownAdmin'), ['lee.leaver'], 'the same search by their own administrator lists them');
  t.same(await leavers('otherAdmin'), [], 'and still not to the other');

  for (const c of cases) {
    // Refused callers first, so that an allowed call's change cannot make a refusal look right.
    for (const role of [...roles.filter((r) => !c.allowed.includes(r)), ...c.allowed]) {
      const res = await call(c.method, c.url, { token: tokens[role], body: c.body, type: c.type });
      const what = `${c.method} ${c.url} as ${role}: ${res.statusCode}`;
      if (role === 'anon') t.equal(res.statusCode, 401, what);
      else if (!c.allowed.includes(role)) t.equal(res.statusCode, c.hidden ? 404 : 403, what);
      else
        t.ok(
          res.statusCode < 300 || res.statusCode === 409,
          `${what} ${res.statusCode >= 300 ? res.body.slice(0, 200) : ''}`,
        );
    }
  }
});

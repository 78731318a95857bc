// LDAP and REST agree, role by role, on what each caller sees (issue 12): the people (leavers and
// the soft-deleted included) over a real ldapsearch and over the REST list and single reads, and
// the change log over LDAP against the REST change feed.
import t from 'tap';
import { testApp } from '../helpers/app.js';
import { ldapFixture, ldapsearch } from '../helpers/ldap.js';
import { addEveryRole, changeReaders, credentials, expectedBeyondActive, roles, type Role } from '../helpers/roles.js';

t.test('every role sees the same over LDAP and REST', async (t) => {
  const { dir, clock, url } = await ldapFixture(t);
  await addEveryRole(dir, clock);
  const { call, login } = await testApp(t, { directory: dir });
  const ldap = (role: Role, args: string[]) =>
    ldapsearch(['-H', url, '-D', credentials[role].dn, '-w', credentials[role].password, ...args]);
  const uidsOf = (run: { entries: { attrs: Record<string, string[]> }[] }) =>
    run.entries
      .map((e) => e.attrs.uid?.[0])
      .filter((u): u is string => Boolean(u))
      .sort();

  const everyone = uidsOf(await ldap('national', ['-b', 'ou=People,o=nhs', '-s', 'one', '(objectClass=*)', 'uid']));
  let active: string[] | undefined;
  for (const role of roles) {
    const token = await login(credentials[role].username, credentials[role].password);
    const overLdap = await ldap(role, ['-b', 'ou=People,o=nhs', '-s', 'one', '(objectClass=*)', 'uid']);
    t.equal(overLdap.code, 0, `${role}: ldapsearch ${overLdap.stderr}`);
    const seenLdap = uidsOf(overLdap);
    active ??= seenLdap; // the user, first: active people only
    t.same(seenLdap, [...active, ...expectedBeyondActive[role]].sort(), `${role}: LDAP sees what the rule says`);

    // REST's list: every status for those who see leavers, active people for the rest (who may not ask).
    const all = await call('GET', '/api/v1/people?status=all&limit=200', { token });
    const list = all.statusCode === 200 ? all : await call('GET', '/api/v1/people?limit=200', { token });
    t.equal(all.statusCode, expectedBeyondActive[role].length ? 200 : 403, `${role}: may list leavers`);
    const seenList = (list.json().items as { uid: string }[]).map((p) => p.uid).sort();
    t.same(seenList, seenLdap, `${role}: the REST list agrees with LDAP`);

    // REST's single reads (cached views, the row-level check) agree too.
    const single: string[] = [];
    for (const uid of everyone) {
      const res = await call('GET', `/api/v1/people/${uid}`, { token });
      if (res.statusCode === 200) single.push(uid);
      else t.equal(res.statusCode, 404, `${role}: ${uid} is not found, not refused`);
    }
    t.same(single.sort(), seenLdap, `${role}: one by one over REST agrees with LDAP`);

    // A write to someone hidden answers as a read does: not found, never "refused" (which would say they exist).
    for (const uid of everyone.filter((u) => !single.includes(u))) {
      const writes = [
        await call('PATCH', `/api/v1/people/${uid}`, { token, body: { telephone: '0113 496 0999' } }),
        await call('POST', `/api/v1/people/${uid}/leaver`, { token }),
        await call('PUT', `/api/v1/people/${uid}/quota`, { token, body: { quota_mb: 200 } }),
        await call('PUT', `/api/v1/people/${uid}/password`, { token, body: { new_password: 'A-new-password-42' } }),
      ];
      t.same(
        writes.map((w) => w.statusCode),
        [404, 404, 404, 404],
        `${role}: writes to hidden ${uid} are not found`,
      );
    }

    // The change log over LDAP is the REST change feed.
    const feed = await call('GET', '/api/v1/changes?limit=500', { token });
    const log = await ldap(role, ['-b', 'cn=changelog', '-s', 'one', '(objectClass=*)', 'changeNumber']);
    if (!changeReaders[role]) {
      t.equal(feed.statusCode, 403, `${role}: the change feed is refused`);
      t.equal(log.code, 50, `${role}: the change log is refused (insufficientAccessRights)`);
      continue;
    }
    const seqs = (feed.json().items as { seq: number }[]).map((c) => String(c.seq));
    const numbers = log.entries.map((e) => e.attrs.changeNumber[0]);
    t.ok(seqs.length > 0, `${role}: reads changes`);
    t.same(numbers, seqs, `${role}: the LDAP change log is the REST change feed`);
  }
});

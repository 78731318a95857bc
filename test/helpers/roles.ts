// Every kind of caller over one small directory with leavers and a soft-deleted person, and what
// each must see (issue 12: one visibility rule for LDAP, REST, export and the change feed).
import { systemActor as sys, type Actor } from '../../src/directory/actor.js';
import type { Directory } from '../../src/directory/directory.js';
import { passwords, seed } from './ldap.js';

export type Role = 'user' | 'ownAdmin' | 'otherAdmin' | 'connector' | 'auditor' | 'national';
export const roles: Role[] = ['user', 'ownAdmin', 'otherAdmin', 'connector', 'auditor', 'national'];

/** How each role signs in: LDAP bind DN (under o=nhs), REST username, password. */
export const credentials: Record<Role, { dn: string; username: string; password: string }> = {
  user: { dn: 'uid=jane.smith,ou=People,o=nhs', username: 'jane.smith@nhs.net', password: passwords.jane },
  ownAdmin: { dn: 'uid=ann.admin,ou=People,o=nhs', username: 'ann.admin@nhs.net', password: passwords.admin },
  otherAdmin: { dn: 'uid=otto.other,ou=People,o=nhs', username: 'otto.other@nhs.net', password: 'other-password' },
  connector: { dn: 'cn=rxa-feed,ou=Services,o=nhs', username: 'rxa-feed', password: passwords.feed },
  auditor: { dn: 'cn=auditor,ou=Services,o=nhs', username: 'auditor', password: 'auditor-password' },
  national: { dn: 'cn=national,ou=Services,o=nhs', username: 'national', password: passwords.national },
};

/** The leavers and the soft-deleted person each role sees, beyond the active people everyone sees. */
export const expectedBeyondActive: Record<Role, string[]> = {
  user: [],
  ownAdmin: ['john.smithson'],
  otherAdmin: ['bob.builder'],
  connector: ['john.smithson'],
  auditor: [],
  national: ['bob.builder', 'john.smithson', 'lee.leaver'],
};

/** Which roles read the change log, and whether all of it (else their organisations' part). */
export const changeReaders: Partial<Record<Role, 'all' | 'own'>> = {
  ownAdmin: 'own',
  otherAdmin: 'own',
  connector: 'all',
  auditor: 'all',
  national: 'all',
};

/**
 * The LDAP seed (test/helpers/ldap.ts), plus: Otto Other, administrator of RXB; an auditor service;
 * Lee Leaver soft-deleted (the retention passed); John Smithson (RXA) and Bob Builder (RXB) leavers.
 */
export async function withEveryRole(dir: Directory, clock: { now: Date }) {
  await seed(dir);
  await addEveryRole(dir, clock);
}

/** The same, over a directory the LDAP seed is in already (ldapFixture's). */
export async function addEveryRole(dir: Directory, clock: { now: Date }) {
  const otto = await dir.createJoiner(sys, { givenName: 'Otto', familyName: 'Other', orgCode: 'RXB' });
  await dir.grantRole(sys, { uid: otto.uid }, { role: 'local_admin', orgCode: 'RXB' });
  await dir.setPassword(sys, otto.uid, { newPassword: 'other-password' });
  await dir.createService(sys, { name: 'auditor', password: 'auditor-password', grants: [{ role: 'auditor' }] });
  clock.now = new Date(clock.now.getTime() + 31 * 86_400_000);
  await dir.softDeleteExpiredLeavers(sys);
  await dir.markLeaver(sys, 'john.smithson');
  await dir.markLeaver(sys, 'bob.builder');
}

/** Each role as the core's Actor. */
export async function actorsOf(dir: Directory): Promise<Record<Role, Actor>> {
  const out = {} as Record<Role, Actor>;
  for (const role of roles) {
    const { username, password } = credentials[role];
    const name = username.includes('@') ? { uid: username.split('@')[0] } : { service: username };
    out[role] = (await dir.authenticate(name, password))!;
  }
  return out;
}

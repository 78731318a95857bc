// A directory core on a fresh test database, with a clock the test can move.
import type { Test } from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { createDirectory, type Directory } from '../../src/directory/directory.js';
import { openTestDatabase } from './db.js';

export const testSettings = {
  mailDomain: 'nhs.net',
  identifierKey: 'test-identifier-key-0123456789abcdef',
  leaverRetentionDays: 30,
  lockoutAttempts: 3,
  lockoutMinutes: 15,
  // Small, so that the tests' few people soon make it warm: searches then read ids, then memory.
  entryCacheSize: 100,
};

export async function testDirectory(t: Test) {
  const database = await openTestDatabase();
  const clock = { now: new Date('2026-01-05T09:00:00Z') };
  const dir = createDirectory(database, testSettings, () => clock.now);
  // On PostgreSQL the read cache is used only while other processes' writes are followed, as in `serve`.
  const unwatch = await Promise.resolve(dir.watchChanges()).catch(async (err) => {
    await database.close();
    throw err;
  });
  t.teardown(async () => {
    await unwatch?.();
    await database.close();
  });
  return { database, dir, clock };
}

/** Organisations RXA "Alpha Hospitals NHS Trust" and RXB "Beta Community NHS Trust". */
export async function withTwoOrgs(dir: Directory) {
  await dir.createOrganisation(systemActor, { code: 'RXA', name: 'Alpha Hospitals NHS Trust' });
  await dir.createOrganisation(systemActor, { code: 'RXB', name: 'Beta Community NHS Trust' });
}

/** A person who is local administrator of `org`, as an Actor. */
export async function localAdmin(dir: Directory, org: string, given = 'Local', family = `Admin${org}`) {
  const p = await dir.createJoiner(systemActor, { givenName: given, familyName: family, orgCode: org });
  await dir.grantRole(systemActor, { uid: p.uid }, { role: 'local_admin', orgCode: org });
  return (await dir.loadActor({ personId: p.id }))!;
}

export async function userActor(dir: Directory, personId: number) {
  return (await dir.loadActor({ personId }))!;
}

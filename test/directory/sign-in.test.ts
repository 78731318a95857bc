// Sign-in at mail-client rates (issue 13): a successful check is remembered, so the same credentials
// sign in again without scrypt; a changed password, a lock or a leaver is seen at once; checks run a
// few at a time and a full queue is "busy" at once; failures are throttled before any hash.
import t, { type Test } from 'tap';
import { systemActor as sys } from '../../src/directory/actor.js';
import type { Directory } from '../../src/directory/directory.js';
import { verifyPassword } from '../../src/directory/secrets.js';
import { createSignIn } from '../../src/directory/sign-in.js';
import { testDirectory, testSettings, withTwoOrgs } from '../helpers/directory.js';

const oneCheck = { hashConcurrency: 1, hashQueue: 0, rememberSeconds: 600, failuresPerMinute: 4, perSource: 8 };

async function fixture(
  t: Test,
  limits = oneCheck,
  hooks: {
    actorOf?: (who: Parameters<Directory['loadActor']>[0]) => Promise<void>;
    verify?: typeof verifyPassword;
  } = {},
) {
  const { dir, database, clock } = await testDirectory(t);
  await withTwoOrgs(dir);
  for (const [g, f] of [
    ['Jane', 'Smith'],
    ['John', 'Jones'],
    ['Sian', 'Evans'],
  ]) {
    const p = await dir.createJoiner(sys, { givenName: g, familyName: f, orgCode: 'RXA' });
    await dir.setPassword(sys, p.uid, { newPassword: `${p.uid}-password` });
  }
  const signIn = createSignIn(
    database,
    testSettings,
    () => clock.now,
    async (who) => {
      await hooks.actorOf?.(who);
      return dir.loadActor(who);
    },
    limits,
    hooks.verify,
  );
  // A password set later than the last: the clock moves on a second (it stands still otherwise).
  const later = () => (clock.now = new Date(clock.now.getTime() + 1000));
  return { dir, signIn, later };
}

t.test('a remembered sign-in needs no check: it goes through while the only check slot is busy', async (t) => {
  const { signIn } = await fixture(t);
  t.match(await signIn({ uid: 'jane.smith' }, 'jane.smith-password'), { name: 'jane.smith' }, 'checked once');
  const slow = signIn({ uid: 'john.jones' }, 'wrong-password'); // holds the one slot for a whole scrypt
  t.match(
    await signIn({ address: 'jane.smith@nhs.net' }, 'jane.smith-password'),
    { name: 'jane.smith' },
    'remembered: no slot needed',
  );
  await t.rejects(
    signIn({ uid: 'sian.evans' }, 'sian.evans-password'),
    { code: 'service.busy' },
    'a check with no room is busy at once',
  );
  t.equal(await slow, null);
  t.match(
    await signIn({ uid: 'sian.evans' }, 'sian.evans-password'),
    { name: 'sian.evans' },
    'and goes through once there is room',
  );
});

t.test('a changed password, a lock and a leaver are seen at once, remembered or not', async (t) => {
  const { dir, signIn } = await fixture(t, {
    hashConcurrency: 2,
    hashQueue: 8,
    rememberSeconds: 600,
    failuresPerMinute: 100,
    perSource: 8,
  });
  t.ok(await signIn({ uid: 'jane.smith' }, 'jane.smith-password'));
  await dir.setPassword(sys, 'jane.smith', { newPassword: 'a-new-password' });
  t.equal(await signIn({ uid: 'jane.smith' }, 'jane.smith-password'), null, 'the old password is refused');
  t.ok(await signIn({ uid: 'jane.smith' }, 'a-new-password'));
  for (let i = 0; i < testSettings.lockoutAttempts; i++) await signIn({ uid: 'jane.smith' }, 'wrong');
  t.equal(await signIn({ uid: 'jane.smith' }, 'a-new-password'), null, 'locked: refused though remembered');
  t.ok(await signIn({ uid: 'john.jones' }, 'john.jones-password'));
  await dir.markLeaver(sys, 'john.jones');
  t.equal(await signIn({ uid: 'john.jones' }, 'john.jones-password'), null, 'a leaver: refused though remembered');
});

t.test('a password reset while the old one is checked refuses that sign-in, and its token', async (t) => {
  // The check is held until the reset has committed (as when it waits its turn in a full queue).
  let reached = () => {};
  const atCheck = new Promise<void>((r) => (reached = r));
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  const { dir, signIn, later } = await fixture(t, oneCheck, {
    verify: async (password, stored) => {
      reached();
      await held;
      return verifyPassword(password, stored);
    },
  });
  const pending = signIn({ uid: 'jane.smith' }, 'jane.smith-password');
  await atCheck;
  later();
  await dir.setPassword(sys, 'jane.smith', { newPassword: 'a-new-password' });
  release();
  t.equal(await pending, null, 'the password checked is no longer hers');
  t.equal(await signIn({ uid: 'jane.smith' }, 'jane.smith-password'), null, 'nor remembered');
  t.match(await signIn({ uid: 'jane.smith' }, 'a-new-password'), { name: 'jane.smith' }, 'the new one signs in');

  // A reset after the sign-in, before its token is made: no token (the reset revoked those before it).
  const actor = (await signIn({ uid: 'jane.smith' }, 'a-new-password'))!;
  later();
  await dir.setPassword(sys, 'jane.smith', { newPassword: 'a-third-password' });
  await t.rejects(dir.issueToken(actor), { code: 'auth.invalid_credentials' }, 'no token for the old password');
  t.ok((await dir.issueToken((await signIn({ uid: 'jane.smith' }, 'a-third-password'))!)).token, 'the new one has one');
});

t.test('a reset in the moment before the actor is read refuses the sign-in', async (t) => {
  let resetNext = false;
  const { dir, signIn, later } = await fixture(t, oneCheck, {
    actorOf: async () => {
      if (!resetNext) return;
      resetNext = false;
      later();
      await dir.setPassword(sys, 'john.jones', { newPassword: 'a-new-password' });
    },
  });
  t.ok(await signIn({ uid: 'john.jones' }, 'john.jones-password'), 'remembered from here');
  resetNext = true;
  t.equal(await signIn({ uid: 'john.jones' }, 'john.jones-password'), null, 'remembered, then reset: refused');
  t.ok(await signIn({ uid: 'john.jones' }, 'a-new-password'));
});

t.test('failures are throttled per source address and per name, before any check', async (t) => {
  const { signIn } = await fixture(t, {
    hashConcurrency: 2,
    hashQueue: 8,
    rememberSeconds: 600,
    failuresPerMinute: 4,
    perSource: 8,
  });
  t.ok(await signIn({ uid: 'sian.evans' }, 'sian.evans-password', '192.0.2.1'), 'remembered before the flood');
  for (let i = 0; i < 4; i++) t.equal(await signIn({ uid: `nobody.${i}` }, 'guess', '192.0.2.1'), null);
  t.equal(
    await signIn({ uid: 'jane.smith' }, 'jane.smith-password', '192.0.2.1'),
    null,
    'that address gets no more checks this minute',
  );
  t.ok(
    await signIn({ uid: 'sian.evans' }, 'sian.evans-password', '192.0.2.1'),
    'a remembered sign-in from it still works',
  );
  t.ok(await signIn({ uid: 'jane.smith' }, 'jane.smith-password', '192.0.2.2'), 'another address is not affected');
  for (let i = 0; i < 4; i++) await signIn({ uid: 'no.body' }, 'guess', `198.51.100.${i}`);
  t.equal(await signIn({ uid: 'no.body' }, 'guess', '198.51.100.9'), null);
});

/** Until `done` (a queue filled): polled, as a check's place is taken after its account is read. */
async function until(done: () => boolean) {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
}

/** Checks held at their start while `holding`, until released one by one (first come first) or all. */
function heldChecks() {
  const waiting: (() => void)[] = [];
  const control = {
    holding: false,
    verify: (async (password, stored) => {
      if (control.holding) await new Promise<void>((r) => waiting.push(r));
      return verifyPassword(password, stored);
    }) as typeof verifyPassword,
    releaseOne: () => waiting.shift()!(),
    releaseAll: () => {
      control.holding = false;
      for (const r of waiting.splice(0)) r();
    },
  };
  return control;
}

/** A sign-in's outcome: its actor's name, null, or the error's code. */
const outcome = (p: Promise<{ name: string } | null>) =>
  p.then(
    (a) => a?.name ?? null,
    (e: { code: string }) => e.code,
  );

// An attacker's pass: a flood of wrong passwords from ten addresses, each below its allowance and
// asking again the moment it was told busy, kept every place in the queue: every sign-in was busy.
t.test('a flood that keeps the queue full gives up its places to an address that has not failed', async (t) => {
  const checks = heldChecks();
  const limits = { hashConcurrency: 1, hashQueue: 2, rememberSeconds: 600, failuresPerMinute: 30, perSource: 8 };
  const { signIn } = await fixture(t, limits, { verify: checks.verify });
  const failing = (i: number) => outcome(signIn({ uid: `nobody.${i}` }, 'guess', '203.0.113.1'));
  t.same([await failing(0), await failing(1)], [null, null], 'two failures');
  checks.holding = true;
  const held = [10, 11, 12].map(failing); // one running, two waiting
  await until(() => signIn.checks().waiting === 2);
  t.equal(await failing(99), 'service.busy', 'the queue is full for the flood');
  const jane = outcome(signIn({ uid: 'jane.smith' }, 'jane.smith-password', '192.0.2.7'));
  const john = outcome(signIn({ uid: 'john.jones' }, 'john.jones-password', '192.0.2.8'));
  t.same([await held[1], await held[2]], ['service.busy', 'service.busy'], 'the two waiting are told busy');
  checks.releaseAll();
  t.same([await jane, await john], ['jane.smith', 'john.jones'], 'addresses without failures took their places');
  t.equal(await held[0], null, 'the running check ended as a failure');
});

// The same pass from 200 addresses, one connection each: each had failed too little to rank below
// anyone, so the queue was full of places no one could take.
t.test('an address told busy again and again gives way to a new one, and that one to a known one', async (t) => {
  const checks = heldChecks();
  const limits = { hashConcurrency: 1, hashQueue: 1, rememberSeconds: 600, failuresPerMinute: 30, perSource: 8 };
  const { signIn } = await fixture(t, limits, { verify: checks.verify });
  const office = '192.0.2.7';
  t.equal(await outcome(signIn({ uid: 'jane.smith' }, 'jane.smith-password', office)), 'jane.smith');
  const flooding = () => outcome(signIn({ uid: 'no.body' }, 'guess', '203.0.113.2'));
  checks.holding = true;
  const first = outcome(signIn({ uid: 'nobody.1' }, 'guess', '203.0.113.1'));
  await until(() => signIn.checks().running === 1);
  const second = outcome(signIn({ uid: 'nobody.2' }, 'guess', '203.0.113.1'));
  await until(() => signIn.checks().waiting === 1);
  for (let i = 0; i < 3; i++) t.equal(await flooding(), 'service.busy', 'the flood is told busy');
  checks.releaseOne(); // the first ends; the second takes the place
  t.equal(await first, null);
  await until(() => signIn.checks().waiting === 0);
  const flood = flooding();
  await until(() => signIn.checks().waiting === 1);
  const sian = outcome(signIn({ uid: 'sian.evans' }, 'sian.evans-password', '198.51.100.1'));
  t.equal(await flood, 'service.busy', 'an address told busy three times gives its place to a new one');
  const john = outcome(signIn({ uid: 'john.jones' }, 'john.jones-password', office));
  t.equal(await sian, 'service.busy', 'and the new one to an address that signed someone in lately');
  checks.releaseAll();
  t.equal(await john, 'john.jones', 'a colleague at the office signs in');
  t.equal(await second, null);
});

t.test('with the primary unreachable, failures still lock the account (in this process)', async (t) => {
  const { dir, database, clock } = await testDirectory(t);
  await withTwoOrgs(dir);
  const p = await dir.createJoiner(sys, { givenName: 'Fail', familyName: 'Over', orgCode: 'RXA' });
  await dir.setPassword(sys, p.uid, { newPassword: 'the right one' });
  // Reads answer (a standby), every write is refused as a lost primary would refuse it.
  const lost = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const readOnly = {
    ...database,
    db: { ...database.db, execute: () => Promise.reject(lost) },
  } as unknown as typeof database;
  const signIn = createSignIn(
    readOnly,
    testSettings,
    () => clock.now,
    (who) => dir.loadActor(who),
  );
  const asked = (n: number) => signIn({ uid: p.uid }, `guess ${n}`, `192.0.2.${n}`);
  for (let i = 0; i < testSettings.lockoutAttempts; i++) t.equal(await asked(i), null);
  t.equal(await signIn({ uid: p.uid }, 'the right one'), null, 'locked, though nothing could be written');
  t.equal(await signIn({ address: `${p.uid}@nhs.net` }, 'the right one'), null, 'by any of its names');
  clock.now = new Date(clock.now.getTime() + (testSettings.lockoutMinutes + 1) * 60_000);
  t.ok(await signIn({ uid: p.uid }, 'the right one'), 'and free again when the lock lapses');
});

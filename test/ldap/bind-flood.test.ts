// A flood of wrong binds from one address (issue 13): after a minute's allowance of failures that
// address gets no more password checks, so it costs little CPU; a client whose credentials were
// checked before still binds from it, and the flood's queue never holds anyone else up for long.
import { Client } from 'ldapts';
import t from 'tap';
import { defaultSignInLimits } from '../../src/directory/sign-in.js';
import { ldapFixture, passwords } from '../helpers/ldap.js';

t.test('wrong binds from one address are throttled before any password check', async (t) => {
  const { url } = await ldapFixture(t);
  const bind = async (name: string, pw: string) => {
    const client = new Client({ url });
    try {
      await client.bind(name, pw);
      return 0;
    } catch (err) {
      return (err as { code?: number }).code ?? -1;
    } finally {
      await client.unbind();
    }
  };
  t.equal(await bind('jane.smith@nhs.net', passwords.jane), 0, 'Jane binds before the flood (remembered from now on)');
  const flood = Array.from(
    { length: defaultSignInLimits.failuresPerMinute },
    (_, i) => `uid=nobody${i},ou=People,o=nhs`,
  );
  for (let i = 0; i < flood.length; i += 8) {
    const codes = await Promise.all(flood.slice(i, i + 8).map((dn) => bind(dn, 'guess')));
    t.ok(
      codes.every((c) => c === 49),
      'each refused as invalid credentials',
    );
  }
  // Her password is right: had it been checked, she would be in.
  t.equal(
    await bind('uid=ann.admin,ou=People,o=nhs', passwords.admin),
    49,
    'a credential not checked before is not checked now',
  );
  t.equal(await bind('jane.smith@nhs.net', passwords.jane), 0, 'a remembered credential still binds from that address');
});

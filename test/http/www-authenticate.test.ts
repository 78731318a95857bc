// Every 401 says how to authenticate (RFC 9110 section 11.6.1): a Bearer challenge, with
// error="invalid_token" when a token was presented and refused (RFC 6750 section 3).
import t from 'tap';
import { testApp } from '../helpers/app.js';
import { ldapFixture, passwords } from '../helpers/ldap.js';

t.test('401 carries WWW-Authenticate: Bearer, with invalid_token for a refused token', async (t) => {
  const { dir } = await ldapFixture(t);
  const { call } = await testApp(t, { directory: dir });
  const plain = 'Bearer realm="nhs-directory"';
  const invalid = 'Bearer realm="nhs-directory", error="invalid_token"';

  const none = await call('GET', '/api/v1/me');
  t.equal(none.statusCode, 401);
  t.equal(none.headers['www-authenticate'], plain, 'no token: the challenge alone');
  const forged = await call('GET', '/api/v1/people/jane.smith', {
    headers: { authorization: 'Bearer nhsd_forged-token' },
  });
  t.equal(forged.statusCode, 401);
  t.equal(forged.headers['www-authenticate'], invalid);
  const basic = await call('GET', '/api/v1/me', { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
  t.equal(basic.headers['www-authenticate'], plain, 'another scheme is no bearer token');

  const wrong = await call('POST', '/api/v1/auth/token', {
    body: { username: 'jane.smith@nhs.net', password: 'wrong' },
  });
  t.equal(wrong.statusCode, 401);
  t.equal(wrong.headers['www-authenticate'], plain, 'a failed sign-in');

  const jane = { username: 'jane.smith@nhs.net', password: passwords.jane };
  const token = (await call('POST', '/api/v1/auth/token', { body: jane })).json().access_token;
  const ok = await call('GET', '/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
  t.equal(ok.statusCode, 200);
  t.notOk(ok.headers['www-authenticate'], 'no challenge on success');
  t.equal(
    (await call('POST', '/api/v1/auth/logout', { headers: { authorization: `Bearer ${token}` } })).statusCode,
    204,
  );
  const revoked = await call('POST', '/api/v1/auth/logout', { headers: { authorization: `Bearer ${token}` } });
  t.equal(revoked.statusCode, 401);
  t.equal(revoked.headers['www-authenticate'], invalid, 'a revoked token');
  const again = (await call('POST', '/api/v1/auth/token', { body: jane })).json().access_token;
  const forbidden = await call('GET', '/api/v1/audit', { headers: { authorization: `Bearer ${again}` } });
  t.equal(forbidden.statusCode, 403);
  t.notOk(forbidden.headers['www-authenticate'], 'a 403 is no challenge');
});

// A NUL character in any text of a request (body, query, path) is bad input: 400 naming the field,
// on every route, never the database's error as a 500.
import t from 'tap';
import { testApp } from '../helpers/app.js';
import { ldapFixture, passwords } from '../helpers/ldap.js';

t.test('a NUL in a body, a query or a path is a 400 naming the field', async (t) => {
  const { dir } = await ldapFixture(t);
  const { call, login } = await testApp(t, { directory: dir });
  const admin = await login('ann.admin@nhs.net', passwords.admin);

  const cases: [string, string, unknown, string][] = [
    ['PATCH', '/api/v1/people/jane.smith', { site: '\u0000' }, 'body.site'],
    ['PATCH', '/api/v1/people/jane.smith', { title: 'Ward\u0000Sister' }, 'body.title'],
    ['POST', '/api/v1/people', { given_name: 'Nu\u0000l', family_name: 'Byte', org_code: 'RXA' }, 'body.given_name'],
    ['POST', '/api/v1/auth/token', { username: 'ann.admin\u0000', password: 'x' }, 'body.username'],
    ['GET', '/api/v1/people?q=%00jane', undefined, 'query.q'],
    ['GET', '/api/v1/people/jane%00smith', undefined, 'params.uid'],
    ['GET', '/api/v1/secure-domains/check?address=a%00@nhs.net', undefined, 'query.address'],
  ];
  for (const [method, url, body, field] of cases) {
    const res = await call(method, url, { token: admin, body });
    t.equal(res.statusCode, 400, `${method} ${url}`);
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.match(res.json(), { status: 400, code: 'validation.failed', errors: [{ field, message: /NUL/ }] }, field);
  }
  // Nested values and keys are found too.
  const deep = { site: 'ok', extra: [{ deep: ['fine', 'bad\u0000'] }] };
  const nested = await call('PATCH', '/api/v1/people/jane.smith', { token: admin, body: deep });
  t.equal(nested.statusCode, 400);
  t.match(nested.json().errors, [{ field: 'body.extra.0.deep.1' }]);
  // Nothing changed, and the same requests without a NUL work.
  t.equal(
    (await call('PATCH', '/api/v1/people/jane.smith', { token: admin, body: { site: 'Annex' } })).json().site,
    'Annex',
  );
  t.equal((await call('GET', '/api/v1/people?q=jane', { token: admin })).statusCode, 200);
});

// The committed openapi/openapi.json is what the route schemas produce (regenerate: npm run openapi),
// a valid OpenAPI 3.1 document, and the check that every REST test's responses go through
// (test/helpers/app.ts) refuses what the document does not say.
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import t from 'tap';
import { openapiDocument } from '../../src/http/openapi.js';
import { specCheck } from '../helpers/app.js';

const committed = readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');

t.test('openapi/openapi.json matches the routes', async (t) => {
  t.equal(committed, await openapiDocument(), 'run `npm run openapi` and commit the result');
});

t.test('openapi/openapi.json is a valid OpenAPI 3.1 document', async (t) => {
  const doc = JSON.parse(committed);
  const result = await new Validator().validate(doc);
  t.ok(result.valid, JSON.stringify(result.errors));
  t.equal(doc.openapi, '3.1.0');
  t.ok(doc.servers.length > 0, 'servers');
  t.same(doc.security, [{ bearerAuth: [] }], 'a bearer token, except where an operation says otherwise');
  const open = [
    ['/healthz', 'get'],
    ['/readyz', 'get'],
    ['/metrics', 'get'],
    ['/api/v1/auth/token', 'post'],
  ];
  for (const [path, method] of open) {
    t.same(doc.paths[path][method].security, [], `${method.toUpperCase()} ${path} needs no token`);
  }
  t.notMatch(committed, /"nullable"/, 'no OpenAPI 3.0 nullable in a 3.1 document');
});

t.test('the response check refuses what the document does not say', async (t) => {
  const spec = await specCheck();
  const answer = (statusCode: number, type: string | null, body: string, headers: Record<string, string> = {}) =>
    ({
      statusCode,
      payload: body,
      rawPayload: Buffer.from(body),
      json: () => JSON.parse(body),
      headers: { ...(type ? { 'content-type': type } : {}), ...headers },
    }) as never;
  const problem = (status: number, code: string) =>
    JSON.stringify({
      type: `https://nhs-directory.example/problems/${code}`,
      title: 'Title',
      status,
      detail: 'Detail',
      code,
      request_id: 'r1',
    });
  const problemType = 'application/problem+json; charset=utf-8';
  const challenge = { 'www-authenticate': 'Bearer realm="nhs-directory"' };
  const unauthorised = problem(401, 'auth.invalid_credentials');

  t.same(
    spec.check('GET', '/api/v1/me', answer(401, problemType, unauthorised, challenge)),
    [],
    'a 401 as the server sends it',
  );
  t.match(
    spec.check('GET', '/api/v1/me', answer(401, 'application/json; charset=utf-8', unauthorised, challenge)),
    [/content type "application\/json; charset=utf-8" is not declared for 401/],
    'a problem declared as plain JSON',
  );
  t.match(spec.check('GET', '/api/v1/me', answer(401, problemType, unauthorised)), [
    /header WWW-Authenticate is required/,
  ]);
  t.match(spec.check('GET', '/api/v1/me', answer(401, problemType, unauthorised, { 'www-authenticate': 'Basic' })), [
    /header WWW-Authenticate: .*pattern/,
  ]);
  const unavailable = (headers?: Record<string, string>) =>
    spec.check('GET', '/api/v1/people', answer(503, problemType, problem(503, 'service.unavailable'), headers));
  t.match(unavailable(), [/header Retry-After is required/]);
  t.match(unavailable({ 'retry-after': 'soon' }), [/header Retry-After: .*integer/]);
  t.same(unavailable({ 'retry-after': '5' }), []);
  t.match(spec.check('POST', '/api/v1/auth/logout', answer(204, 'application/json', 'null')), [/declares no content/]);
  t.same(spec.check('POST', '/api/v1/auth/logout', answer(204, null, '')), []);
  t.match(
    spec.check('GET', '/api/v1/people/jane.smith', answer(200, 'application/json', '{"uid":"jane.smith"}')),
    [/body: body must have required property/],
    'a body that is not a Person',
  );
  t.match(spec.check('GET', '/api/v1/people/jane.smith', answer(200, 'application/json', '{"uid":')), [/not JSON/]);
  t.match(spec.check('GET', '/api/v1/me', answer(418, problemType, problem(418, 'teapot'))), [
    /status 418 is not declared/,
  ]);
  t.match(spec.check('POST', '/api/v1/auth/token', answer(429, problemType, problem(429, 'request.rate_limited'))), [
    /header Retry-After is required/,
  ]);
  const ldif = { 'content-disposition': 'attachment; filename="RXA-address-book.ldif"' };
  const book = '/api/v1/organisations/RXA/address-book?format=ldif';
  t.same(
    spec.check('GET', book, answer(200, 'text/x-ldif; charset=utf-8', 'dn: o=nhs\n', ldif)),
    [],
    'an LDIF address book',
  );
  t.match(spec.check('GET', book, answer(200, 'text/plain', 'dn: o=nhs\n', ldif)), [
    /content type "text\/plain" is not declared/,
  ]);
  t.match(spec.check('GET', '/api/v1/nothing-here', answer(200, 'application/json', '{}')), [/no operation for GET/]);
  t.same(
    spec.check('GET', '/api/v1/nothing-here', answer(404, problemType, problem(404, 'route.not_found'))),
    [],
    'no such route: nothing for the document to say',
  );
});

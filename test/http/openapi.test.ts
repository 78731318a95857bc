// The committed openapi/openapi.json is what the route schemas produce (regenerate: npm run openapi).
import { readFileSync } from 'node:fs';
import t from 'tap';
import { openapiDocument } from '../../src/http/openapi.js';

t.test('openapi/openapi.json matches the routes', async (t) => {
  const committed = readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');
  t.equal(committed, await openapiDocument(), 'run `npm run openapi` and commit the result');
});

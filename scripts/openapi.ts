// Writes openapi/openapi.json from the route schemas (npm run openapi). The test in
// test/http/openapi.test.ts fails when the committed file differs from what this produces.
import { writeFileSync } from 'node:fs';
import { openapiDocument } from '../src/http/openapi.js';

writeFileSync(new URL('../openapi/openapi.json', import.meta.url), await openapiDocument());
console.log('openapi/openapi.json written');

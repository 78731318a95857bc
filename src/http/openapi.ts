// The OpenAPI document as the app serves it, pretty-printed: the committed openapi/openapi.json.
import pino from 'pino';
import { buildApp } from '../app.js';
import type { Directory } from '../directory/directory.js';

export async function openapiDocument(): Promise<string> {
  // The document depends on the routes only; a directory that is never called stands in.
  const app = await buildApp({ database: {} } as unknown as Directory, { loggerInstance: pino({ level: 'silent' }) });
  await app.ready();
  const doc = app.swagger();
  await app.close();
  return JSON.stringify(doc, null, 2) + '\n';
}

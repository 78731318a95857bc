// The HTTP application, apart from listening, so that tests drive it with inject().
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Directory } from './directory/directory.js';
import { accountRoutes } from './http/account.routes.js';
import { registerAuth } from './http/auth.js';
import { directoryRoutes } from './http/directory.routes.js';
import { registerErrorHandling } from './http/errors.js';
import { opsRoutes } from './http/ops.routes.js';
import { organisationRoutes } from './http/organisations.routes.js';
import { mailboxRoutes } from './http/mailboxes.routes.js';
import { peopleRoutes } from './http/people.routes.js';
import { syncRoutes } from './http/sync.routes.js';
import { createReview } from './sync/review.js';
import { createSync } from './sync/runs.js';
import { version } from './version.js';

/** JSON request bodies over 1 MiB are refused with 413. */
export const BODY_LIMIT = 1024 * 1024;
/** Feed files may be larger: 256 MiB. */
export const FEED_LIMIT = 256 * 1024 * 1024;

export async function buildApp(directory: Directory, options: FastifyServerOptions = {}, settings = { ldapSuffix: 'o=nhs', leaverThreshold: 0.1 }) {
  const app = Fastify({ ...options, bodyLimit: BODY_LIMIT, genReqId: () => crypto.randomUUID() });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  // Feed files arrive as they are (CSV, pipe-separated ESR extracts): kept raw for the connectors.
  app.addContentTypeParser(['text/csv', 'text/plain', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: FEED_LIMIT }, (_req, body, done) => done(null, body));
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      info: { title: 'nhs-directory', version, description: 'The NHS staff directory: people, organisations, address books and feeds.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  registerAuth(app, directory);
  opsRoutes(app, directory.database);
  accountRoutes(app, directory);
  peopleRoutes(app, directory);
  organisationRoutes(app, directory, settings.ldapSuffix);
  directoryRoutes(app, directory);
  mailboxRoutes(app, directory);
  syncRoutes(app, createSync(directory, settings.leaverThreshold), createReview(directory));
  return app;
}

// The HTTP application, apart from listening, so that tests drive it with inject().
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Directory } from './directory/directory.js';
import { describeError, DirectoryError } from './directory/errors.js';
import { accountRoutes } from './http/account.routes.js';
import { registerAuth } from './http/auth.js';
import { directoryRoutes } from './http/directory.routes.js';
import { registerErrorHandling } from './http/errors.js';
import { opsRoutes } from './http/ops.routes.js';
import { organisationRoutes } from './http/organisations.routes.js';
import { mailboxRoutes } from './http/mailboxes.routes.js';
import { peopleRoutes } from './http/people.routes.js';
import { swaggerOptions } from './http/spec.js';
import { feedTypes, syncRoutes } from './http/sync.routes.js';
import { createReview } from './sync/review.js';
import { createSync } from './sync/runs.js';
import { webPages } from './web/plugin.js';

/** JSON request bodies over 1 MiB are refused with 413. */
export const BODY_LIMIT = 1024 * 1024;
/** Feed files may be larger: 256 MiB. */
export const FEED_LIMIT = 256 * 1024 * 1024;

/**
 * Query parameters the API reads, whose values may be logged. Any other name's value is replaced:
 * a client may put a secret under any name (pwd, auth, sig, ...), and a list of secret-looking
 * names is never complete.
 */
const loggable = new Set([
  'q',
  'org',
  'status',
  'limit',
  'cursor',
  'format',
  'connector',
  'dry_run',
  'after',
  'actor',
  'target',
  'address',
]);

/** A URL as it may be logged: the values of query parameters the API does not read replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url
    .slice(q + 1)
    .split(/[&;]/)
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq < 0) return part;
      let name = part.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        /* logged as sent */
      }
      return loggable.has(name) ? part : `${part.slice(0, eq)}=[REDACTED]`;
    });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

/**
 * What the request log may hold of a request and of an error. No headers at all (Authorization,
 * cookies), the URL with secrets redacted, and of an error its code and first line only.
 */
const logSerializers = {
  req: (req: FastifyRequest) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
  res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
  err: (err: unknown) => describeError(err),
};

/**
 * One log line per request, when it is answered: fastify's default writes another as it arrives,
 * which doubled the request log without telling anything the second line does not.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest() {
    /* logged once, on completion */
  }
  override requestCompleted(error: Error | null | undefined, req: FastifyRequest, reply: FastifyReply) {
    if (this.isLogDisabled(req)) return;
    const fields = { req, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...fields, error: describeError(error) }, 'request errored');
    else reply.log.info(fields, 'request completed');
  }
}

/**
 * What answers without the database: operations, the API's description, the pages' static files.
 * Anything else waits for start-up to have reached it (issue 15).
 */
const needsNoDatabase = /^\/(healthz|readyz|metrics|openapi\.json)(\?|$)|^\/(docs|nhsuk|assets)(\/|\?|$)/;

/**
 * PostgreSQL text cannot hold a NUL character: a NUL anywhere in a body or query would fail in the
 * database as an internal error. It is bad input, refused once here for every route.
 */
function refuseNul(req: FastifyRequest) {
  const found: Record<string, string> = {};
  const pending: [string, unknown][] = [
    ['body', req.body],
    ['query', req.query],
    ['params', req.params],
  ];
  // Iterative, not recursive: a deeply nested JSON body must not overflow the stack.
  while (pending.length && Object.keys(found).length < 20) {
    const [path, value] = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) found[path] = 'must not contain a NUL character';
    } else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
      for (const [k, v] of Object.entries(value)) {
        if (k.includes('\u0000')) found[path] = 'must not contain a NUL character in a name';
        else pending.push([`${path}.${k}`, v]);
      }
    }
  }
  if (Object.keys(found).length) {
    throw new DirectoryError('validation.failed', 'Text may not contain NUL characters', found);
  }
}

export async function buildApp(
  directory: Directory,
  options: FastifyServerOptions = {},
  settings = { ldapSuffix: 'o=nhs', leaverThreshold: 0.1 },
) {
  const loggerInstance = options.loggerInstance?.child({}, { serializers: logSerializers });
  const app = Fastify({
    ...options,
    ...(loggerInstance ? { loggerInstance } : {}),
    logController: new OneLinePerRequest(),
    bodyLimit: BODY_LIMIT,
    genReqId: () => crypto.randomUUID(),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  // A node started before its database answered: 503 with Retry-After (the error handlers'), until it does.
  app.addHook('onRequest', async (req) => {
    if (!needsNoDatabase.test(req.url)) directory.checkAvailable();
  });
  app.addHook('preValidation', async (req) => refuseNul(req));
  // Feed files arrive as they are (CSV, pipe-separated ESR extracts): kept raw for the connectors.
  app.addContentTypeParser(feedTypes, { parseAs: 'buffer', bodyLimit: FEED_LIMIT }, (_req, body, done) =>
    done(null, body),
  );
  await app.register(rateLimit, { global: false });
  await app.register(swagger, swaggerOptions);
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  registerAuth(app, directory);
  opsRoutes(app, directory);
  accountRoutes(app, directory);
  peopleRoutes(app, directory);
  organisationRoutes(app, directory, settings.ldapSuffix);
  directoryRoutes(app, directory);
  mailboxRoutes(app, directory);
  syncRoutes(app, createSync(directory, settings.leaverThreshold), createReview(directory));
  await app.register(webPages, { directory, ...settings });
  return app;
}

// The OpenAPI 3.1 document (served at /openapi.json, committed as openapi/openapi.json): what
// @fastify/swagger and fastify-type-provider-zod make of the route schemas, plus what the route
// schemas do not say route by route because the machinery around every route decides it:
// - security: the bearer token everywhere, except on routes without `config.auth` (`security: []`);
// - the problem responses (RFC 9457, application/problem+json) that the error handler can send for
//   any route: 400 (a NUL anywhere, a body or query that fails its schema), 500, 401 and 503 where a
//   token is checked (the database may be out of reach), 413 and 415 where there is a body. Each
//   status is one shared response in components.responses, with its headers (WWW-Authenticate on a
//   401, Retry-After on a 429 and a 503);
// - request bodies that are files (`consumes` without a zod body: the feeds), and the headers of
//   responses declared per content type (the address book's Content-Disposition), which the zod
//   transform leaves out.
// Every operation must name its operationId; the document is linted by `npm run lint:openapi` and
// every response of the REST tests is checked against it (test/helpers/app.ts).
import { STATUS_CODES } from 'node:http';
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { problem } from './schemas/problems.js';
import { version } from '../version.js';

type Json = Record<string, unknown>;

const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
const retryAfter = (description: string) => ({
  description,
  required: true,
  schema: { type: 'integer', minimum: 0 },
});

/** The shared problem responses, by status: what the error handler (src/http/errors.ts) sends. */
export const problemResponses: Record<number, { name: string; response: Json }> = {
  400: {
    name: 'BadRequest',
    response: {
      description:
        'The request is not valid: a parameter or body field fails its schema (one entry per field in ' +
        '`errors`), text holds a NUL character, a cursor is not one this API gave out, or the body cannot be read',
    },
  },
  401: {
    name: 'Unauthorized',
    response: {
      description:
        "No valid bearer token (none, unknown, expired, revoked, a leaver's); signing in, the wrong " +
        'username or password, or a locked account',
      headers: {
        'WWW-Authenticate': {
          description:
            'The bearer challenge (RFC 6750), with `error="invalid_token"` when a token was sent and ' +
            'refused: get a new one rather than retry',
          required: true,
          schema: { type: 'string', pattern: '^Bearer realm="nhs-directory"' },
          example: 'Bearer realm="nhs-directory", error="invalid_token"',
        },
      },
    },
  },
  403: { name: 'Forbidden', response: { description: 'Signed in, but not allowed to do this' } },
  404: { name: 'NotFound', response: { description: 'No such person, organisation, mailbox, run or item' } },
  409: {
    name: 'Conflict',
    response: {
      description:
        'The directory is not in a state that allows it (it exists already, a leaver, a closed ' +
        'organisation, a full quota tier, already resolved)',
    },
  },
  413: {
    name: 'PayloadTooLarge',
    response: { description: 'The body is over its limit: 1 MiB of JSON, 256 MiB of a feed' },
  },
  415: {
    name: 'UnsupportedMediaType',
    response: { description: "The body's Content-Type is not one this operation reads" },
  },
  429: {
    name: 'TooManyRequests',
    response: {
      description: 'Too many sign-in attempts from this address (20 a minute)',
      headers: { 'Retry-After': retryAfter('Seconds to wait before trying again') },
    },
  },
  500: {
    name: 'InternalError',
    response: { description: 'Something failed on the server: quote `request_id` to report it' },
  },
  503: {
    name: 'ServiceUnavailable',
    response: {
      description: 'The directory cannot reach its database (a restart, a failover), or sign-in is busy: try again',
      headers: { 'Retry-After': retryAfter('Seconds to wait before trying again') },
    },
  },
};

interface RouteLike {
  url: string;
  method: string | string[];
  config?: { auth?: boolean };
  schema?: Json;
}

/** The problem statuses the machinery adds to a route, whatever the route itself declares. */
function machineryStatuses(route: RouteLike, schema: Json): number[] {
  const statuses = [400, 500];
  if (route.config?.auth) statuses.push(401, 503);
  if (schema.body || schema.consumes) statuses.push(413, 415);
  return statuses;
}

const transform: FastifyDynamicSwaggerOptions['transform'] = (input) => {
  const schema = input.schema as Json | undefined;
  const route = input.route as unknown as RouteLike;
  if (!schema || schema.hide) return jsonSchemaTransform(input);
  if (!schema.operationId) throw new Error(`${String(route.method)} ${route.url} has no operationId in its schema`);
  const declared = (schema.response ?? {}) as Record<string, Json>;
  const response: Record<string, unknown> = {};
  for (const status of machineryStatuses(route, schema)) response[status] = problem;
  Object.assign(response, declared);
  const out = jsonSchemaTransform({ ...input, schema: { ...schema, response } as never });
  const result = out.schema as Json;
  if (!route.config?.auth) result.security = [];
  if (schema.consumes && !schema.body) result.body = { type: 'string', description: 'The file itself, as it is' };
  const responses = result.response as Record<string, Json>;
  for (const [status, value] of Object.entries(declared)) {
    if (value && typeof value === 'object' && 'content' in value && 'headers' in value) {
      responses[status].headers = value.headers;
    }
  }
  return out;
};

const isProblemContent = (content: unknown) => {
  const entries = Object.entries((content ?? {}) as Record<string, { schema?: { $ref?: string } }>);
  return entries.length > 0 && entries.every(([, media]) => media.schema?.$ref === '#/components/schemas/Problem');
};

/** Every `#/components/schemas/X` reachable from `root`, following the components themselves. */
function referencedSchemas(root: unknown, components: Record<string, unknown>): Set<string> {
  const seen = new Set<string>();
  const pending: unknown[] = [root];
  while (pending.length) {
    const value = pending.pop();
    if (Array.isArray(value)) pending.push(...value);
    else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        const m = key === '$ref' && typeof v === 'string' ? /^#\/components\/schemas\/(.+)$/.exec(v) : null;
        if (m && !seen.has(m[1])) {
          seen.add(m[1]);
          pending.push(components[m[1]]);
        } else pending.push(v);
      }
    }
  }
  return seen;
}

const transformObject: FastifyDynamicSwaggerOptions['transformObject'] = (input) => {
  type Document = Json & { paths: Record<string, Record<string, Json>>; components: Json };
  const doc = jsonSchemaTransformObject(input) as Document;
  const used = new Set<number>();
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const responses = operation.responses as Record<string, Json>;
      for (const [status, response] of Object.entries(responses)) {
        if (isProblemContent(response.content)) {
          const shared = problemResponses[Number(status)];
          if (!shared) throw new Error(`${method.toUpperCase()} ${path}: no shared problem response for ${status}`);
          used.add(Number(status));
          responses[status] = { $ref: `#/components/responses/${shared.name}` };
          continue;
        }
        if (response.description === 'Default Response') response.description = STATUS_CODES[Number(status)] ?? status;
        // @fastify/swagger copies a route's header declaration into the header's schema: `required`
        // belongs to the header itself.
        for (const header of Object.values((response.headers ?? {}) as Record<string, Json>)) {
          const schema = header.schema as Json | undefined;
          if (schema?.required === true) {
            delete schema.required;
            header.required = true;
          }
        }
      }
    }
  }
  doc.components.responses = Object.fromEntries(
    [...used].sort().map((status) => {
      const { name, response } = problemResponses[status];
      return [name, { ...response, content: problemContent }];
    }),
  );
  // zod's registry gives an input and an output form of every named schema; keep those in use.
  const schemas = doc.components.schemas as Record<string, unknown>;
  const keep = referencedSchemas({ paths: doc.paths, responses: doc.components.responses }, schemas);
  doc.components.schemas = Object.fromEntries(Object.entries(schemas).filter(([name]) => keep.has(name)));
  return doc;
};

export const swaggerOptions: FastifyDynamicSwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'nhs-directory',
      version,
      description:
        'The NHS staff directory: people, organisations, address books and feeds. Errors are RFC 9457 ' +
        'problem documents (application/problem+json) with a stable `code` and the `request_id`.',
    },
    servers: [
      { url: '/', description: 'The server that serves this document' },
      { url: 'http://127.0.0.1:8080', description: 'A local `nhsdir serve` on the default HTTP_PORT' },
    ],
    tags: [
      { name: 'auth', description: 'Sign in and out, and who the caller is' },
      { name: 'people', description: 'Staff: search, joiners, edits, leavers, movers, passwords, quotas' },
      { name: 'organisations', description: 'Organisations, their quotas and their address books' },
      { name: 'mailboxes', description: 'Generic mailboxes and their delegates' },
      { name: 'secure domains', description: 'Domains secure for patient data' },
      { name: 'audit', description: 'The audit log and the change feed' },
      { name: 'feeds', description: 'Staff and organisation feeds, sync runs and the review queue' },
      { name: 'operations', description: 'Liveness, readiness and metrics: no token needed' },
    ],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'A token from POST /api/v1/auth/token (or `nhsdir token create`)',
        },
      },
    },
    security: [{ bearerAuth: [] }],
  },
  transform,
  transformObject,
};

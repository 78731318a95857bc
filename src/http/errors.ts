// One error handler for the REST API: RFC 9457 problem documents with the core's stable codes,
// per-field errors for schema failures, and nothing internal on a 5xx.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import {
  describeError,
  DirectoryError,
  errorCatalogue,
  isDatabaseUnavailable,
  type ErrorCode,
} from '../directory/errors.js';
import { challenge } from './auth.js';

/** Seconds a client is asked to wait when the database cannot be reached (a restart, a failover). */
export const RETRY_AFTER_SECONDS = 5;

const statusOf: Partial<Record<ErrorCode, number>> = {
  'validation.failed': 400,
  'organisation.invalid_code': 400,
  'person.invalid_name': 400,
  'quota.invalid_tier': 400,
  'mailbox.no_owner': 400,
  'connector.unknown': 400,
  'connector.invalid_config': 400,
  'connector.wrong_feed': 400,
  'auth.invalid_credentials': 401,
  'auth.forbidden': 403,
  'organisation.not_found': 404,
  'person.not_found': 404,
  'mailbox.not_found': 404,
  'service.not_found': 404,
  'sync_run.not_found': 404,
  'review.not_found': 404,
  'move_request.not_found': 404,
  'organisation.exists': 409,
  'organisation.closed': 409,
  'person.not_active': 409,
  'person.already_active': 409,
  'person.not_deleted': 409,
  'quota.limit_reached': 409,
  'service.exists': 409,
  'sync_run.not_held': 409,
  'review.resolved': 409,
  'move_request.resolved': 409,
  'service.busy': 503,
  'search.too_long': 503,
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  request_id: string;
  errors?: { field?: string; message: string }[];
}

export function sendProblem(
  reply: FastifyReply,
  req: FastifyRequest,
  status: number,
  code: string,
  title: string,
  detail: string,
  errors?: Problem['errors'],
) {
  const body: Problem = {
    type: `https://nhs-directory.example/problems/${code}`,
    title,
    status,
    detail,
    code,
    request_id: String(req.id),
    ...(errors ? { errors } : {}),
  };
  return reply.code(status).type('application/problem+json').send(body);
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof DirectoryError) {
      // RFC 9110 section 11.6.1: a 401 says how to authenticate (RFC 6750 section 3 for bearer tokens).
      if (statusOf[err.code] === 401) reply.header('WWW-Authenticate', challenge(req));
      if (statusOf[err.code] === 503) reply.header('Retry-After', '1');
      const errors = err.fields
        ? Object.entries(err.fields).map(([field, message]) => ({ field, message }))
        : undefined;
      return sendProblem(
        reply,
        req,
        statusOf[err.code] ?? 422,
        err.code,
        errorCatalogue[err.code],
        err.message,
        errors,
      );
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const errors = err.validation.map((v) => ({
        field: [err.validationContext, ...String(v.instancePath).split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'is not valid',
      }));
      return sendProblem(
        reply,
        req,
        400,
        'validation.failed',
        errorCatalogue['validation.failed'],
        'The request does not match the schema',
        errors,
      );
    }
    if (err.statusCode === 413)
      return sendProblem(reply, req, 413, 'request.too_large', 'Request body too large', err.message);
    if (err.statusCode === 429)
      return sendProblem(
        reply,
        req,
        429,
        'request.rate_limited',
        'Too many requests',
        'Slow down and try again shortly',
      );
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
      return sendProblem(reply, req, err.statusCode, 'request.invalid', 'Bad request', err.message);
    // Never `{ err }`: a failed statement's message holds its SQL and every parameter (identifier
    // HMACs, whole feeds). The code and one line are enough; the request id (reqId) ties it together.
    if (isDatabaseUnavailable(err)) {
      req.log.warn({ error: describeError(err) }, 'database unavailable');
      reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
      return sendProblem(
        reply,
        req,
        503,
        'service.unavailable',
        'Service unavailable',
        'The directory cannot reach its database at the moment; try again shortly',
      );
    }
    req.log.error({ error: describeError(err) }, 'request failed');
    return sendProblem(
      reply,
      req,
      500,
      'internal',
      'Internal error',
      'Something went wrong on our side; quote the request id if you report it',
    );
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, req, 404, 'route.not_found', 'Not found', `No route ${req.method} ${req.url.split('?')[0]}`),
  );
}

// The problem document (RFC 9457) and the one map of the problem responses a route declares. The
// OpenAPI document turns each status into one shared response with its description and headers
// (src/http/spec.ts); a route picks the statuses its handler and the core can answer with.
import { z } from 'zod';

export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    request_id: z.string(),
    errors: z.array(z.object({ field: z.string().optional(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

const errorResponses = {
  400: problem,
  401: problem,
  403: problem,
  404: problem,
  409: problem,
  413: problem,
  415: problem,
  429: problem,
  503: problem,
};

type ProblemStatus = keyof typeof errorResponses;

/** The problem responses for these statuses, to spread into a route's `response`. */
export function problems<S extends ProblemStatus>(...statuses: S[]): Record<S, typeof problem> {
  return Object.fromEntries(statuses.map((s) => [s, errorResponses[s]])) as Record<S, typeof problem>;
}

/** What most routes declare: a bad request, no token, not allowed, no such thing, the wrong state. */
export const errors = problems(400, 401, 403, 404, 409);

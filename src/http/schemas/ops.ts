// Operations: the schemas of src/http/ops.routes.ts. No token, and no problem responses of their own.
import { z } from 'zod';

export const getMetrics = {
  tags: ['operations'],
  operationId: 'getMetrics',
  summary: 'Prometheus metrics (text exposition format)',
  response: { 200: { description: 'The metrics', content: { 'text/plain': { schema: z.string() } } } },
};

export const getHealth = {
  tags: ['operations'],
  operationId: 'getHealth',
  summary: 'Liveness: the process answers',
  response: { 200: z.object({ status: z.literal('ok') }) },
};

const engine = z.enum(['pglite', 'postgres']);

export const getReadiness = {
  tags: ['operations'],
  operationId: 'getReadiness',
  summary: 'Readiness: the database answers',
  response: {
    200: z.object({ status: z.literal('ok'), database: engine }),
    503: z.object({ status: z.literal('unavailable'), database: engine }).describe('The database does not answer'),
  },
};

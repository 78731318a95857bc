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

// With standbys (DATABASE_READ_URL), each database this node uses: its role as configured and as
// found (a promoted standby answers primary), whether it answers, its lag, whether reads go there.
const databases = z
  .array(
    z.object({
      name: z.string().describe('host:port/database'),
      configured: z.enum(['primary', 'standby']),
      role: z.enum(['primary', 'standby', 'unknown']),
      reachable: z.boolean(),
      lag_seconds: z.number().optional(),
      lag_bytes: z.number().optional(),
      in_reads: z.boolean(),
    }),
  )
  .optional();
const readiness = (status: 'ok' | 'unavailable') =>
  z.object({
    status: z.literal(status),
    database: engine,
    writable: z.boolean().optional().describe('With standbys: whether the primary answers (writes work)'),
    databases,
    detail: z.string().optional().describe('Why the node is not ready (a database it has not yet reached)'),
  });

export const getReadiness = {
  tags: ['operations'],
  operationId: 'getReadiness',
  summary: 'Readiness: a database answers (with standbys: which, and in what role)',
  response: {
    200: readiness('ok'),
    503: readiness('unavailable').describe('No database answers'),
  },
};

// Operations: /healthz answers while the process runs, /readyz only while the database does,
// /metrics in Prometheus text; every response is counted by route.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Reads } from '../directory/reads.js';
import { exposition, expositionType, metrics } from '../metrics.js';

export function opsRoutes(app: FastifyInstance, core: Pick<Reads, 'readiness' | 'poolStats'>) {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.add({ route, method: req.method, status: String(reply.statusCode) });
    metrics.httpSeconds.observe({ route }, reply.elapsedTime / 1000);
  });
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        operationId: 'getMetrics',
        summary: 'Prometheus metrics (text exposition format)',
        response: { 200: { description: 'The metrics', content: { 'text/plain': { schema: z.string() } } } },
      },
    },
    async (_req, reply) => reply.type(expositionType).send(await exposition(core.poolStats())),
  );
  r.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        operationId: 'getHealth',
        summary: 'Liveness: the process answers',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  const engine = z.enum(['pglite', 'postgres']);
  r.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        operationId: 'getReadiness',
        summary: 'Readiness: the database answers',
        response: {
          200: z.object({ status: z.literal('ok'), database: engine }),
          503: z
            .object({ status: z.literal('unavailable'), database: engine })
            .describe('The database does not answer'),
        },
      },
    },
    async (_req, reply) => {
      const { ready, database } = await core.readiness();
      if (ready) return { status: 'ok' as const, database };
      return reply.code(503).send({ status: 'unavailable', database });
    },
  );
}

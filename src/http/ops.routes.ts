// Operations: /healthz answers while the process runs, /readyz only while the database does,
// /metrics in Prometheus text; every response is counted by route.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Reads } from '../directory/reads.js';
import { exposition, expositionType, metrics } from '../metrics.js';
import { getHealth, getMetrics, getReadiness } from './schemas/ops.js';

export function opsRoutes(app: FastifyInstance, core: Pick<Reads, 'readiness' | 'poolStats' | 'databases'>) {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.add({ route, method: req.method, status: String(reply.statusCode) });
    metrics.httpSeconds.observe({ route }, reply.elapsedTime / 1000);
  });
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/metrics', { schema: getMetrics }, async (_req, reply) =>
    reply.type(expositionType).send(await exposition(core.poolStats(), core.databases())),
  );
  r.get('/healthz', { schema: getHealth }, async () => ({ status: 'ok' as const }));
  r.get('/readyz', { schema: getReadiness }, async (_req, reply) => {
    const { ready, ...body } = await core.readiness();
    if (ready) return { status: 'ok' as const, ...body };
    return reply.code(503).send({ status: 'unavailable' as const, ...body });
  });
}

// Operations: /healthz answers while the process runs, /readyz only while the database does,
// /metrics in Prometheus text; every response is counted by route.
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/client.js';
import { exposition, expositionType, metrics } from '../metrics.js';

export function opsRoutes(app: FastifyInstance, database: Database) {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.add({ route, method: req.method, status: String(reply.statusCode) });
    metrics.httpSeconds.observe({ route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
    reply.type(expositionType).send(await exposition(database.poolStats?.())));
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await database.query('select 1');
      return { status: 'ok', database: database.kind };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: database.kind });
    }
  });
}

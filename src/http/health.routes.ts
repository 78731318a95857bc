// Liveness and readiness: /healthz answers while the process runs; /readyz only while the database does.
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/client.js';

export function healthRoutes(app: FastifyInstance, database: Database) {
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

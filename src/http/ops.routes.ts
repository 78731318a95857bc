// Operations: /healthz answers while the process runs, /readyz only while the database does,
// /metrics in Prometheus text; every response is counted by route.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/client.js';
import { exposition, expositionType, metrics } from '../metrics.js';

export function opsRoutes(app: FastifyInstance, database: Database) {
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
    async (_req, reply) =>
      reply.type(expositionType).send(await exposition(database.poolStats?.(), database.databases?.())),
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
    });
  r.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        operationId: 'getReadiness',
        summary: 'Readiness: a database answers (with standbys: which, and in what role)',
        response: {
          200: readiness('ok'),
          503: readiness('unavailable').describe('No database answers'),
        },
      },
    },
    async (_req, reply) => {
      const standbys = database.databases?.().filter((d) => d.configured === 'standby') ?? [];
      let primary = true;
      try {
        await database.query('select 1');
      } catch {
        primary = false;
      }
      const found = standbys.length ? await database.checkDatabases!() : [];
      if (!standbys.length) {
        if (primary) return { status: 'ok' as const, database: database.kind };
        return reply.code(503).send({ status: 'unavailable', database: database.kind });
      }
      // With standbys, a node that can still read serves LDAP and REST reads: it stays ready.
      const list = found.map((d) => ({
        name: d.name,
        configured: d.configured,
        role: d.configured === 'primary' && !primary ? ('unknown' as const) : d.role,
        reachable: d.configured === 'primary' ? primary : d.reachable,
        ...(d.configured === 'standby' ? { lag_seconds: d.lagSeconds ?? 0, lag_bytes: d.lagBytes ?? 0 } : {}),
        in_reads: d.inReads,
      }));
      const body = { database: database.kind, writable: primary, databases: list };
      if (list.some((d) => d.reachable)) return { status: 'ok' as const, ...body };
      return reply.code(503).send({ status: 'unavailable' as const, ...body });
    },
  );
}

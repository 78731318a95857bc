// Feeds, sync runs and the review queue belong to the sync engine (its own issue). Until it
// lands these answer 501 with a problem document, so clients see the shape of the API now.
import type { FastifyInstance } from 'fastify';
import { sendProblem } from './errors.js';

const pending: [string, string][] = [
  ['POST', '/api/v1/organisations/:code/feeds'],
  ['POST', '/api/v1/reference/organisations'],
  ['GET', '/api/v1/sync-runs'],
  ['GET', '/api/v1/sync-runs/:id'],
  ['POST', '/api/v1/sync-runs/:id/approve'],
  ['GET', '/api/v1/review-queue'],
  ['POST', '/api/v1/review-queue/:id/resolve'],
];

export function syncRoutes(app: FastifyInstance) {
  for (const [method, url] of pending) {
    app.route({
      method: method as 'GET' | 'POST', url, config: { auth: true },
      schema: { tags: ['feeds'], summary: 'Not yet available: arrives with the sync engine' },
      handler: (req, reply) => sendProblem(reply, req, 501, 'feature.not_implemented', 'Not implemented', 'Feeds and sync runs arrive with the sync engine'),
    });
  }
}

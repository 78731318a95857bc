// Move requests: a person active in one organisation, asked for by another, waits until the first
// lets them go (release) or either says no (decline). The core decides who may do either.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Directory } from '../directory/directory.js';
import { caller } from './auth.js';
import { declineMoveRequest, listMoveRequests, moveRequestJson, releaseMoveRequest } from './schemas/moves.js';
import { personJson } from './schemas/person.js';

export function moveRoutes(app: FastifyInstance, directory: Directory) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/move-requests', { config: { auth: true }, schema: listMoveRequests }, async (req) => ({
    items: (await directory.listMoveRequests(caller(req), req.query)).map(moveRequestJson),
  }));

  r.post('/api/v1/move-requests/:id/release', { config: { auth: true }, schema: releaseMoveRequest }, async (req) => {
    const moved = await directory.releaseMove(caller(req), req.params.id);
    return personJson(await directory.getPerson(caller(req), moved.uid));
  });

  r.post(
    '/api/v1/move-requests/:id/decline',
    { config: { auth: true }, schema: declineMoveRequest },
    async (req, reply) => {
      await directory.declineMove(caller(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
}

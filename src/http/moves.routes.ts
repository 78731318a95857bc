// Move requests: a person active in one organisation, asked for by another, waits until the first
// lets them go (release) or either says no (decline). The core decides who may do either.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Directory } from '../directory/directory.js';
import type { MoveRequest } from '../directory/moves.service.js';
import { caller } from './auth.js';
import { odsCode, person, personJson, problem } from './schemas.js';

export const moveRequest = z
  .object({
    id: z.number().int(),
    uid: z.string(),
    from_org: z.string(),
    to_org: z.string(),
    status: z.enum(['open', 'done', 'cancelled']),
    requested_by: z.string(),
    requested_at: z.string(),
  })
  .meta({ id: 'MoveRequest' });

export const moveRequestJson = (r: MoveRequest & { uid: string }): z.infer<typeof moveRequest> => ({
  id: r.id,
  uid: r.uid,
  from_org: r.fromOrg,
  to_org: r.toOrg,
  status: r.status,
  requested_by: r.requestedBy,
  requested_at: r.requestedAt.toISOString(),
});

const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };
const idParam = z.object({ id: z.coerce.number().int().min(1) });

export function moveRoutes(app: FastifyInstance, directory: Directory) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/move-requests',
    {
      config: { auth: true },
      schema: {
        tags: ['people'],
        operationId: 'listMoveRequests',
        summary: 'Open move requests to or from your organisations (administrators)',
        querystring: z.object({ org: odsCode.optional(), limit: z.coerce.number().int().min(1).max(500).default(50) }),
        response: { 200: z.object({ items: z.array(moveRequest) }), ...errors },
      },
    },
    async (req) => ({ items: (await directory.listMoveRequests(caller(req), req.query)).map(moveRequestJson) }),
  );

  r.post(
    '/api/v1/move-requests/:id/release',
    {
      config: { auth: true },
      schema: {
        tags: ['people'],
        operationId: 'releaseMoveRequest',
        summary: 'Let the person go: they join the organisation that asked, keeping uid and address',
        description:
          "Administrators of the person's current organisation with authority over them (a national administrator for anyone holding a role).",
        params: idParam,
        response: { 200: person, ...errors },
      },
    },
    async (req) => {
      const moved = await directory.releaseMove(caller(req), req.params.id);
      return personJson(await directory.getPerson(caller(req), moved.uid));
    },
  );

  r.post(
    '/api/v1/move-requests/:id/decline',
    {
      config: { auth: true },
      schema: {
        tags: ['people'],
        operationId: 'declineMoveRequest',
        summary: 'Decline (or withdraw) a move request',
        description: 'Administrators of either organisation.',
        params: idParam,
        response: { 204: z.null().describe('Declined'), ...errors },
      },
    },
    async (req, reply) => {
      await directory.declineMove(caller(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
}

// Move requests: the MoveRequest JSON and the schemas of src/http/moves.routes.ts.
import { z } from 'zod';
import type { MoveRequest } from '../../directory/moves.service.js';
import { odsCode } from './common.js';
import { person } from './person.js';
import { errors } from './problems.js';

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

const idParam = z.object({ id: z.coerce.number().int().min(1) });

export const listMoveRequests = {
  tags: ['people'],
  operationId: 'listMoveRequests',
  summary: 'Open move requests to or from your organisations (administrators)',
  querystring: z.object({ org: odsCode.optional(), limit: z.coerce.number().int().min(1).max(500).default(50) }),
  response: { 200: z.object({ items: z.array(moveRequest) }), ...errors },
};

export const releaseMoveRequest = {
  tags: ['people'],
  operationId: 'releaseMoveRequest',
  summary: 'Let the person go: they join the organisation that asked, keeping uid and address',
  description:
    "Administrators of the person's current organisation with authority over them (a national administrator " +
    'for anyone holding a role).',
  params: idParam,
  response: { 200: person, ...errors },
};

export const declineMoveRequest = {
  tags: ['people'],
  operationId: 'declineMoveRequest',
  summary: 'Decline (or withdraw) a move request',
  description: 'Administrators of either organisation.',
  params: idParam,
  response: { 204: z.null().describe('Declined'), ...errors },
};

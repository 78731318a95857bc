// The audit log and the change feed: one record shape, and the schemas of their routes in
// src/http/directory.routes.ts.
import { z } from 'zod';
import { pageQuery } from './page.js';
import { problems } from './problems.js';

export const auditRecord = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target_type: z.string(),
  target_id: z.string(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  cause: z.string().nullable(),
});
const records = z.object({ items: z.array(auditRecord) });

export const listAudit = {
  tags: ['audit'],
  operationId: 'listAudit',
  summary: 'Audit records (auditors, national administrators)',
  querystring: z.object({
    after: z.coerce.number().int().min(0).optional(),
    actor: z.string().max(200).optional(),
    target: z.string().max(200).optional(),
    limit: pageQuery.limit,
  }),
  response: { 200: records, ...problems(400, 401, 403) },
};

export const listChanges = {
  tags: ['audit'],
  operationId: 'listChanges',
  summary: 'The change feed: the same numbers as the LDAP change log',
  description:
    'National administrators, auditors and service accounts read every change; a local administrator the ' +
    'changes to their organisation and its people; an ordinary user is refused (the feed says who did what).',
  querystring: z.object({ after: z.coerce.number().int().min(0).default(0), limit: pageQuery.limit }),
  response: { 200: records, ...problems(400, 401, 403) },
};

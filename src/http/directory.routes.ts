// Secure domains, the audit log and the change feed (contract section 4).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Directory } from '../directory/directory.js';
import { caller } from './auth.js';
import { listQuery, problem } from './schemas.js';

const auditRecord = z.object({
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
/** What the audit log keeps as before and after: a JSON object written by the core. */
type JsonObject = Record<string, unknown>;

export function directoryRoutes(app: FastifyInstance, directory: Directory) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/secure-domains',
    {
      config: { auth: true },
      schema: {
        tags: ['secure domains'],
        operationId: 'listSecureDomains',
        summary: 'Domains secure for patient data',
        response: { 200: z.object({ items: z.array(z.string()) }), 401: problem },
      },
    },
    async () => ({ items: await directory.listSecureDomains() }),
  );

  r.get(
    '/api/v1/secure-domains/check',
    {
      config: { auth: true },
      schema: {
        tags: ['secure domains'],
        operationId: 'checkSecureDomain',
        summary: 'Is this address on a secure domain?',
        querystring: z.object({ address: z.string().min(1).max(320) }),
        response: {
          200: z.object({ address: z.string(), domain: z.string().nullable(), secure: z.boolean() }),
          400: problem,
          401: problem,
        },
      },
    },
    async (req) => directory.checkAddress(req.query.address),
  );

  const read = async (
    req: { actor: unknown },
    q: { after?: number; actor?: string; target?: string; limit: number },
    asChanges: boolean,
  ) => {
    const rows = await (asChanges ? directory.listChanges : directory.listAudit)(caller(req as never), q);
    return rows.map((r) => ({
      seq: r.seq,
      at: r.at.toISOString(),
      actor: r.actor,
      action: r.action,
      target_type: r.targetType,
      target_id: r.targetId,
      before: (r.before ?? null) as JsonObject | null,
      after: (r.after ?? null) as JsonObject | null,
      cause: r.cause,
    }));
  };

  r.get(
    '/api/v1/audit',
    {
      config: { auth: true },
      schema: {
        tags: ['audit'],
        operationId: 'listAudit',
        summary: 'Audit records (auditors, national administrators)',
        querystring: z.object({
          after: z.coerce.number().int().min(0).optional(),
          actor: z.string().max(200).optional(),
          target: z.string().max(200).optional(),
          limit: listQuery.limit,
        }),
        response: { 200: records, 400: problem, 401: problem, 403: problem },
      },
    },
    async (req) => ({ items: await read(req, req.query, false) }),
  );

  r.get(
    '/api/v1/changes',
    {
      config: { auth: true },
      schema: {
        tags: ['audit'],
        operationId: 'listChanges',
        summary: 'The change feed: the same numbers as the LDAP change log',
        description:
          'National administrators, auditors and service accounts read every change; a local administrator the ' +
          'changes to their organisation and its people; an ordinary user is refused (the feed says who did what).',
        querystring: z.object({ after: z.coerce.number().int().min(0).default(0), limit: listQuery.limit }),
        response: { 200: records, 400: problem, 401: problem, 403: problem },
      },
    },
    async (req) => ({ items: await read(req, req.query, true) }),
  );
}

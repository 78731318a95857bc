// Secure domains, the audit log and the change feed (contract section 4).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Directory } from '../directory/directory.js';
import { caller } from './auth.js';
import { listAudit, listChanges } from './schemas/audit.js';
import { checkSecureDomain, listSecureDomains } from './schemas/secure-domains.js';

/** What the audit log keeps as before and after: a JSON object written by the core. */
type JsonObject = Record<string, unknown>;

export function directoryRoutes(app: FastifyInstance, directory: Directory) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/v1/secure-domains', { config: { auth: true }, schema: listSecureDomains }, async () => ({
    items: await directory.listSecureDomains(),
  }));

  r.get('/api/v1/secure-domains/check', { config: { auth: true }, schema: checkSecureDomain }, async (req) =>
    directory.checkAddress(req.query.address),
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

  r.get('/api/v1/audit', { config: { auth: true }, schema: listAudit }, async (req) => ({
    items: await read(req, req.query, false),
  }));

  r.get('/api/v1/changes', { config: { auth: true }, schema: listChanges }, async (req) => ({
    items: await read(req, req.query, true),
  }));
}

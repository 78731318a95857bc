// Staff feeds from a page: upload a file, read the dry run's report, then apply it; held runs and
// their approval; the sync-run history; the re-hire review queue. The same sync functions as the
// feed routes of REST (src/http/sync.routes.ts), with the signed-in person as the actor.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Directory } from '../directory/directory.js';
import { DirectoryError } from '../directory/errors.js';
import type { Report } from '../sync/report.js';
import type { Review } from '../sync/review.js';
import type { Sync } from '../sync/runs.js';
import { formOf } from './render.js';

type OrgParams = { Params: { code: string } };

/**
 * A dry run's file, kept until it is applied (or for PENDING_MINUTES): the page applies exactly the
 * file whose report the administrator read. Only the session that uploaded it may apply it, and a
 * session keeps one at most (its next dry run replaces it).
 */
interface Pending {
  id: string;
  org: string;
  connector: string;
  file: Buffer;
  expires: number;
}
export const PENDING_MINUTES = 30;
/**
 * The memory all waiting uploads may hold together. When it is full a new dry run is refused: one
 * administrator's uploads never push out another's. Mutable so a test can make it small.
 */
export const pendingLimits = { bytes: 256 * 1024 * 1024 };

/** The waiting uploads, by session; the sign-out route forgets a session's. */
export interface PendingUploads {
  forget(token: string): void;
}

const connectors = ['csv', 'esr'];

export function feedRoutes(app: FastifyInstance, directory: Directory, sync: Sync, review: Review): PendingUploads {
  /** By a hash of the session's token (the token itself is not kept in memory longer than needed). */
  const pending = new Map<string, Pending>();
  const sessionKey = (token: string) => createHash('sha256').update(token).digest('base64url');
  const sweep = () => {
    for (const [key, p] of pending) if (p.expires < Date.now()) pending.delete(key);
  };
  /** Whether `size` more bytes fit, once this session's own waiting upload (to be replaced) is gone. */
  const fits = (session: string, size: number) => {
    let used = 0;
    for (const [key, p] of pending) if (key !== session) used += p.file.length;
    return used + size <= pendingLimits.bytes;
  };

  const feedPage = async (actor: Parameters<Sync['listRuns']>[0], orgCode: string) => {
    const org = await directory.getOrganisation(orgCode);
    const runs = (await sync.listRuns(actor, { org: org.code, limit: 50 })).map((r) => r.report as Report);
    return {
      title: `Staff feeds for ${org.name}`,
      org,
      runs,
      held: runs.filter((r) => r.status === 'held'),
      connectors,
    };
  };

  app.get<OrgParams>('/organisations/:code/feeds', async (req, reply) =>
    reply.view('feeds', await feedPage(req.session!.actor, req.params.code.toUpperCase())),
  );

  app.post<OrgParams>('/organisations/:code/feeds', { config: { upload: true } }, async (req, reply) => {
    const { actor, token } = req.session!;
    const data = await feedPage(actor, req.params.code.toUpperCase());
    const body = (req.body ?? {}) as Record<string, unknown>;
    const file = body.file;
    const connector = connectors.includes(String(body.connector)) ? String(body.connector) : 'csv';
    if (!Buffer.isBuffer(file) || file.length === 0)
      return reply.code(400).view('feeds', { ...data, errors: [{ field: 'file', message: 'Choose a feed file' }] });
    const session = sessionKey(token);
    sweep();
    pending.delete(session); // a new dry run replaces this session's waiting one, whatever its result
    // Refused before the dry run when the budget is full, and again after it (another may have come).
    const busy = () =>
      reply.code(503).view('feeds', {
        ...data,
        errors: [
          {
            field: 'file',
            message:
              'Too many uploads are waiting to be applied. Try again later, or send the feed ' +
              `through the REST API (POST /api/v1/organisations/${data.org.code}/feeds)`,
          },
        ],
      });
    if (!fits(session, file.length)) return busy();
    const report = await sync.runFeed(actor, {
      connector,
      kind: 'staff',
      orgCode: data.org.code,
      source: { stream: Readable.from([file]) },
      dryRun: true,
    });
    let applyId: string | null = null;
    if (report.status === 'dry_run') {
      if (!fits(session, file.length)) return busy();
      applyId = randomBytes(16).toString('base64url');
      pending.set(session, {
        id: applyId,
        org: data.org.code,
        connector,
        file,
        expires: Date.now() + PENDING_MINUTES * 60_000,
      });
    }
    return reply.view('report', { title: 'Dry run of the staff feed', org: data.org, report, applyId });
  });

  app.post<OrgParams>('/organisations/:code/feeds/apply', async (req, reply) => {
    const { actor, token } = req.session!;
    const id = formOf(req).upload ?? '';
    const session = sessionKey(token);
    const p = pending.get(session);
    const orgCode = req.params.code.toUpperCase();
    if (!p || p.id !== id || p.org !== orgCode || p.expires < Date.now())
      throw new DirectoryError('sync_run.not_found', 'That upload has expired: upload the file again');
    pending.delete(session);
    const report = await sync.runFeed(actor, {
      connector: p.connector,
      kind: 'staff',
      orgCode,
      source: { stream: Readable.from([p.file]) },
    });
    return reply.redirect(`/sync-runs/${report.run_id}`, 303);
  });

  app.get<{ Params: { id: string } }>('/sync-runs/:id', async (req, reply) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id < 1) throw new DirectoryError('sync_run.not_found');
    const run = await sync.getRun(req.session!.actor, id);
    const report = run.report as Report;
    const org = report.org_code ? await directory.getOrganisation(report.org_code) : null;
    return reply.view('report', { title: `Sync run ${id}`, org, report, applyId: null });
  });

  app.post<{ Params: { id: string } }>('/sync-runs/:id/approve', async (req, reply) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id < 1) throw new DirectoryError('sync_run.not_found');
    await sync.approveRun(req.session!.actor, id);
    return reply.redirect(`/sync-runs/${id}`, 303);
  });

  app.get<{ Querystring: { after?: string } }>('/review', async (req, reply) => {
    const after = Number(req.query.after) || undefined;
    const items = await review.listReview(req.session!.actor, { after, limit: 51 });
    const nextHref = items.length > 50 ? `/review?after=${items[49].id}` : null;
    return reply.view('review', { title: 'Possible re-hires', items: items.slice(0, 50), nextHref });
  });

  app.post<{ Params: { id: string } }>('/review/:id', async (req, reply) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id < 1) throw new DirectoryError('review.not_found');
    const action = formOf(req).action === 'link' ? 'link' : 'new';
    const person = await review.resolveReview(req.session!.actor, id, { action });
    return reply.redirect(`/people/${person.uid}`, 303);
  });

  return { forget: (token) => void pending.delete(sessionKey(token)) };
}

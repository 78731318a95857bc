// Feeds, sync runs and the review queue (contract sections 4 and 5). A feed's file is the request
// body as it is (text/csv, text/plain or application/octet-stream), handed to the connector as a
// stream. The answer is the run's report: 200 applied or dry run, 202 held, 422 rejected.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Report } from '../sync/report.js';
import type { Review } from '../sync/review.js';
import type { Sync } from '../sync/runs.js';
import { caller } from './auth.js';
import { sendProblem } from './errors.js';
import {
  approveSyncRun,
  getSyncRun,
  listReviewQueue,
  listSyncRuns,
  resolveReviewItem,
  runOrganisationFeed,
  runStaffFeed,
} from './schemas/feeds.js';
import { cursor, pageOf } from './schemas/page.js';
import { personJson } from './schemas/person.js';

export { feedTypes } from './schemas/feeds.js';

const statusCode = { applied: 200, dry_run: 200, held: 202, rejected: 422 } as const;

/** The uploaded file as a stream, or a 415/400 problem when there is none. */
function upload(req: FastifyRequest, reply: FastifyReply): Readable | null {
  if (!Buffer.isBuffer(req.body)) {
    void sendProblem(
      reply,
      req,
      415,
      'feed.media_type',
      'Unsupported media type',
      'Send the feed file itself as the body, with Content-Type text/csv, text/plain or application/octet-stream',
    );
    return null;
  }
  return Readable.from([req.body]);
}

const send = (reply: FastifyReply, r: Report) => reply.code(statusCode[r.status]).send(r);

export function syncRoutes(app: FastifyInstance, sync: Sync, review: Review) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/organisations/:code/feeds', { config: { auth: true }, schema: runStaffFeed }, async (req, reply) => {
    const stream = upload(req, reply);
    if (!stream) return reply;
    return send(
      reply,
      await sync.runFeed(caller(req), {
        connector: req.query.connector,
        kind: 'staff',
        orgCode: req.params.code,
        source: { stream },
        dryRun: req.query.dry_run === 'true',
      }),
    );
  });

  r.post(
    '/api/v1/reference/organisations',
    { config: { auth: true }, schema: runOrganisationFeed },
    async (req, reply) => {
      const stream = upload(req, reply);
      if (!stream) return reply;
      return send(
        reply,
        await sync.runFeed(caller(req), {
          connector: req.query.connector,
          source: { stream },
          dryRun: req.query.dry_run === 'true',
        }),
      );
    },
  );

  r.get('/api/v1/sync-runs', { config: { auth: true }, schema: listSyncRuns }, async (req) => {
    const before = cursor.decode<number>(req.query.cursor, 'number');
    const runs = await sync.listRuns(caller(req), { org: req.query.org, before, limit: req.query.limit + 1 });
    return pageOf(
      runs,
      req.query.limit,
      (run) => run.report as Report,
      (report) => report.run_id,
    );
  });

  r.get(
    '/api/v1/sync-runs/:id',
    { config: { auth: true }, schema: getSyncRun },
    async (req) => (await sync.getRun(caller(req), req.params.id)).report as Report,
  );

  r.post('/api/v1/sync-runs/:id/approve', { config: { auth: true }, schema: approveSyncRun }, async (req) =>
    sync.approveRun(caller(req), req.params.id),
  );

  r.get('/api/v1/review-queue', { config: { auth: true }, schema: listReviewQueue }, async (req) => {
    const after = cursor.decode<number>(req.query.cursor, 'number');
    const rows = await review.listReview(caller(req), { after, limit: req.query.limit + 1 });
    const item = (i: (typeof rows)[number]) => ({
      id: i.id,
      run_id: i.runId,
      org_code: i.orgCode,
      employee_number: i.hrKey,
      line: i.record.line,
      given_name: i.record.givenName,
      family_name: i.record.familyName,
      candidate: { uid: i.candidateUid, mail: i.candidateMail, org_code: i.candidateOrg },
      created_at: new Date(i.createdAt).toISOString(),
    });
    return pageOf(rows, req.query.limit, item, (i) => i.id);
  });

  r.post('/api/v1/review-queue/:id/resolve', { config: { auth: true }, schema: resolveReviewItem }, async (req) =>
    personJson(await review.resolveReview(caller(req), req.params.id, req.body)),
  );
}

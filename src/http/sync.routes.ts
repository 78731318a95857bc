// Feeds, sync runs and the review queue (contract sections 4 and 5). A feed's file is the request
// body as it is (text/csv, text/plain or application/octet-stream), handed to the connector as a
// stream. The answer is the run's report: 200 applied or dry run, 202 held, 422 rejected.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Report } from '../sync/report.js';
import type { Review } from '../sync/review.js';
import type { Sync } from '../sync/runs.js';
import { caller } from './auth.js';
import { sendProblem } from './errors.js';
import { cursor, listQuery, odsCode, page, person, personJson, problem } from './schemas.js';

const report = z
  .object({
    run_id: z.number().int(),
    connector: z.string(),
    org_code: z.string().nullable(),
    status: z.enum(['applied', 'dry_run', 'held', 'rejected']),
    started_at: z.string(),
    finished_at: z.string(),
    counts: z.object({
      rows: z.number(),
      joiners: z.number(),
      movers: z.number(),
      leavers: z.number(),
      updated: z.number(),
      unchanged: z.number(),
      errors: z.number(),
    }),
    errors: z.array(z.object({ line: z.number(), column: z.number(), message: z.string() })),
    changes: z.array(
      z.object({
        action: z.string(),
        uid: z.string().nullable(),
        mail: z.string().nullable(),
        fields: z.record(z.string(), z.unknown()),
      }),
    ),
    held_reason: z.string().optional(),
  })
  .meta({ id: 'SyncReport' });

const reviewItem = z
  .object({
    id: z.number().int(),
    run_id: z.number().int(),
    org_code: z.string(),
    employee_number: z.string(),
    line: z.number().int(),
    given_name: z.string(),
    family_name: z.string(),
    candidate: z.object({ uid: z.string(), mail: z.string(), org_code: z.string().nullable() }),
    created_at: z.string(),
  })
  .meta({ id: 'ReviewItem' });

/** The media types of a feed's file, read raw (src/app.ts); JSON or anything else is a 415. */
export const feedTypes = ['text/csv', 'text/plain', 'application/octet-stream'];

const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 413: problem, 415: problem };
const reports = { 200: report, 202: report, 422: report, ...errors };
const statusCode = { applied: 200, dry_run: 200, held: 202, rejected: 422 } as const;
const idParam = z.object({ id: z.coerce.number().int().positive() });

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

  r.post(
    '/api/v1/organisations/:code/feeds',
    {
      config: { auth: true },
      schema: {
        tags: ['feeds'],
        operationId: 'runStaffFeed',
        summary: "A staff feed: the organisation's complete current staff list",
        description:
          "The body is the file itself (CSV, or an ESR extract), up to 256 MiB. The answer is the run's report: " +
          '200 applied or a dry run, 202 held for approval, 422 rejected.',
        params: z.object({ code: odsCode }),
        consumes: feedTypes,
        querystring: z.object({
          connector: z.enum(['csv', 'esr']).default('csv'),
          dry_run: z.enum(['true', 'false']).default('false'),
        }),
        response: reports,
      },
    },
    async (req, reply) => {
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
    },
  );

  r.post(
    '/api/v1/reference/organisations',
    {
      config: { auth: true },
      schema: {
        tags: ['feeds'],
        operationId: 'runOrganisationFeed',
        summary: 'An organisation feed: ODS reference data, or successions (mergers)',
        description:
          "The body is the file itself, up to 256 MiB. The answer is the run's report: 200 applied or a dry run, " +
          '202 held for approval, 422 rejected.',
        consumes: feedTypes,
        querystring: z.object({
          connector: z.enum(['ods', 'ods-successions']).default('ods'),
          dry_run: z.enum(['true', 'false']).default('false'),
        }),
        response: reports,
      },
    },
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

  r.get(
    '/api/v1/sync-runs',
    {
      config: { auth: true },
      schema: {
        tags: ['feeds'],
        operationId: 'listSyncRuns',
        summary: 'Sync runs, newest first',
        querystring: z.object({ org: odsCode.optional(), ...listQuery }),
        response: { 200: page(report), ...errors },
      },
    },
    async (req) => {
      const before = cursor.decode<number>(req.query.cursor, 'number');
      const runs = await sync.listRuns(caller(req), { org: req.query.org, before, limit: req.query.limit + 1 });
      const items = runs.slice(0, req.query.limit).map((run) => run.report as Report);
      return {
        items,
        next_cursor: runs.length > req.query.limit ? cursor.encode(items[items.length - 1].run_id) : null,
      };
    },
  );

  r.get(
    '/api/v1/sync-runs/:id',
    {
      config: { auth: true },
      schema: {
        tags: ['feeds'],
        operationId: 'getSyncRun',
        summary: "A run's report",
        params: idParam,
        response: { 200: report, ...errors },
      },
    },
    async (req) => (await sync.getRun(caller(req), req.params.id)).report as Report,
  );

  r.post(
    '/api/v1/sync-runs/:id/approve',
    {
      config: { auth: true },
      schema: {
        tags: ['feeds'],
        operationId: 'approveSyncRun',
        summary: 'Apply a held run, exactly as it was read',
        params: idParam,
        response: { 200: report, ...errors },
      },
    },
    async (req) => sync.approveRun(caller(req), req.params.id),
  );

  r.get(
    '/api/v1/review-queue',
    {
      config: { auth: true },
      schema: {
        tags: ['feeds'],
        operationId: 'listReviewQueue',
        summary: 'Possible re-hires waiting for a decision',
        querystring: z.object(listQuery),
        response: { 200: page(reviewItem), ...errors },
      },
    },
    async (req) => {
      const after = cursor.decode<number>(req.query.cursor, 'number');
      const rows = await review.listReview(caller(req), { after, limit: req.query.limit + 1 });
      const items = rows.slice(0, req.query.limit).map((i) => ({
        id: i.id,
        run_id: i.runId,
        org_code: i.orgCode,
        employee_number: i.hrKey,
        line: i.record.line,
        given_name: i.record.givenName,
        family_name: i.record.familyName,
        candidate: { uid: i.candidateUid, mail: i.candidateMail, org_code: i.candidateOrg },
        created_at: new Date(i.createdAt).toISOString(),
      }));
      return { items, next_cursor: rows.length > req.query.limit ? cursor.encode(items[items.length - 1].id) : null };
    },
  );

  r.post(
    '/api/v1/review-queue/:id/resolve',
    {
      config: { auth: true },
      schema: {
        tags: ['feeds'],
        operationId: 'resolveReviewItem',
        summary: '"link": the earlier person joins, keeping their address; "new": a new person',
        params: idParam,
        body: z.object({ action: z.enum(['link', 'new']), uid: z.string().max(200).optional() }).strict(),
        response: { 200: person, ...errors },
      },
    },
    async (req) => personJson(await review.resolveReview(caller(req), req.params.id, req.body)),
  );
}

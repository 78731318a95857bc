// Feeds, sync runs and the review queue (contract sections 4 and 5): the SyncReport and ReviewItem
// JSON and the schemas of src/http/sync.routes.ts. A feed's body is the file itself (`consumes`,
// no zod body); its answer is the run's report whatever the outcome (200, 202 or 422).
import { z } from 'zod';
import { odsCode } from './common.js';
import { page, pageQuery } from './page.js';
import { person } from './person.js';
import { errors as common, problems } from './problems.js';

export const report = z
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

export const reviewItem = z
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

const errors = { ...common, ...problems(413, 415) };
const reports = { 200: report, 202: report, 422: report, ...errors };
const idParam = z.object({ id: z.coerce.number().int().positive() });

export const runStaffFeed = {
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
};

export const runOrganisationFeed = {
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
};

export const listSyncRuns = {
  tags: ['feeds'],
  operationId: 'listSyncRuns',
  summary: 'Sync runs, newest first',
  querystring: z.object({ org: odsCode.optional(), ...pageQuery }),
  response: { 200: page(report), ...errors },
};

export const getSyncRun = {
  tags: ['feeds'],
  operationId: 'getSyncRun',
  summary: "A run's report",
  params: idParam,
  response: { 200: report, ...errors },
};

export const approveSyncRun = {
  tags: ['feeds'],
  operationId: 'approveSyncRun',
  summary: 'Apply a held run, exactly as it was read',
  params: idParam,
  response: { 200: report, ...errors },
};

export const listReviewQueue = {
  tags: ['feeds'],
  operationId: 'listReviewQueue',
  summary: 'Possible re-hires waiting for a decision',
  querystring: z.object(pageQuery),
  response: { 200: page(reviewItem), ...errors },
};

export const resolveReviewItem = {
  tags: ['feeds'],
  operationId: 'resolveReviewItem',
  summary: '"link": the earlier person joins, keeping their address; "new": a new person',
  params: idParam,
  body: z.object({ action: z.enum(['link', 'new']), uid: z.string().max(200).optional() }).strict(),
  response: { 200: person, ...errors },
};

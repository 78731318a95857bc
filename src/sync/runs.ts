// Sync runs: read a snapshot through a connector, then apply it in one transaction under the
// organisation's feed lock. A dry run and a held run apply too, then roll back, so that what they report
// is exactly what applying would do. Every run is recorded with its report.
import {
  getConnector,
  FeedRejected,
  UnknownConnector,
  type Connector,
  type FeedKind,
  type Item,
  type FeedStream,
  type Lined,
  type StaffRecord,
  type OrganisationRecord,
  type SuccessionRecord,
} from '../../connectors/index.js';
import { metrics } from '../metrics.js';
import type { Actor } from '../directory/actor.js';
import { isAdminOf, isNational, requireAdmin, requireAdminOf, requireNational } from '../directory/actor.js';
import type { Ctx } from '../directory/context.js';
import type { Directory } from '../directory/directory.js';
import { describeError, DirectoryError, fail, isDatabaseUnavailable } from '../directory/errors.js';
import { activeOrganisation } from '../directory/organisations.service.js';
import { requireWriterOf } from '../directory/people.service.js';
import { findSyncRun, listSyncRuns, lockSyncRun, nextSyncRunId, saveSyncRun } from '../directory/sync-runs.js';
import { applyOrganisations, applySuccessions } from './organisations.apply.js';
import { createRefusals } from './refused.js';
import { byLine, emptyCounts, type Outcome, type Report, type RunStatus, type LineError } from './report.js';
import { applyStaff } from './staff.apply.js';
import { collectStaff, type Collected } from './staff.collect.js';

/**
 * A snapshot as read and checked, tagged with the kind of feed its connector declares: what a run
 * applies, and what a held run keeps so that approval applies exactly the same rows.
 */
type Snapshot =
  | { kind: 'staff'; feed: Collected }
  | { kind: 'organisations'; rows: Lined<OrganisationRecord>[]; errors: LineError[] }
  | { kind: 'successions'; rows: Lined<SuccessionRecord>[]; errors: LineError[] };

export interface FeedRequest {
  connector: string;
  /** The kind of feed the caller expects (an endpoint takes staff feeds only, say). */
  kind?: FeedKind;
  orgCode?: string;
  source?: FeedStream;
  config?: unknown;
  dryRun?: boolean;
  /** Called as rows are read and when applying starts (the command's progress line). */
  onProgress?: (phase: 'reading' | 'applying', rows: number) => void;
}

/** Rolls the run's transaction back while carrying out what it would have done. */
class RollBack extends Error {
  constructor(readonly outcome: Outcome) {
    super('roll back');
  }
}

function connectorNamed(name: string): Connector {
  try {
    return getConnector(name);
  } catch (err) {
    if (err instanceof UnknownConnector) fail('connector.unknown', err.message);
    throw err;
  }
}

/** The records of a snapshot, and the errors of the rows that could not be read. */
async function linedRecords<R>(items: AsyncIterable<Item<R>>) {
  const rows: Lined<R>[] = [];
  const errors: LineError[] = [];
  for await (const item of items) {
    if ('error' in item) errors.push({ line: item.line, ...item.error });
    else rows.push(item);
  }
  return { rows, errors };
}

export function createSync(directory: Directory, threshold: number) {
  /** Record the run (in `ctx`, the run's own transaction, when given), with who ran it. */
  async function record(report: Report, actor: Actor, snapshot: Snapshot | null, ctx?: Ctx) {
    const run = {
      id: report.run_id,
      connector: report.connector,
      orgCode: report.org_code,
      status: report.status,
      startedAt: new Date(report.started_at),
      finishedAt: new Date(report.finished_at),
      report,
      snapshot,
    };
    if (ctx) await saveSyncRun(ctx, actor, run);
    else await directory.run((c) => saveSyncRun(c, actor, run));
    metrics.syncRuns.add({ connector: report.connector, status: report.status });
  }

  /** Read and check the snapshot; throws FeedRejected when it cannot be used at all. */
  async function read(req: FeedRequest, connector: Connector, orgCode: string | null): Promise<Snapshot> {
    const kind = connector.kind;
    const parsed = connector.config.safeParse(req.config ?? {});
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'} ${i.message}`);
      fail('connector.invalid_config', `${connector.name}: ${problems.join('; ')}`);
    }
    let n = 0;
    const counted = async function* <R>(items: AsyncIterable<Item<R>>) {
      for await (const item of items) {
        if (++n % 1000 === 0) req.onProgress?.('reading', n);
        yield item;
      }
    };
    const items = counted(connector.read({ ...(req.source ?? {}), orgCode: orgCode ?? undefined }, parsed.data));
    if (kind === 'staff')
      return {
        kind: 'staff',
        feed: await collectStaff(items as AsyncIterable<Item<StaffRecord>>, orgCode!, directory.settings.identifierKey),
      };
    if (kind === 'successions')
      return { kind, ...(await linedRecords(items as AsyncIterable<Item<SuccessionRecord>>)) };
    return { kind: 'organisations', ...(await linedRecords(items as AsyncIterable<Item<OrganisationRecord>>)) };
  }

  function apply(
    ctx: Ctx,
    actor: Actor,
    runId: number,
    connector: string,
    orgCode: string | null,
    snapshot: Snapshot,
    approved: boolean,
  ): Promise<Outcome> {
    // Which path a snapshot takes is the kind of feed its connector declares, never its name.
    switch (snapshot.kind) {
      case 'staff':
        return activeOrganisation(ctx, orgCode!).then((org) =>
          applyStaff(ctx, actor, org, snapshot.feed, { source: connector, threshold, approved, runId }),
        );
      case 'successions':
        return applySuccessions(ctx, actor, snapshot.rows, snapshot.errors);
      case 'organisations':
        return applyOrganisations(ctx, actor, snapshot.rows, snapshot.errors, approved);
    }
  }

  /** Apply in one transaction under the organisation's feed lock; roll back unless it is to be kept. */
  async function transact(
    actor: Actor,
    report: Report,
    snapshot: Snapshot,
    approved: boolean,
    dryRun: boolean,
  ): Promise<{ outcome: Outcome; kept: boolean }> {
    try {
      const outcome = await directory.runFeedWrite(
        report.org_code,
        async (ctx) => {
          if (approved) {
            // Two approvals at once: the second finds the run applied already.
            const status = await lockSyncRun(ctx, report.run_id);
            if (status !== 'held')
              fail('sync_run.not_held', `Sync run ${report.run_id} is ${status ?? 'gone'}, not held`);
          }
          const outcome = await apply(ctx, actor, report.run_id, report.connector, report.org_code, snapshot, approved);
          if (dryRun || outcome.holdReason) throw new RollBack(outcome);
          await record(finish(report, outcome, 'applied'), actor, null, ctx);
          return outcome;
        },
        `sync_run:${report.run_id}`,
      );
      return { outcome, kept: true };
    } catch (err) {
      if (err instanceof RollBack) return { outcome: err.outcome, kept: false };
      throw err;
    }
  }

  function finish(report: Report, outcome: Outcome, status: RunStatus): Report {
    Object.assign(report, {
      status,
      finished_at: directory.now().toISOString(),
      counts: outcome.counts,
      errors: [...outcome.errors].sort(byLine),
      changes: outcome.changes,
    });
    if (outcome.holdReason) report.held_reason = outcome.holdReason;
    return report;
  }

  // A feed refused for want of the primary is recorded, rejected, when writing works again.
  const refusals = createRefusals<{ actor: Actor; connector: string; orgCode: string | null; at: string }>(
    async ({ actor, connector, orgCode, at }) => {
      const report: Report = {
        run_id: await directory.run(nextSyncRunId),
        connector,
        org_code: orgCode,
        status: 'rejected',
        started_at: at,
        finished_at: '',
        counts: emptyCounts(0, 1),
        errors: [],
        changes: [],
      };
      const message = `The database could not be written at ${at}: the feed was refused whole and nothing was applied`;
      finish(report, { counts: emptyCounts(0, 1), errors: [{ line: 0, column: 0, message }], changes: [] }, 'rejected');
      await record(report, actor, null);
    },
  );

  async function runFeed(actor: Actor, req: FeedRequest): Promise<Report> {
    const at = directory.now().toISOString();
    try {
      return await runFeedOnce(actor, req);
    } catch (err) {
      if (isDatabaseUnavailable(err))
        refusals.remember({ actor, connector: req.connector, orgCode: req.orgCode?.toUpperCase() ?? null, at });
      throw err;
    }
  }

  async function runFeedOnce(actor: Actor, req: FeedRequest): Promise<Report> {
    const connector = connectorNamed(req.connector);
    if (req.kind && connector.kind !== req.kind)
      fail(
        'connector.wrong_feed',
        `The ${connector.name} connector reads ${connector.kind} feeds, not ${req.kind} feeds`,
      );
    const orgCode =
      connector.kind === 'staff'
        ? (req.orgCode ?? fail('validation.failed', 'A staff feed is for one organisation', { org: 'is required' }))
        : null;
    if (orgCode) {
      requireWriterOf(actor, orgCode);
      await directory.run((ctx) => activeOrganisation(ctx, orgCode));
    } else requireNational(actor);
    const report: Report = {
      run_id: await directory.run(nextSyncRunId),
      connector: req.connector,
      org_code: orgCode,
      status: 'rejected',
      started_at: directory.now().toISOString(),
      finished_at: '',
      counts: emptyCounts(0, 0),
      errors: [],
      changes: [],
    };
    let snapshot: Snapshot;
    try {
      snapshot = await read(req, connector, orgCode);
    } catch (err) {
      if (!(err instanceof FeedRejected)) throw err;
      const rejected = finish(
        report,
        { counts: emptyCounts(0, 1), errors: [{ line: err.line, column: 0, message: err.message }], changes: [] },
        'rejected',
      );
      await record(rejected, actor, null);
      return rejected;
    }
    req.onProgress?.('applying', snapshot.kind === 'staff' ? snapshot.feed.rows : snapshot.rows.length);
    try {
      const { outcome, kept } = await transact(actor, report, snapshot, false, !!req.dryRun);
      if (kept) return report;
      const status = req.dryRun ? 'dry_run' : 'held';
      await record(finish(report, outcome, status), actor, status === 'held' ? snapshot : null);
      return report;
    } catch (err) {
      // A failure half-way rolled everything back; say so in the run's record, then let it surface.
      // Administrators read the record: of a database error, its code and first line, never the
      // statement with its parameters (every row of the feed, identifier HMACs included).
      const reason = err instanceof DirectoryError ? err.message : describeError(err).message;
      const message = `The run failed and nothing was applied: ${reason}`;
      finish(report, { counts: emptyCounts(0, 1), errors: [{ line: 0, column: 0, message }], changes: [] }, 'rejected');
      await record(report, actor, null).catch(() => undefined);
      throw err;
    }
  }

  async function getRun(actor: Actor, id: number) {
    const run = await directory.run((ctx) => findSyncRun(ctx, id));
    if (!run || !(run.orgCode ? isAdminOf(actor, run.orgCode) : isAdminOf(actor, null)))
      fail('sync_run.not_found', `No sync run ${id}`);
    return run;
  }

  /** Apply a held run as it was read, by an administrator of its organisation (organisation feeds: national). */
  async function approveRun(actor: Actor, id: number): Promise<Report> {
    const run = await getRun(actor, id);
    if (run.orgCode) requireAdminOf(actor, run.orgCode);
    else requireNational(actor);
    if (run.status !== 'held' || !run.held) fail('sync_run.not_held', `Sync run ${id} is ${run.status}, not held`);
    const report = { ...(run.report as Report) };
    delete report.held_reason;
    const { kept } = await transact(actor, report, run.held as Snapshot, true, false);
    if (!kept) fail('sync_run.not_held', `Sync run ${id} could not be applied`);
    return report;
  }

  async function listRuns(actor: Actor, q: { org?: string; before?: number; limit: number }) {
    if (q.org) requireAdminOf(actor, q.org);
    else requireAdmin(actor);
    // A local administrator sees the runs of the organisations they administer.
    const orgs = q.org || isNational(actor) ? undefined : [...actor.adminOf];
    return directory.run((ctx) => listSyncRuns(ctx, { ...q, orgs }));
  }

  return { runFeed, approveRun, getRun, listRuns };
}

export type Sync = ReturnType<typeof createSync>;

// Sync runs: read a snapshot through a connector, then apply it in one transaction under the
// organisation's lock. A dry run and a held run apply too, then roll back, so that what they report
// is exactly what applying would do. Every run is recorded with its report.
import { and, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import {
  getConnector,
  FeedRejected,
  UnknownConnector,
  type Connector,
  type FeedKind,
  type Item,
  type Lined,
  type Source,
  type StaffRecord,
  type OrganisationRecord,
  type SuccessionRecord,
} from '../../connectors/index.js';
import { rows } from '../db/client.js';
import { syncRuns } from '../db/schema.js';
import { metrics } from '../metrics.js';
import type { Actor } from '../directory/actor.js';
import { isAdminOf, isNational, requireAdmin, requireAdminOf, requireNational } from '../directory/actor.js';
import type { Ctx } from '../directory/context.js';
import { syncDatabaseOf, type Directory } from '../directory/directory.js';
import { describeError, DirectoryError, fail } from '../directory/errors.js';
import { activeOrganisation } from '../directory/organisations.service.js';
import { requireWriterOf } from '../directory/people.service.js';
import { applyOrganisations, applySuccessions } from './organisations.apply.js';
import { byLine, emptyCounts, type Outcome, type Report, type RunStatus, type LineError } from './report.js';
import { applyStaff } from './staff.apply.js';
import { collectStaff, type Collected } from './staff.collect.js';

/** What a held run keeps so that approval applies exactly the same rows. */
type Held =
  | { kind: 'staff'; feed: Collected }
  | { kind: 'organisations'; rows: Lined<OrganisationRecord>[]; errors: LineError[] };

export interface FeedRequest {
  connector: string;
  /** The kind of feed the caller expects (an endpoint takes staff feeds only, say). */
  kind?: FeedKind;
  orgCode?: string;
  source?: Source;
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

const lockKey = (org: string | null) => `sync:${org ?? 'organisations'}`;

export function createSync(directory: Directory, threshold: number) {
  const database = syncDatabaseOf(directory);

  async function record(report: Report, actor: Actor, held: Held | null, ctx?: Ctx) {
    const values = {
      id: report.run_id,
      connector: report.connector,
      orgCode: report.org_code,
      status: report.status,
      actor: `${actor.kind}:${actor.name}`,
      startedAt: new Date(report.started_at),
      finishedAt: new Date(report.finished_at),
      report,
      held,
    };
    const tx = ctx?.tx ?? database.db;
    await tx
      .insert(syncRuns)
      .values(values)
      .onConflictDoUpdate({
        target: syncRuns.id,
        set: { status: values.status, finishedAt: values.finishedAt, report, held },
      });
    metrics.syncRuns.add({ connector: report.connector, status: report.status });
  }

  /** Read and check the snapshot; throws FeedRejected when it cannot be used at all. */
  async function read(req: FeedRequest, connector: Connector, orgCode: string | null): Promise<Held> {
    const kind = connector.kind;
    const parsed = connector.config.safeParse(req.config ?? {});
    if (!parsed.success)
      fail(
        'connector.invalid_config',
        `${connector.name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'config'} ${i.message}`).join('; ')}`,
      );
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
    const lined: Lined<OrganisationRecord>[] = [];
    const errors: LineError[] = [];
    for await (const item of items as AsyncIterable<Item<OrganisationRecord>>) {
      if ('error' in item) errors.push({ line: item.line, ...item.error });
      else lined.push(item);
    }
    return { kind: 'organisations', rows: lined, errors };
  }

  function apply(
    ctx: Ctx,
    actor: Actor,
    runId: number,
    connector: string,
    orgCode: string | null,
    held: Held,
    approved: boolean,
  ): Promise<Outcome> {
    if (held.kind === 'staff') {
      return activeOrganisation(ctx, orgCode!).then((org) =>
        applyStaff(ctx, actor, org, held.feed, { source: connector, threshold, approved, runId }),
      );
    }
    return connector === 'ods-successions'
      ? applySuccessions(ctx, actor, held.rows as unknown as Lined<SuccessionRecord>[], held.errors)
      : applyOrganisations(ctx, actor, held.rows, held.errors, approved);
  }

  /** Apply in one transaction under the organisation's lock; roll back unless it is to be kept. */
  async function transact(
    actor: Actor,
    report: Report,
    held: Held,
    approved: boolean,
    dryRun: boolean,
  ): Promise<{ outcome: Outcome; kept: boolean }> {
    try {
      const outcome = await directory.run(async (ctx) => {
        await ctx.tx.execute(sql`select pg_advisory_xact_lock(hashtext(${lockKey(report.org_code)}))`);
        // Every statement of a run has an index to follow, but the planner cannot see how long the
        // arrays it is given are; and JIT compiling costs more than these statements run for.
        if (database.kind === 'postgres')
          await ctx.tx.execute(sql`set local enable_seqscan = off; set local jit = off`);
        if (approved) {
          // Two approvals at once: the second finds the run applied already.
          const [run] = await ctx.tx
            .select({ status: syncRuns.status })
            .from(syncRuns)
            .where(eq(syncRuns.id, report.run_id))
            .for('update');
          if (run?.status !== 'held')
            fail('sync_run.not_held', `Sync run ${report.run_id} is ${run?.status ?? 'gone'}, not held`);
        }
        const outcome = await apply(ctx, actor, report.run_id, report.connector, report.org_code, held, approved);
        if (dryRun || outcome.holdReason) throw new RollBack(outcome);
        await record(finish(report, outcome, 'applied'), actor, null, ctx);
        return outcome;
      }, `sync_run:${report.run_id}`);
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

  async function runFeed(actor: Actor, req: FeedRequest): Promise<Report> {
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
    const [{ id }] = await rows<{ id: number }>(
      database.db.execute(sql`select nextval('sync_runs_id_seq')::int as id`),
    );
    const report: Report = {
      run_id: Number(id),
      connector: req.connector,
      org_code: orgCode,
      status: 'rejected',
      started_at: directory.now().toISOString(),
      finished_at: '',
      counts: emptyCounts(0, 0),
      errors: [],
      changes: [],
    };
    let held: Held;
    try {
      held = await read(req, connector, orgCode);
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
    req.onProgress?.('applying', held.kind === 'staff' ? held.feed.rows : held.rows.length);
    try {
      const { outcome, kept } = await transact(actor, report, held, false, !!req.dryRun);
      if (kept) return report;
      const status = req.dryRun ? 'dry_run' : 'held';
      await record(finish(report, outcome, status), actor, status === 'held' ? held : null);
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
    const [run] = await database.db.select().from(syncRuns).where(eq(syncRuns.id, id));
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
    const { kept } = await transact(actor, report, run.held as Held, true, false);
    if (!kept) fail('sync_run.not_held', `Sync run ${id} could not be applied`);
    return report;
  }

  async function listRuns(actor: Actor, q: { org?: string; before?: number; limit: number }) {
    if (q.org) requireAdminOf(actor, q.org);
    else requireAdmin(actor);
    const where: SQL[] = [];
    if (q.org) where.push(eq(syncRuns.orgCode, q.org));
    else if (!isNational(actor)) where.push(inArray(syncRuns.orgCode, [...actor.adminOf]));
    if (q.before) where.push(lt(syncRuns.id, q.before));
    return database.db
      .select({ report: syncRuns.report })
      .from(syncRuns)
      .where(and(...where))
      .orderBy(desc(syncRuns.id))
      .limit(q.limit);
  }

  return { runFeed, approveRun, getRun, listRuns };
}

export type Sync = ReturnType<typeof createSync>;

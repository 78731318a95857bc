// Organisation feeds (contract section 5): ODS reference data creates, renames and closes
// organisations; successions merge one into another (people move, addresses unchanged). A closure
// that would make people leavers is held for approval, like a staff feed over its threshold.
import type { Lined, OrganisationRecord, SuccessionRecord } from '../../connectors/index.js';
import type { Actor } from '../directory/actor.js';
import type { Ctx } from '../directory/context.js';
import { countActiveIn, organisationsByCode } from '../directory/organisation-feed.js';
import { closeOrganisation, createOrganisation, renameOrganisation } from '../directory/organisations.service.js';
import { emptyCounts, type LineError, type Outcome } from './report.js';

export async function applyOrganisations(
  ctx: Ctx,
  actor: Actor,
  rowsIn: Lined<OrganisationRecord>[],
  errors: LineError[],
  approved: boolean,
): Promise<Outcome> {
  const counts = emptyCounts(rowsIn.length + errors.length, errors.length);
  const out: Outcome = { counts, errors: [...errors], changes: [] };
  const orgs = await organisationsByCode(
    ctx,
    rowsIn.map((r) => r.record.code),
  );
  const closures: string[] = [];
  for (const { line, record: r, columns } of rowsIn) {
    const org = orgs.get(r.code);
    if (!org) {
      // Proposed organisations wait until they open; one that closed before we saw it is not created.
      if (r.status === 'P' || r.status === 'C') {
        counts.unchanged++;
        continue;
      }
      await createOrganisation(ctx, actor, { code: r.code, name: r.name });
      counts.joiners++;
      out.changes.push({ action: 'create', uid: r.code, mail: null, fields: { name: r.name } });
      continue;
    }
    if (org.status === 'closed' && r.status !== 'C') {
      out.errors.push({
        line,
        column: columns.status ?? 13,
        message: `${r.code} is closed in the directory and codes are never reopened`,
      });
      counts.errors++;
      continue;
    }
    let changed = false;
    if (org.name !== r.name.trim()) {
      await renameOrganisation(ctx, actor, r.code, r.name);
      counts.updated++;
      changed = true;
      out.changes.push({
        action: 'rename',
        uid: r.code,
        mail: null,
        fields: { name: r.name.trim(), previous_name: org.name },
      });
    }
    if (r.status === 'C' && org.status === 'active') {
      const people = await countActiveIn(ctx, r.code);
      if (people) closures.push(`${r.code} (${people} people)`);
      await closeOrganisation(ctx, actor, r.code, null);
      counts.leavers++;
      changed = true;
      out.changes.push({
        action: 'close',
        uid: r.code,
        mail: null,
        fields: { status: 'closed', people_made_leavers: people },
      });
    }
    if (!changed) counts.unchanged++;
  }
  if (closures.length && !approved) {
    out.holdReason =
      `Closing ${closures.join(', ')} without a successor would make everyone there a leaver: ` +
      'send the successions file first, or have a national administrator approve the run';
  }
  return out;
}

export async function applySuccessions(
  ctx: Ctx,
  actor: Actor,
  rowsIn: Lined<SuccessionRecord>[],
  errors: LineError[],
): Promise<Outcome> {
  const counts = emptyCounts(rowsIn.length + errors.length, errors.length);
  const out: Outcome = { counts, errors: [...errors], changes: [] };
  const today = ctx.now().toISOString().slice(0, 10);
  const orgs = await organisationsByCode(
    ctx,
    rowsIn.flatMap((r) => [r.record.predecessorCode, r.record.successorCode]),
  );
  const wrong = (line: number, column: number | undefined, message: string) => {
    out.errors.push({ line, column: column ?? 0, message });
    counts.errors++;
  };
  for (const { line, record: r, columns } of rowsIn) {
    const from = orgs.get(r.predecessorCode);
    const to = orgs.get(r.successorCode);
    if (!from) {
      wrong(line, columns.predecessorCode, `No organisation has the ODS code ${r.predecessorCode}`);
      continue;
    }
    if (!to) {
      wrong(line, columns.successorCode, `No organisation has the ODS code ${r.successorCode}`);
      continue;
    }
    if (from.code === to.code) {
      wrong(line, columns.successorCode, 'An organisation cannot succeed itself');
      continue;
    }
    if (r.effectiveDate > today || from.successorCode === to.code) {
      counts.unchanged++;
      continue;
    } // not yet, or done
    if (to.status !== 'active') {
      wrong(line, columns.successorCode, `${to.code} is closed and cannot take people`);
      continue;
    }
    if (from.status !== 'active') {
      wrong(
        line,
        columns.predecessorCode,
        `${from.code} is already closed without a successor; its people are leavers`,
      );
      continue;
    }
    const people = await countActiveIn(ctx, from.code);
    await closeOrganisation(ctx, actor, from.code, to.code);
    orgs.set(from.code, { ...from, status: 'closed', successorCode: to.code });
    counts.movers++;
    out.changes.push({
      action: 'merge',
      uid: from.code,
      mail: null,
      fields: { successor_code: to.code, people_moved: people },
    });
  }
  return out;
}

// Second half of a staff run, inside the run's transaction: match every row to a person, classify
// (joiner, mover, leaver, updated, unchanged, re-hire for review), and apply it all. Runs with the
// organisation's feed lock held, so the state it reads cannot change under it. This file decides;
// the core's functions write, each change audited.
import { isNational, type Actor } from '../directory/actor.js';
import { lockAllAddresses } from '../directory/addresses.js';
import type { Ctx } from '../directory/context.js';
import { addJoiners } from '../directory/joiners.bulk.js';
import type { Organisation } from '../directory/organisations.service.js';
import { joinOrganisation } from '../directory/moves.service.js';
import { updatePerson, type PersonPatch } from '../directory/people.service.js';
import { openReviewKeys, queueForReview } from '../directory/review-queue.js';
import {
  adoptEmployeeNumbers,
  countActiveStaff,
  identifierPair,
  leaversByIdentifiers,
  markFeedLeavers,
  peopleByAddress,
  peopleByEmployeeNumber,
  roleHolders,
  storeIdentifierHashes,
  type Adoption,
  type ByAddress,
  type ByEmployeeNumber,
  type FedPerson,
  type IdentifierHashes,
} from '../directory/staff-feed.js';
import type { Collected, FeedPerson } from './staff.collect.js';
import { emptyCounts, type Change, type Counts, type LineError, type Outcome } from './report.js';

// Fields a feed keeps true, as the core names them and as the report names them.
const fields = [
  ['givenName', 'given_name'],
  ['familyName', 'family_name'],
  ['title', 'title'],
  ['department', 'department'],
  ['site', 'site'],
  ['telephone', 'telephone'],
  ['mobile', 'mobile'],
] as const;

/** What the row changes: a field whose column the file does not have (undefined) changes nothing. */
function patchFor(row: FeedPerson, known: FedPerson): PersonPatch {
  const now: Record<string, string | null> = {
    givenName: known.given_name,
    familyName: known.family_name,
    title: known.title,
    department: known.department,
    site: known.site,
    telephone: known.telephone,
    mobile: known.mobile,
  };
  return Object.fromEntries(
    fields.filter(([f]) => row[f] !== undefined && row[f] !== now[f]).map(([f]) => [f, row[f]]),
  );
}

const reportFields = (patch: PersonPatch) =>
  Object.fromEntries(fields.filter(([f]) => f in patch).map(([f, name]) => [name, patch[f as keyof PersonPatch]]));

const fieldsOf = (row: FeedPerson): PersonPatch =>
  Object.fromEntries(fields.filter(([f]) => row[f] != null).map(([f]) => [f, row[f]]));

export interface StaffOptions {
  source: string;
  threshold: number;
  approved: boolean;
  runId: number;
}

/** The organisation's people as the feed's rows may match them, read once before classifying. */
interface Known {
  byKey: Map<string, ByEmployeeNumber>;
  byMail: Map<string, ByAddress>;
  /** Leavers anywhere, by their identifier hashes (`identifierPair`). */
  rehires: Map<string, FedPerson>;
  /** Employee numbers already waiting for review. */
  inReview: Set<string>;
}

interface Update {
  row: FeedPerson;
  who: FedPerson;
  patch: PersonPatch;
  /** Matched by address while fed under no employee number (or another): the row's is adopted. */
  adoption: Adoption | null;
}

/** What applying will do, row by row; `claimed` maps each matched person's id to the line that claimed them. */
interface Plan {
  counts: Counts;
  errors: LineError[];
  claimed: Map<number, number>;
  leavers: FedPerson[];
  movers: { row: FeedPerson; who: FedPerson }[];
  updates: Update[];
  joiners: FeedPerson[];
  reviews: { row: FeedPerson; who: FedPerson }[];
  hashes: IdentifierHashes[];
}

export async function applyStaff(
  ctx: Ctx,
  actor: Actor,
  org: Organisation,
  feed: Collected,
  opts: StaffOptions,
): Promise<Outcome> {
  const orgCode = org.code;
  await lockAllAddresses(ctx.tx); // joiners and name changes allocate; taken first to keep one lock order
  const known = await readKnown(ctx, orgCode, feed);
  const plan = classify(feed, known, orgCode, ctx.now().toISOString().slice(0, 10));
  if (actor.kind === 'person' && !isNational(actor)) await refuseRoleHolders(ctx, plan);
  const holdReason = await holdReasonFor(ctx, orgCode, plan.leavers.length, opts);

  // Apply. The order keeps each step's rules simple: leavers, movers, edits, then new people.
  const changes: Change[] = [];
  await applyLeavers(ctx, actor, plan, changes);
  await applyMovers(ctx, actor, orgCode, opts.source, plan, changes);
  await applyUpdates(ctx, actor, orgCode, opts.source, plan, changes);
  await storeIdentifierHashes(ctx, actor, plan.hashes);
  await applyJoiners(ctx, actor, org, opts.source, plan, changes);
  await queueReviews(ctx, orgCode, opts.runId, plan, changes);
  return { counts: plan.counts, errors: plan.errors, changes, holdReason };
}

async function readKnown(ctx: Ctx, orgCode: string, feed: Collected): Promise<Known> {
  const byKey = await peopleByEmployeeNumber(ctx, orgCode);
  const emails = feed.people.filter((p) => p.email && !byKey.has(p.key)).map((p) => p.email!);
  const byMail = await peopleByAddress(ctx, orgCode, emails);
  const pairs = feed.people.filter((p) => p.niHmac && p.dobHmac).map((p) => ({ ni: p.niHmac!, dob: p.dobHmac! }));
  const rehires = await leaversByIdentifiers(ctx, pairs);
  const inReview = await openReviewKeys(ctx, orgCode);
  return { byKey, byMail, rehires, inReview };
}

function classify(feed: Collected, known: Known, orgCode: string, today: string): Plan {
  const plan: Plan = {
    counts: emptyCounts(feed.rows, feed.errors.length),
    errors: [...feed.errors],
    claimed: new Map(),
    leavers: [],
    movers: [],
    updates: [],
    joiners: [],
    reviews: [],
    hashes: [],
  };
  const activeHere = (k: FedPerson) => k.status === 'active' && k.org_code === orgCode && !k.deleted;
  for (const row of feed.people) classifyRow(plan, known, row, today, activeHere);

  // Fed here before, active here, and absent now (not even on a row with an error): a leaver.
  const present = new Set([...feed.people.map((p) => p.key), ...feed.protectedKeys]);
  for (const k of known.byKey.values())
    if (k.open && activeHere(k) && !present.has(k.hr_key) && !plan.claimed.has(k.id)) plan.leavers.push(k);
  return plan;
}

function rowError(plan: Plan, line: number, message: string) {
  plan.errors.push({ line, column: 0, message });
  plan.counts.errors++;
}

function classifyRow(
  plan: Plan,
  known: Known,
  row: FeedPerson,
  today: string,
  activeHere: (k: FedPerson) => boolean,
): void {
  const ended = row.endDate !== null && row.endDate < today;
  const waiting = row.startDate !== null && row.startDate > today;
  const keyed = known.byKey.get(row.key);
  const mailed = !keyed && row.email ? known.byMail.get(row.email) : undefined;
  // A soft-deleted leaver this organisation fed comes back as a mover, with their uid and address;
  // one found only by an address is a national administrator's to restore.
  if (mailed?.deleted)
    return rowError(
      plan,
      row.line,
      `${row.email} belongs to a soft-deleted leaver: a national administrator may restore them`,
    );
  const who = keyed ?? mailed;
  if (who && !claim(plan, row, who)) return;
  if (who && activeHere(who) && (who !== keyed || keyed.open)) {
    if (ended) plan.leavers.push(who);
    else keepTrue(plan, row, who, who === mailed ? mailed : undefined);
  } else if (ended || waiting) {
    plan.counts.unchanged++; // gone before arriving, or not started yet: nothing to do today
  } else if (who) {
    plan.movers.push({ row, who });
  } else {
    const earlier = row.niHmac && row.dobHmac ? known.rehires.get(identifierPair(row.niHmac, row.dobHmac)) : undefined;
    if (earlier && known.inReview.has(row.key)) plan.counts.unchanged++;
    else if (earlier) plan.reviews.push({ row, who: earlier });
    else plan.joiners.push(row);
  }
}

/** The row claims the person (false: another line did, and this row is an error); new identifier hashes are kept. */
function claim(plan: Plan, row: FeedPerson, who: FedPerson): boolean {
  const other = plan.claimed.get(who.id);
  if (other !== undefined) {
    rowError(plan, row.line, `the same person (${who.uid}) as line ${other}`);
    return false;
  }
  plan.claimed.set(who.id, row.line);
  const niHmac = row.niHmac && row.niHmac !== who.ni_hmac ? row.niHmac : null;
  const dobHmac = row.dobHmac && row.dobHmac !== who.dob_hmac ? row.dobHmac : null;
  if (niHmac || dobHmac) plan.hashes.push({ personId: who.id, uid: who.uid, niHmac, dobHmac });
  return true;
}

/** Someone active here, fed again: what changed is updated; matched by address, the row's key is adopted. */
function keepTrue(plan: Plan, row: FeedPerson, who: FedPerson, mailed: ByAddress | undefined) {
  const adoption =
    mailed && mailed.hr_key !== row.key
      ? { personId: who.id, uid: who.uid, previous: mailed.hr_key, employeeNumber: row.key }
      : null;
  const patch = patchFor(row, who);
  if (adoption || Object.keys(patch).length) plan.updates.push({ row, who, patch, adoption });
  else plan.counts.unchanged++;
}

/**
 * The organisation's HR (its connector, or a national administrator) keeps true what it knows of
 * everyone it employs; a local administrator uploading a file has no more authority over someone
 * holding a role than they have by hand: those rows are errors, and those people stay as they are.
 */
async function refuseRoleHolders(ctx: Ctx, plan: Plan) {
  const holders = await roleHolders(ctx, [...plan.leavers.map((l) => l.id), ...plan.updates.map((u) => u.who.id)]);
  const refuse = (line: number, uid: string, what: string) =>
    rowError(
      plan,
      line,
      `${uid} holds a role: only the organisation's connector or a national administrator may ${what}`,
    );
  // (Ids arrive as text from PostgreSQL's bigint, as numbers from PGlite.)
  const holds = (k: FedPerson) => holders.has(Number(k.id));
  for (const l of plan.leavers.filter(holds)) refuse(plan.claimed.get(l.id) ?? 0, l.uid, 'make them a leaver');
  for (const u of plan.updates.filter((x) => holds(x.who))) refuse(u.row.line, u.who.uid, 'change them');
  plan.leavers = plan.leavers.filter((x) => !holds(x));
  plan.updates = plan.updates.filter((x) => !holds(x.who));
}

/** Too many leavers at once (a truncated file, say) and the run waits for an administrator's approval. */
async function holdReasonFor(ctx: Ctx, orgCode: string, leavers: number, opts: StaffOptions) {
  const active = await countActiveStaff(ctx, orgCode);
  const share = active ? leavers / active : 0;
  if (share <= opts.threshold || opts.approved) return undefined;
  const percent = (n: number) => `${(n * 100).toFixed(1)}%`;
  return (
    `${leavers} of ${active} people (${percent(share)}) would become leavers, ` +
    `more than the threshold of ${percent(opts.threshold)}: an administrator must approve the run`
  );
}

async function applyLeavers(ctx: Ctx, actor: Actor, plan: Plan, changes: Change[]) {
  if (!plan.leavers.length) return;
  const left = await markFeedLeavers(
    ctx,
    actor,
    plan.leavers.map((l) => l.id),
  );
  plan.counts.leavers = left.length;
  for (const l of [...left].sort((a, b) => a.uid.localeCompare(b.uid)))
    changes.push({ action: 'leaver', uid: l.uid, mail: l.mail, fields: { status: 'leaver' } });
}

async function applyMovers(ctx: Ctx, actor: Actor, orgCode: string, source: string, plan: Plan, changes: Change[]) {
  for (const { row, who } of plan.movers) {
    const input = {
      orgCode,
      hrKey: row.key,
      source,
      title: row.title,
      department: row.department,
      site: row.site,
      telephone: row.telephone,
      mobile: row.mobile,
    };
    const {
      person: moved,
      request,
      requested,
    } = await joinOrganisation(ctx, actor, who.uid, input, { returning: true });
    if (request) {
      // Active in another organisation: the move waits until that organisation lets them go.
      if (!requested) plan.counts.unchanged++;
      else
        changes.push({
          action: 'move_requested',
          uid: who.uid,
          mail: who.mail,
          fields: { org_code: orgCode, previous_org_code: who.org_code, request_id: request.id },
        });
      continue;
    }
    const { givenName, familyName } = patchFor(row, who); // the move set the other fields
    const names = { ...(givenName ? { givenName } : {}), ...(familyName ? { familyName } : {}) };
    const renamed = Object.keys(names).length ? await updatePerson(ctx, actor, who.uid, names, { feed: true }) : moved;
    plan.counts.movers++;
    changes.push({
      action: 'mover',
      uid: renamed.uid,
      mail: renamed.mail,
      fields: {
        org_code: orgCode,
        previous_org_code: who.status === 'active' ? who.org_code : null,
        ...(who.deleted ? { restored: true } : {}),
        ...reportFields(names),
      },
    });
  }
}

async function applyUpdates(ctx: Ctx, actor: Actor, orgCode: string, source: string, plan: Plan, changes: Change[]) {
  const adoptions = plan.updates.flatMap((u) => (u.adoption ? [u.adoption] : []));
  await adoptEmployeeNumbers(ctx, actor, orgCode, source, adoptions);
  for (const { row, who, patch, adoption } of plan.updates) {
    const updated = Object.keys(patch).length ? await updatePerson(ctx, actor, who.uid, patch, { feed: true }) : who;
    plan.counts.updated++;
    changes.push({
      action: 'updated',
      uid: updated.uid,
      mail: updated.mail,
      fields: { ...reportFields(patch), ...(adoption ? { employee_number: row.key } : {}) },
    });
  }
}

async function applyJoiners(ctx: Ctx, actor: Actor, org: Organisation, source: string, plan: Plan, changes: Change[]) {
  const joined = await addJoiners(
    ctx,
    actor,
    org,
    plan.joiners.map((row) => ({ ...row, orgCode: org.code, hrKey: row.key, source })),
  );
  plan.counts.joiners = joined.length;
  joined.forEach((j, i) =>
    changes.push({ action: 'joiner', uid: j.uid, mail: j.mail, fields: reportFields(fieldsOf(plan.joiners[i])) }),
  );
}

/** Possible re-hires wait for an administrator: nothing is merged automatically. */
async function queueReviews(ctx: Ctx, orgCode: string, runId: number, plan: Plan, changes: Change[]) {
  await queueForReview(
    ctx,
    runId,
    orgCode,
    plan.reviews.map(({ row, who }) => ({ hrKey: row.key, record: row, candidateId: who.id })),
  );
  for (const { row, who } of plan.reviews)
    changes.push({
      action: 'review',
      uid: null,
      mail: null,
      fields: { line: row.line, employee_number: row.key, candidate_uid: who.uid },
    });
}

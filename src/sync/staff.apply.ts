// Second half of a staff run, inside the run's transaction: match every row to a person, classify
// (joiner, mover, leaver, updated, unchanged, re-hire for review), and apply it all. Runs with the
// organisation's sync lock held, so the state it reads cannot change under it.
import { sql } from 'drizzle-orm';
import { rows } from '../db/client.js';
import { isNational, type Actor } from '../directory/actor.js';
import { lockAllAddresses } from '../directory/addresses.js';
import type { Ctx } from '../directory/context.js';
import { markLeavers } from '../directory/employment.js';
import { addJoiners } from '../directory/joiners.bulk.js';
import type { Organisation } from '../directory/organisations.service.js';
import { joinOrganisation } from '../directory/moves.service.js';
import { updatePerson, type PersonPatch } from '../directory/people.service.js';
import { reviewQueue } from '../db/schema.js';
import type { Collected, FeedPerson } from './staff.collect.js';
import { emptyCounts, type Change, type Outcome } from './report.js';

interface Known {
  id: number;
  uid: string;
  mail: string;
  status: 'active' | 'leaver';
  org_code: string | null;
  deleted: boolean;
  given_name: string | null;
  family_name: string;
  title: string | null;
  department: string | null;
  site: string | null;
  telephone: string | null;
  mobile: string | null;
  ni_hmac: string | null;
  dob_hmac: string | null;
}
type ByKey = Known & { hr_key: string; open: boolean };
type ByMail = Known & { address: string; hr_key: string | null };

const personColumns = sql`p.id, p.uid, p.mail, p.status, p.org_code, p.deleted_at is not null as deleted, p.given_name, p.family_name,
  p.title, p.department, p.site, p.telephone, p.mobile, p.ni_hmac, p.dob_hmac`;

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
function patchFor(row: FeedPerson, known: Known): PersonPatch {
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

export interface StaffOptions {
  source: string;
  threshold: number;
  approved: boolean;
  runId: number;
}

export async function applyStaff(
  ctx: Ctx,
  actor: Actor,
  org: Organisation,
  feed: Collected,
  opts: StaffOptions,
): Promise<Outcome> {
  const X = org.code;
  const today = ctx.now().toISOString().slice(0, 10);
  await lockAllAddresses(ctx.tx); // joiners and name changes allocate; taken first to keep one lock order

  const byKey = new Map(
    (
      await rows<ByKey>(
        ctx.tx.execute(sql`
    select distinct on (e.hr_key) e.hr_key, e.ended_at is null as open, ${personColumns}
    from employments e join people p on p.id = e.person_id
    where e.org_code = ${X} and e.hr_key is not null and p.kind = 'person'
    order by e.hr_key, e.started_at desc, e.id desc`),
      )
    ).map((k) => [k.hr_key, k]),
  );
  const emails = feed.people.filter((p) => p.email && !byKey.has(p.key)).map((p) => p.email!);
  const byMail = new Map(
    (
      await rows<ByMail>(
        ctx.tx.execute(sql`
    select a.address, ${personColumns},
      (select e.hr_key from employments e where e.person_id = p.id and e.org_code = ${X} and e.ended_at is null order by e.started_at desc limit 1) as hr_key
    from addresses a join people p on p.id = a.person_id
    where a.address = any(${sql.param(emails)}::text[]) and p.kind = 'person'`),
      )
    ).map((m) => [m.address, m]),
  );
  const rehireKeys = feed.people.filter((p) => p.niHmac && p.dobHmac);
  const rehires = new Map(
    (
      await rows<Known>(
        ctx.tx.execute(sql`
    select ${personColumns} from people p
    where p.kind = 'person' and p.status = 'leaver'
      and (p.ni_hmac, p.dob_hmac) in (select * from unnest(${sql.param(rehireKeys.map((p) => p.niHmac))}::text[], ${sql.param(rehireKeys.map((p) => p.dobHmac))}::text[]))
    order by p.left_at`),
      )
    ).map((k) => [`${k.ni_hmac}|${k.dob_hmac}`, k]),
  ); // the latest leaver wins
  const inReview = new Set(
    (
      await rows<{ hr_key: string }>(
        ctx.tx.execute(sql`
    select hr_key from review_queue where org_code = ${X} and status = 'open'`),
      )
    ).map((r) => r.hr_key),
  );

  const counts = emptyCounts(feed.rows, feed.errors.length);
  const errors = [...feed.errors];
  const changes: Change[] = [];
  const claimed = new Map<number, number>(); // person id → the line that claimed them
  const leavers: Known[] = [];
  const movers: { row: FeedPerson; who: Known }[] = [];
  const updates: { row: FeedPerson; who: Known; patch: PersonPatch; adopt: boolean }[] = [];
  const joiners: FeedPerson[] = [];
  const reviews: { row: FeedPerson; who: Known }[] = [];
  const hashes: { id: number; ni: string | null; dob: string | null }[] = [];
  const activeHere = (k: Known) => k.status === 'active' && k.org_code === X && !k.deleted;

  for (const row of feed.people) {
    const ended = row.endDate !== null && row.endDate < today;
    const waiting = row.startDate !== null && row.startDate > today;
    const keyed = byKey.get(row.key);
    const mailed = !keyed && row.email ? byMail.get(row.email) : undefined;
    // A soft-deleted leaver this organisation fed comes back as a mover, with their uid and address;
    // one found only by an address is a national administrator's to restore.
    if (mailed?.deleted) {
      errors.push({
        line: row.line,
        column: 0,
        message: `${row.email} belongs to a soft-deleted leaver: a national administrator may restore them`,
      });
      counts.errors++;
      continue;
    }
    const who = keyed ?? mailed;
    if (who) {
      const other = claimed.get(who.id);
      if (other !== undefined) {
        errors.push({ line: row.line, column: 0, message: `the same person (${who.uid}) as line ${other}` });
        counts.errors++;
        continue;
      }
      claimed.set(who.id, row.line);
      if ((row.niHmac && row.niHmac !== who.ni_hmac) || (row.dobHmac && row.dobHmac !== who.dob_hmac))
        hashes.push({ id: who.id, ni: row.niHmac, dob: row.dobHmac });
    }
    if (who && activeHere(who) && (who === keyed ? keyed.open : true)) {
      if (ended) leavers.push(who);
      else {
        // Matched by email while fed under no key (or another, now absent): the row's key is adopted.
        const adopt = who === mailed && mailed.hr_key !== row.key;
        const patch = patchFor(row, who);
        if (adopt || Object.keys(patch).length) updates.push({ row, who, patch, adopt });
        else counts.unchanged++;
      }
    } else if (ended || waiting) {
      counts.unchanged++; // gone before arriving, or not started yet: nothing to do today
    } else if (who) {
      movers.push({ row, who });
    } else {
      const earlier = row.niHmac && row.dobHmac ? rehires.get(`${row.niHmac}|${row.dobHmac}`) : undefined;
      if (earlier && inReview.has(row.key)) counts.unchanged++;
      else if (earlier) reviews.push({ row, who: earlier });
      else joiners.push(row);
    }
  }

  // Fed here before, active here, and absent now (not even on a row with an error): a leaver.
  const present = new Set([...feed.people.map((p) => p.key), ...feed.protectedKeys]);
  for (const k of byKey.values())
    if (k.open && activeHere(k) && !present.has(k.hr_key) && !claimed.has(k.id)) leavers.push(k);

  // The organisation's HR (its connector, or a national administrator) keeps true what it knows of
  // everyone it employs; a local administrator uploading a file has no more authority over someone
  // holding a role than they have by hand: those rows are errors, and those people stay as they are.
  if (actor.kind === 'person' && !isNational(actor)) {
    const ids = [...leavers.map((l) => l.id), ...updates.map((u) => u.who.id)];
    const holders = new Set(
      (
        await rows<{ id: string }>(
          ctx.tx.execute(sql`
      select distinct person_id as id from role_grants where person_id = any(${sql.param(ids)}::bigint[])`),
        )
      ).map((r) => Number(r.id)),
    );
    const refuse = (line: number, uid: string, what: string) => {
      errors.push({
        line,
        column: 0,
        message: `${uid} holds a role: only the organisation's connector or a national administrator may ${what}`,
      });
      counts.errors++;
    };
    // (Ids arrive as text from PostgreSQL's bigint, as numbers from PGlite.)
    const holds = (k: Known) => holders.has(Number(k.id));
    for (const l of leavers.filter(holds)) refuse(claimed.get(l.id) ?? 0, l.uid, 'make them a leaver');
    for (const u of updates.filter((x) => holds(x.who))) refuse(u.row.line, u.who.uid, 'change them');
    leavers.splice(0, leavers.length, ...leavers.filter((x) => !holds(x)));
    updates.splice(0, updates.length, ...updates.filter((x) => !holds(x.who)));
  }

  const active = await rows<{ n: number }>(
    ctx.tx.execute(
      sql`select count(*)::int as n from people where org_code = ${X} and kind = 'person' and status = 'active' and deleted_at is null`,
    ),
  );
  const share = active[0].n ? leavers.length / active[0].n : 0;
  const holdReason =
    share > opts.threshold && !opts.approved
      ? `${leavers.length} of ${active[0].n} people (${(share * 100).toFixed(1)}%) would become leavers, more than the threshold of ${(opts.threshold * 100).toFixed(1)}%: an administrator must approve the run`
      : undefined;

  // Apply. The order keeps each step's rules simple: leavers, movers, edits, then new people.
  if (leavers.length) {
    const left = await markLeavers(ctx, actor, sql`id = any(${sql.param(leavers.map((l) => l.id))}::bigint[])`);
    counts.leavers = left.length;
    for (const l of [...left].sort((a, b) => a.uid.localeCompare(b.uid)))
      changes.push({ action: 'leaver', uid: l.uid, mail: l.mail, fields: { status: 'leaver' } });
  }
  for (const { row, who } of movers) {
    const input = {
      orgCode: X,
      hrKey: row.key,
      source: opts.source,
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
      if (!requested) counts.unchanged++;
      else
        changes.push({
          action: 'move_requested',
          uid: who.uid,
          mail: who.mail,
          fields: { org_code: X, previous_org_code: who.org_code, request_id: request.id },
        });
      continue;
    }
    const { givenName, familyName } = patchFor(row, who); // the move set the other fields
    const names = { ...(givenName ? { givenName } : {}), ...(familyName ? { familyName } : {}) };
    const renamed = Object.keys(names).length ? await updatePerson(ctx, actor, who.uid, names, { feed: true }) : moved;
    counts.movers++;
    changes.push({
      action: 'mover',
      uid: renamed.uid,
      mail: renamed.mail,
      fields: {
        org_code: X,
        previous_org_code: who.status === 'active' ? who.org_code : null,
        ...(who.deleted ? { restored: true } : {}),
        ...reportFields(names),
      },
    });
  }
  for (const { row, who, patch, adopt } of updates) {
    if (adopt) {
      await ctx.tx.execute(sql`update employments set hr_key = ${row.key}, source = ${opts.source}
        where id = (select id from employments where person_id = ${who.id} and org_code = ${X} and ended_at is null order by started_at desc limit 1)`);
    }
    const updated = Object.keys(patch).length ? await updatePerson(ctx, actor, who.uid, patch, { feed: true }) : who;
    counts.updated++;
    changes.push({
      action: 'updated',
      uid: updated.uid,
      mail: updated.mail,
      fields: { ...reportFields(patch), ...(adopt ? { employee_number: row.key } : {}) },
    });
  }
  if (hashes.length) {
    await ctx.tx
      .execute(sql`update people p set ni_hmac = coalesce(h.ni, p.ni_hmac), dob_hmac = coalesce(h.dob, p.dob_hmac)
      from unnest(${sql.param(hashes.map((h) => h.id))}::bigint[], ${sql.param(hashes.map((h) => h.ni))}::text[], ${sql.param(hashes.map((h) => h.dob))}::text[]) as h(id, ni, dob)
      where p.id = h.id`);
  }
  const joined = await addJoiners(
    ctx,
    actor,
    org,
    joiners.map((row) => ({ ...row, orgCode: X, hrKey: row.key, source: opts.source })),
  );
  counts.joiners = joined.length;
  joined.forEach((j, i) =>
    changes.push({ action: 'joiner', uid: j.uid, mail: j.mail, fields: reportFields(fieldsOf(joiners[i])) }),
  );
  if (reviews.length) {
    await ctx.tx
      .insert(reviewQueue)
      .values(
        reviews.map(({ row, who }) => ({
          runId: opts.runId,
          orgCode: X,
          hrKey: row.key,
          record: row,
          candidateId: who.id,
        })),
      );
  }
  for (const { row, who } of reviews)
    changes.push({
      action: 'review',
      uid: null,
      mail: null,
      fields: { line: row.line, employee_number: row.key, candidate_uid: who.uid },
    });
  return { counts, errors, changes, holdReason };
}

const fieldsOf = (row: FeedPerson): PersonPatch =>
  Object.fromEntries(fields.filter(([f]) => row[f] != null).map(([f]) => [f, row[f]]));

// Many joiners at once (a feed's first load): the same rules as createJoiner, in a handful of
// set-based statements instead of several round trips per person.
import { sql } from 'drizzle-orm';
import { rows } from '../db/client.js';
import type { Actor } from './actor.js';
import { allocateMany, baseLocalPart, lockAllAddresses } from './addresses.js';
import { recordMany } from './audit.js';
import type { Ctx } from './context.js';
import type { Organisation } from './organisations.service.js';
import {
  cleanFields,
  cleanName,
  identifierHashes,
  requireWriterOf,
  type JoinerInput,
  type PersonFields,
} from './people.service.js';
import { displayName } from './people.queries.js';

export interface Joined {
  uid: string;
  mail: string;
}

/** A joiner whose identifiers may arrive already keyed (a feed never keeps the raw values). */
export type BulkJoiner = JoinerInput & { niHmac?: string | null; dobHmac?: string | null };

const BATCH = 2000;

/** New people in `org` at the default quota tier (which the tier rule never limits), in input order. */
export async function addJoiners(ctx: Ctx, actor: Actor, org: Organisation, inputs: BulkJoiner[]): Promise<Joined[]> {
  requireWriterOf(actor, org.code);
  if (inputs.length === 0) return [];
  const people = inputs.map((input) => {
    const givenName = cleanName(input.givenName, 'given_name');
    const familyName = cleanName(input.familyName, 'family_name');
    return {
      input,
      givenName,
      familyName,
      cn: `${givenName} ${familyName}`,
      base: baseLocalPart(givenName, familyName),
      fields: cleanFields(input),
      hashes: { niHmac: input.niHmac ?? null, dobHmac: input.dobHmac ?? null, ...identifierHashes(ctx, input) },
    };
  });
  await lockAllAddresses(ctx.tx);
  const mails = await allocateMany(
    ctx.tx,
    people.map((p) => p.base),
    ctx.settings.mailDomain,
  );
  const joined = people.map((p, i) => ({ ...p, mail: mails[i], uid: mails[i].slice(0, mails[i].indexOf('@')) }));
  // In batches, so that no statement's text grows with the size of the feed.
  for (let i = 0; i < joined.length; i += BATCH) await insertBatch(ctx, actor, org, joined.slice(i, i + BATCH));
  return joined.map(({ uid, mail }) => ({ uid, mail }));
}

/** A joiner with clean names and its allocated address. */
interface Prepared extends Joined {
  input: BulkJoiner;
  givenName: string;
  familyName: string;
  cn: string;
  fields: PersonFields;
  hashes: { niHmac?: string | null; dobHmac?: string | null };
}

async function insertBatch(ctx: Ctx, actor: Actor, org: Organisation, people: Prepared[]) {
  const now = ctx.now();
  const col = <T>(f: (p: Prepared) => T) => sql.param(people.map(f));
  const inserted = await rows<{ id: number; uid: string }>(
    ctx.tx.execute(sql`
    insert into people (uid, mail, given_name, family_name, cn, display_name, org_code, title, department, site,
      telephone, mobile, ni_hmac, dob_hmac, created_at, updated_at)
    select m.uid, m.mail, m.given, m.family, m.cn, m.cn || ' (' || ${org.name} || ')', ${org.code}, m.title,
      m.department, m.site, m.telephone, m.mobile, m.ni, m.dob, ${now}, ${now}
    from unnest(${col((p) => p.uid)}::text[], ${col((p) => p.mail)}::text[], ${col((p) => p.givenName)}::text[],
      ${col((p) => p.familyName)}::text[], ${col((p) => p.cn)}::text[], ${col((p) => p.fields.title ?? null)}::text[],
      ${col((p) => p.fields.department ?? null)}::text[], ${col((p) => p.fields.site ?? null)}::text[],
      ${col((p) => p.fields.telephone ?? null)}::text[], ${col((p) => p.fields.mobile ?? null)}::text[],
      ${col((p) => p.hashes.niHmac ?? null)}::text[], ${col((p) => p.hashes.dobHmac ?? null)}::text[])
      as m(uid, mail, given, family, cn, title, department, site, telephone, mobile, ni, dob)
    returning id, uid`),
  );
  const idOf = new Map(inserted.map((r) => [r.uid, Number(r.id)]));
  const ids = people.map((p) => idOf.get(p.uid)!);
  await ctx.tx.execute(sql`insert into addresses (address, person_id, allocated_at)
    select *, ${now}::timestamptz from unnest(${col((p) => p.mail)}::text[], ${sql.param(ids)}::bigint[])`);
  await ctx.tx.execute(sql`insert into employments (person_id, org_code, hr_key, source, started_at)
    select m.id, ${org.code}, m.hr_key, m.source, ${now}
    from unnest(${sql.param(ids)}::bigint[], ${col((p) => p.input.hrKey ?? null)}::text[],
      ${col((p) => p.input.source ?? 'api')}::text[]) as m(id, hr_key, source)`);
  await recordMany(
    ctx.tx,
    actor,
    people.map((p) => ({
      action: 'person.create',
      targetType: 'person',
      targetId: p.uid,
      cause: ctx.cause,
      after: {
        uid: p.uid,
        mail: p.mail,
        givenName: p.givenName,
        familyName: p.familyName,
        orgCode: org.code,
        displayName: displayName(p.cn, org.name),
        ...p.fields,
      },
    })),
  );
}

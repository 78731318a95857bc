// What an organisation feed (ODS reference data, successions) reads before it creates, renames,
// closes or merges organisations through the organisation functions, which audit each change.
import { inArray, sql } from 'drizzle-orm';
import { rows } from '../db/client.js';
import { organisations } from '../db/schema.js';
import type { Ctx } from './context.js';
import type { Organisation } from './organisations.service.js';

/** The organisations among `codes` that the directory has, by code. */
export async function organisationsByCode(ctx: Ctx, codes: string[]): Promise<Map<string, Organisation>> {
  const found = await ctx.tx.select().from(organisations).where(inArray(organisations.code, codes));
  return new Map(found.map((o) => [o.code, o]));
}

/** How many people and mailboxes are active in `orgCode`: whom closing or merging it affects. */
export async function countActiveIn(ctx: Ctx, orgCode: string): Promise<number> {
  const [{ n }] = await rows<{ n: number }>(
    ctx.tx.execute(sql`select count(*)::int as n from people
      where org_code = ${orgCode} and status = 'active' and deleted_at is null`),
  );
  return n;
}

// Domains secure for patient data. An address is secure when its domain is listed or is a
// subdomain of a listed one (council.gcsx.gov.uk under gcsx.gov.uk).
import { asc } from 'drizzle-orm';
import { secureDomains } from '../db/schema.js';
import type { Ctx } from './context.js';

export async function listSecureDomains(ctx: Ctx): Promise<string[]> {
  return (await ctx.tx.select().from(secureDomains).orderBy(asc(secureDomains.domain))).map((r) => r.domain);
}

export async function checkAddress(
  ctx: Ctx,
  address: string,
): Promise<{ address: string; domain: string | null; secure: boolean }> {
  const at = address.lastIndexOf('@');
  const domain =
    at > 0 && at < address.length - 1
      ? address
          .slice(at + 1)
          .trim()
          .toLowerCase()
          .replace(/\.$/, '')
      : null;
  if (!domain) return { address, domain: null, secure: false };
  const listed = await listSecureDomains(ctx);
  return { address, domain, secure: listed.some((d) => domain === d || domain.endsWith(`.${d}`)) };
}

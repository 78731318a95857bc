// Address allocation (contract section 2): given.family@domain, folded to ASCII, never reused.
import { sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { addresses } from '../db/schema.js';
import { fail } from './errors.js';

// Letters that Unicode decomposition leaves whole (Ł has no combining stroke in NFD).
const extraFolds: Record<string, string> = {
  ł: 'l', ø: 'o', đ: 'd', ð: 'd', ħ: 'h', ı: 'i', ŀ: 'l', ß: 'ss', æ: 'ae', œ: 'oe', þ: 'th', ŧ: 't',
};

/** Siân → sian, Łukasz → lukasz, O'Brien-Smith → obrien-smith, Mary Ann → maryann. */
export function foldName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\x00-\x7f]/g, (c) => extraFolds[c] ?? '')
    .replace(/[^a-z0-9-]/g, '')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The local part before any collision number; refuses a name that folds to nothing. */
export function baseLocalPart(given: string, family: string): string {
  const g = foldName(given);
  const f = foldName(family);
  if (!g || !f) {
    fail('person.invalid_name', `"${given} ${family}" leaves nothing to make an address from`, {
      ...(g ? {} : { given_name: 'has no letters or digits that an address can use' }),
      ...(f ? {} : { family_name: 'has no letters or digits that an address can use' }),
    });
  }
  return `${g}.${f}`;
}

/** The base of an existing address: jane.smith2@nhs.net → jane.smith. */
export function baseOf(address: string): string {
  return address.slice(0, address.indexOf('@')).replace(/\d+$/, '');
}

/**
 * Reserve the first free address for `base`: base@domain, then base2, base3, ...
 * Any address ever allocated counts as taken: the addresses table is never pruned.
 */
export async function allocateAddress(tx: Tx, base: string, domain: string, personId: number): Promise<string> {
  // Serialise allocations of the same base so two joiners never race for jane.smith2.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'address:' + base}))`);
  const rows = await tx.select({ address: addresses.address }).from(addresses)
    .where(sql`${addresses.address} like ${base + '%'}`);
  const taken = new Set<number>();
  const suffix = new RegExp(`^${base.replace(/[.-]/g, '\\$&')}(\\d*)@${domain.replace(/[.-]/g, '\\$&')}$`);
  for (const { address } of rows) {
    const m = suffix.exec(address);
    if (m) taken.add(m[1] === '' ? 1 : Number(m[1]));
  }
  let n = 1;
  while (taken.has(n)) n++;
  const address = `${base}${n === 1 ? '' : n}@${domain}`;
  await tx.insert(addresses).values({ address, personId });
  return address;
}

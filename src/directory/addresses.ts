// Address allocation (contract section 2): given.family@domain, folded to ASCII, never reused.
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../db/client.js';
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
  // Serialise allocations of the same base so two joiners never race for jane.smith2; a bulk
  // allocation (a feed's joiners) holds the whole space instead.
  await tx.execute(sql`select pg_advisory_xact_lock_shared(${ADDRESS_LOCK}), pg_advisory_xact_lock(hashtext(${'address:' + base}))`);
  const [address] = await allocateMany(tx, [base], domain);
  await tx.insert(addresses).values({ address, personId });
  return address;
}

const ADDRESS_LOCK = 7266003;

/** Take every base at once, for the rest of the transaction (before any other lock, to keep lock order). */
export async function lockAllAddresses(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${ADDRESS_LOCK})`);
}

/**
 * The first free addresses for `bases`, in order (a base twice gets two addresses). The caller holds
 * the lock and inserts them into addresses. One range scan per distinct base on the prefix index.
 */
export async function allocateMany(tx: Tx, bases: string[], domain: string): Promise<string[]> {
  const distinct = [...new Set(bases)];
  const found = await rows<{ base: string; address: string }>(tx.execute(sql`select b.base, a.address from unnest(${sql.param(distinct)}::text[]) b(base)
    join ${addresses} a on a.address ~>=~ b.base and a.address ~<~ (b.base || chr(127))`));
  const taken = new Map<string, Set<number>>(distinct.map((b) => [b, new Set()]));
  const at = `@${domain}`;
  for (const { base, address } of found) {
    // jane.smith7@domain is number 7 of jane.smith; jane.smithson@ and other domains are not.
    const n = address.endsWith(at) ? address.slice(base.length, -at.length) : 'x';
    if (/^\d*$/.test(n)) taken.get(base)!.add(n === '' ? 1 : Number(n));
  }
  return bases.map((base) => {
    const used = taken.get(base)!;
    let n = 1;
    while (used.has(n)) n++;
    used.add(n);
    return `${base}${n === 1 ? '' : n}${at}`;
  });
}

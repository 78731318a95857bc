// Address allocation (contract section 2): given.family@domain, folded to ASCII, never reused.
import { sql, type SQL } from 'drizzle-orm';
import { rows, type Tx } from '../db/client.js';
import { addresses } from '../db/schema.js';
import { fail } from './errors.js';

// Letters that Unicode decomposition leaves whole (Ł has no combining stroke in NFD).
const extraFolds: Record<string, string> = {
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ħ: 'h',
  ı: 'i',
  ŀ: 'l',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  þ: 'th',
  ŧ: 't',
};

/** Siân → sian, Łukasz → lukasz, O'Brien-Smith → obrien-smith, Mary Ann → maryann. */
export function foldName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\P{ASCII}/gu, (c) => extraFolds[c] ?? '')
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
  // The lock is per base without its trailing digits: "ann.lee1" numbered 2 and "ann.lee12" both want ann.lee12.
  const family = base.replace(/\d+$/, '');
  await tx.execute(
    sql`select pg_advisory_xact_lock_shared(${ADDRESS_LOCK}), pg_advisory_xact_lock(hashtext(${'address:' + family}))`,
  );
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
 * the lock and inserts them into addresses. Numbers are handed out lowest first and never freed,
 * so a base's taken numbers are almost always 1..n: the database answers with the count and the
 * highest per base, and only a base with gaps has its numbers read one by one.
 */
export async function allocateMany(tx: Tx, bases: string[], domain: string): Promise<string[]> {
  const distinct = [...new Set(bases)];
  // The number is what lies between the base and "@domain": "" is 1, digits are themselves.
  const own = `^[0-9]*@${domain.replace(/[.\\^$|?*+()[\]{}-]/g, '\\$&')}$`;
  const numbers = (select: SQL) => sql`select b.base, ${select} from unnest(${sql.param(distinct)}::text[]) b(base)
    cross join lateral (select substr(a.address, length(b.base) + 1) as rest from ${addresses} a
      where a.address ~>=~ b.base and a.address ~<~ (b.base || chr(127))) q
    cross join lateral (
      select case when split_part(q.rest, '@', 1) = '' then 1 else split_part(q.rest, '@', 1)::numeric end as num
    ) x
    where q.rest ~ ${own}`;
  const summary = await rows<{ base: string; n: number; top: string }>(
    tx.execute(sql`${numbers(sql`count(*)::int as n, max(x.num)::text as top`)} group by b.base`),
  );
  const taken = new Map<string, Set<number>>();
  const next = new Map<string, number>(distinct.map((b) => [b, 1]));
  const gappy: string[] = [];
  for (const { base, n, top } of summary) {
    if (String(n) === top) next.set(base, n + 1);
    else gappy.push(base);
  }
  if (gappy.length) {
    const sparse = await rows<{ base: string; num: string }>(
      tx.execute(sql`${numbers(sql`x.num::text as num`)} and b.base = any(${sql.param(gappy)}::text[])`),
    );
    for (const { base, num } of sparse) {
      const set = taken.get(base) ?? new Set<number>();
      set.add(Number(num));
      taken.set(base, set);
    }
  }
  // One batch can collide with itself: "Ann Lee1" numbered 2 is ann.lee12, the base of "Ann Lee12".
  // Every address handed out here is taken for the rest of the batch, and a bare base that is free
  // is kept for the people of that name.
  const given = new Set<string>();
  const local = (base: string, n: number) => `${base}${n === 1 ? '' : n}`;
  const reserved = new Set(distinct.filter((b) => (taken.has(b) ? !taken.get(b)!.has(1) : next.get(b) === 1)));
  const free = (base: string, n: number) =>
    !taken.get(base)?.has(n) && !given.has(local(base, n)) && (n === 1 || !reserved.has(local(base, n)));
  return bases.map((base) => {
    let n = taken.has(base) ? 1 : next.get(base)!;
    while (!free(base, n)) n++;
    next.set(base, n + 1);
    given.add(local(base, n));
    return `${local(base, n)}@${domain}`;
  });
}

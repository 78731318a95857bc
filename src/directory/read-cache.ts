// What the front ends read again and again, kept in memory: verified tokens and people by uid for
// REST, directory rows by id for LDAP's and REST's searches. Correctness first: a write through
// this process evicts what it changed as its transaction commits (values are tagged with what they
// show: a row with its uid and organisation), and a write by any other process reaches it through
// PostgreSQL's NOTIFY, which says what changed; while that channel is down nothing is kept. A
// notice can be on its way while another server's write has answered: memory answers only reads
// that `fresh` (heard.ts) says have heard every change they could see. An embedded database has
// one process, so the first rule is the whole story there.
import { always, type Freshness } from './heard.js';

/**
 * `trusted`: whether memory may be used before anyone says other processes' writes are followed.
 * `max`: how many values are kept; past it the oldest tenth goes (first in, first out).
 * `tagsOf`: what a value shows (e.g. `uid:jane.smith`, `org:RXA`), so that `evict` finds it.
 * `budget`: a bound in bytes as well, by an estimate of each value's size: memory, not only a count.
 * `fresh`: whether a read has heard of every change it could see (heard.ts); always, in one process.
 */
export function createReadCache(
  trusted: boolean,
  max = 50_000,
  tagsOf?: (value: unknown, key: unknown) => string[],
  budget?: { bytes: number; sizeOf: (value: unknown) => number },
  fresh: Freshness = always,
) {
  const entries = new Map<unknown, unknown>();
  let bytes = 0;
  const byTag = new Map<string, Set<unknown>>();
  // Bumped by every clear or eviction: a read that overlapped a write returns what it read but does not keep it.
  let generation = 0;
  const drop = (key: unknown) => {
    if (tagsOf && entries.has(key)) {
      for (const tag of tagsOf(entries.get(key), key)) {
        const keys = byTag.get(tag);
        keys?.delete(key);
        if (keys?.size === 0) byTag.delete(tag);
      }
    }
    if (budget && entries.has(key)) bytes -= budget.sizeOf(entries.get(key));
    entries.delete(key);
  };
  const keep = (key: unknown, value: unknown) => {
    if (max <= 0) return;
    drop(key);
    const size = budget?.sizeOf(value) ?? 0;
    if (entries.size >= max) {
      let n = Math.ceil(max / 10); // the oldest tenth goes
      for (const k of entries.keys()) {
        if (n-- <= 0) break;
        drop(k);
      }
    }
    if (budget)
      for (const k of entries.keys()) {
        if (bytes + size <= budget.bytes) break;
        drop(k);
      }
    bytes += size;
    entries.set(key, value);
    for (const tag of tagsOf?.(value, key) ?? []) {
      const keys = byTag.get(tag);
      if (keys) keys.add(key);
      else byTag.set(tag, new Set([key]));
    }
  };
  // What was read since `seen` is kept only if no write has emptied the cache meanwhile.
  const keepAll = (seen: number, values: Iterable<[unknown, unknown]>) => {
    if (!trusted || seen !== generation) return;
    for (const [k, v] of values) keep(k, v);
  };
  return {
    /** `said`: a change number a statement of this read saw; without one, one is asked (heard.ts `now`). */
    async read<T>(key: string, load: () => Promise<T>, said?: number): Promise<T> {
      if (trusted && entries.has(key) && (await (said === undefined ? fresh.now() : fresh.until(said)))) {
        const value = entries.get(key); // unless evicted meanwhile
        if (value !== undefined) return value as T;
      }
      const seen = generation;
      const value = await load();
      if (value != null) keepAll(seen, [[key, value]]);
      return value;
    },
    /**
     * The values for many keys: those in memory, and the rest from one `load` of the missing keys.
     * `said`: the number the statement that found the keys saw (heard.ts).
     */
    async readMany<K, T>(
      keys: readonly K[],
      load: (missing: K[]) => Promise<Map<K, T>>,
      said: number,
    ): Promise<Map<K, T>> {
      const found = new Map<K, T>();
      const missing: K[] = [];
      const current = trusted && (await fresh.until(said));
      for (const k of keys) {
        const v = current ? entries.get(k) : undefined;
        if (v === undefined) missing.push(k);
        else found.set(k, v as T);
      }
      if (missing.length === 0) return found;
      const seen = generation;
      const loaded = await load(missing);
      keepAll(seen, loaded);
      for (const [k, v] of loaded) found.set(k, v);
      return found;
    },
    /** For a caller that reads values itself: a mark taken before reading, then `keepAll` what it read. */
    mark: () => generation,
    keepAll,
    /** Holding a hundredth of what it may hold: enough that reading ids first is likely to pay. */
    warm: () => entries.size >= Math.max(1, Math.ceil(max / 100)),
    clear() {
      generation++;
      entries.clear();
      byTag.clear();
      bytes = 0;
    },
    /** How much is kept: values, and the estimate of their bytes. */
    size: () => ({ values: entries.size, bytes }),
    /** Forget the values that show any of these tags (what a write changed). */
    evict(tags: Iterable<string>) {
      generation++;
      for (const tag of tags) for (const key of [...(byTag.get(tag) ?? [])]) drop(key);
    },
    /** False while changes by other processes cannot be seen. */
    setTrusted(t: boolean) {
      trusted = t;
      generation++;
      entries.clear();
      byTag.clear();
      bytes = 0;
    },
  };
}

export type ReadCache = ReturnType<typeof createReadCache>;

// The entry cache as storage sees it: directory rows by id, remembered between searches. The core
// makes it (src/directory/read-cache.ts) and evicts what writes change; storage reads through it.

export interface EntryCache {
  /**
   * The values for many keys: those in memory, and the rest from one `load` of the missing keys.
   * `said`: the change number (`select n from announced`) the statement that found the keys saw;
   * memory answers only if this process has heard of every change up to it.
   */
  readMany<K, T>(keys: readonly K[], load: (missing: K[]) => Promise<Map<K, T>>, said: number): Promise<Map<K, T>>;
  /** A mark taken before reading values, then `keepAll` what was read (dropped if a write came between). */
  mark(): number;
  keepAll(seen: number, values: Iterable<[unknown, unknown]>): void;
  /** Holding enough that reading ids first, then rows from memory, is likely to pay. */
  warm(): boolean;
}

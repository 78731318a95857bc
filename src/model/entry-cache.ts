// The entry cache as storage sees it: directory rows by id, and the ids each search found,
// remembered between searches. The core makes it (src/directory/read-cache.ts) and evicts what
// writes change; storage reads through it.

/** The ids a search statement found, in order, and the change number the statement saw. */
export interface FoundIds {
  ids: number[];
  said: number;
}

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
  /**
   * What the statement `key` finds, remembered until a write could change it: a write that may
   * change who matches anything (a joiner, a leaver, a new name, a move) forgets every search, and
   * a change to a person's details alone forgets only the searches that read them (`reads`: the
   * attributes the search's filter and order read). `said`: the number memory may answer up to, if
   * the operation has asked it already (the directory's `current`); otherwise it is asked here.
   */
  found(key: string, reads: Iterable<string>, load: () => Promise<FoundIds>, said?: number): Promise<FoundIds>;
}

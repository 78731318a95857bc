// What every REST request reads, kept in memory: verified tokens and people by uid. Correctness
// first: any write through this process empties it as its transaction commits, and a write by any
// other process reaches it through PostgreSQL's NOTIFY (sent with the audit log at commit); while
// that channel is down nothing is kept. An embedded database has one process, so the first rule is
// the whole story there.
const MAX_ENTRIES = 50_000;

/** `trusted`: whether memory may be used before anyone says other processes' writes are followed. */
export function createReadCache(trusted: boolean) {
  const entries = new Map<string, unknown>();
  // Bumped by every clear: a read that overlapped a write returns what it read but does not keep it.
  let generation = 0;
  return {
    async read<T>(key: string, load: () => Promise<T>): Promise<T> {
      if (trusted && entries.has(key)) return entries.get(key) as T;
      const seen = generation;
      const value = await load();
      if (trusted && seen === generation && value != null) {
        if (entries.size >= MAX_ENTRIES) entries.clear();
        entries.set(key, value);
      }
      return value;
    },
    clear() {
      generation++;
      entries.clear();
    },
    /** False while changes by other processes cannot be seen. */
    setTrusted(t: boolean) {
      trusted = t;
      generation++;
      entries.clear();
    },
  };
}

export type ReadCache = ReturnType<typeof createReadCache>;

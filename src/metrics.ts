// Prometheus text exposition: HTTP requests by route and their latencies (a histogram, so that a
// p99 can be computed and alerted on), LDAP operations by type, sync runs by result, and the
// database pool. Small enough not to need a client library.

type Labels = Record<string, string>;
const render = (l: Labels) => Object.entries(l).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '\\$&')}"`).join(',');
// Every request adds to a counter: the same few label sets recur, so each is rendered once.
const rendered = new Map<string, string>();
function key(l: Labels): string {
  let id = '';
  for (const name in l) id += `${name}\u0000${l[name]}\u0000`;
  let k = rendered.get(id);
  if (k === undefined) {
    k = render(l);
    if (rendered.size < 10_000) rendered.set(id, k);
  }
  return k;
}

class Family {
  readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string, readonly type: 'counter' | 'gauge') {}
  add(labels: Labels, by = 1) { const k = key(labels); this.values.set(k, (this.values.get(k) ?? 0) + by); }
  set(labels: Labels, value: number) { this.values.set(key(labels), value); }
  text(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines.join('\n');
  }
}

/** A histogram with fixed buckets (upper bounds in seconds), one set of counts per label set. */
class Histogram {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {}
  observe(labels: Labels, value: number) {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    // Cumulative, as the exposition format has them: each bucket counts everything at or below it.
    for (let i = this.buckets.length - 1; i >= 0 && value <= this.buckets[i]; i--) s.counts[i]++;
    s.sum += value;
    s.count++;
  }
  text(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const labels = (le?: string) => { const all = [k, le].filter(Boolean); return all.length ? `{${all.join(',')}}` : ''; };
      this.buckets.forEach((le, i) => lines.push(`${this.name}_bucket${labels(`le="${le}"`)} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket${labels('le="+Inf"')} ${s.count}`, `${this.name}_sum${labels()} ${s.sum}`, `${this.name}_count${labels()} ${s.count}`);
    }
    return lines.join('\n');
  }
}

export const metrics = {
  httpRequests: new Family('nhsdir_http_requests_total', 'HTTP requests by route, method and status', 'counter'),
  httpSeconds: new Histogram('nhsdir_http_request_duration_seconds', 'Time to answer HTTP requests, by route',
    [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10]),
  ldapOperations: new Family('nhsdir_ldap_operations_total', 'LDAP operations by type', 'counter'),
  syncRuns: new Family('nhsdir_sync_runs_total', 'Sync runs by result', 'counter'),
  dbPool: new Family('nhsdir_db_pool_connections', 'Database pool connections by state', 'gauge'),
};

export function exposition(pool?: Record<string, number>): string {
  if (pool) for (const [state, n] of Object.entries(pool)) metrics.dbPool.set({ state }, n);
  return Object.values(metrics).map((f) => f.text()).join('\n') + '\n';
}

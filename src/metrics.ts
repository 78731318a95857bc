// Prometheus text exposition of a few counters: HTTP requests by route, LDAP operations by type,
// sync runs by result, and the database pool. Small enough not to need a client library.

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

export const metrics = {
  httpRequests: new Family('nhsdir_http_requests_total', 'HTTP requests by route, method and status', 'counter'),
  httpSeconds: new Family('nhsdir_http_request_seconds_sum', 'Total seconds spent answering HTTP requests, by route', 'counter'),
  ldapOperations: new Family('nhsdir_ldap_operations_total', 'LDAP operations by type', 'counter'),
  syncRuns: new Family('nhsdir_sync_runs_total', 'Sync runs by result', 'counter'),
  dbPool: new Family('nhsdir_db_pool_connections', 'Database pool connections by state', 'gauge'),
};

export function exposition(pool?: Record<string, number>): string {
  if (pool) for (const [state, n] of Object.entries(pool)) metrics.dbPool.set({ state }, n);
  return Object.values(metrics).map((f) => f.text()).join('\n') + '\n';
}

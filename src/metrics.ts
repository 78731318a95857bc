// Prometheus metrics through prom-client: the service's own families (HTTP requests by route and
// their latencies as a histogram, so that a p99 can be computed and alerted on; LDAP operations by
// type; sync runs by result; the database pool) beside prom-client's default process metrics
// (CPU, memory, event-loop lag, garbage collection, open handles), which operators expect of any
// Node service. One registry of our own, so that nothing else in the process adds to /metrics.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/**
 * The small interface the rest of the code uses (`add`, `set`, `observe`), kept from the
 * hand-written exposition so that callers need not know the library. Each call is O(1): prom-client
 * keys a series by its few label values, whatever the number of series.
 */
class CounterFamily<L extends string> {
  private readonly counter: Counter<L>;
  constructor(name: string, help: string, labelNames: readonly L[]) {
    this.counter = new Counter({ name, help, labelNames, registers: [registry] });
  }
  add(labels: Record<L, string>, by = 1) {
    this.counter.inc(labels, by);
  }
}

class GaugeFamily<L extends string> {
  private readonly gauge: Gauge<L>;
  constructor(name: string, help: string, labelNames: readonly L[]) {
    this.gauge = new Gauge({ name, help, labelNames, registers: [registry] });
  }
  set(labels: Record<L, string>, value: number) {
    this.gauge.set(labels, value);
  }
}

class HistogramFamily<L extends string> {
  private readonly histogram: Histogram<L>;
  constructor(name: string, help: string, labelNames: readonly L[], buckets: number[]) {
    this.histogram = new Histogram({ name, help, labelNames, buckets, registers: [registry] });
  }
  observe(labels: Record<L, string>, seconds: number) {
    this.histogram.observe(labels, seconds);
  }
}

export const metrics = {
  httpRequests: new CounterFamily('nhsdir_http_requests_total', 'HTTP requests by route, method and status', [
    'route',
    'method',
    'status',
  ]),
  httpSeconds: new HistogramFamily(
    'nhsdir_http_request_duration_seconds',
    'Time to answer HTTP requests, by route',
    ['route'],
    [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  ),
  ldapOperations: new CounterFamily('nhsdir_ldap_operations_total', 'LDAP operations by type', ['op']),
  syncRuns: new CounterFamily('nhsdir_sync_runs_total', 'Sync runs by result', ['connector', 'status']),
  dbPool: new GaugeFamily('nhsdir_db_pool_connections', 'Database pool connections by state', ['state']),
  dbUp: new GaugeFamily('nhsdir_db_up', '1 while a database answers this node, by name and role as configured', [
    'database',
    'role',
  ]),
  dbReads: new GaugeFamily('nhsdir_db_in_reads', '1 while reads are sent to a database', ['database', 'role']),
  replicationLag: new GaugeFamily(
    'nhsdir_db_replication_lag_seconds',
    "A standby's replay lag behind the primary, in seconds",
    ['database'],
  ),
  replicationLagBytes: new GaugeFamily(
    'nhsdir_db_replication_lag_bytes',
    "A standby's replay lag behind the primary, in bytes of WAL",
    ['database'],
  ),
};

/** What /metrics shows of each database (src/db/replicas.ts DatabaseStatus). */
export interface DatabaseGauge {
  name: string;
  configured: string;
  reachable: boolean;
  inReads: boolean;
  lagSeconds?: number;
  lagBytes?: number;
}

/**
 * The exposition in Prometheus text. prom-client writes a bucket's `le` before the series' own
 * labels; the order means nothing to Prometheus, but dashboards' regexes and our tests were written
 * against `{route="…",le="…"}`, so `le` is moved last.
 */
export async function exposition(pool?: Record<string, number>, databases?: DatabaseGauge[]): Promise<string> {
  if (pool) for (const [state, n] of Object.entries(pool)) metrics.dbPool.set({ state }, n);
  for (const d of databases ?? []) {
    metrics.dbUp.set({ database: d.name, role: d.configured }, d.reachable ? 1 : 0);
    metrics.dbReads.set({ database: d.name, role: d.configured }, d.inReads ? 1 : 0);
    if (d.configured === 'standby') {
      metrics.replicationLag.set({ database: d.name }, d.lagSeconds ?? 0);
      metrics.replicationLagBytes.set({ database: d.name }, d.lagBytes ?? 0);
    }
  }
  const text = await registry.metrics();
  return text.replace(/^([a-zA-Z_:][\w:]*_bucket)\{(le="[^"]*"),([^\n]*)\}/gm, '$1{$3,$2}');
}

/** The content type of the exposition (text format 0.0.4). */
export const expositionType = registry.contentType;

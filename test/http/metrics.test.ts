// /metrics: the service's own families as before (names, labels, types) beside the process
// metrics operators expect of a Node service (CPU, memory, event-loop lag, GC, handles).
import t from 'tap';
import { metrics } from '../../src/metrics.js';
import { testApp } from '../helpers/app.js';
import { usingPostgres } from '../helpers/db.js';

t.test('/metrics: own families and default process metrics, in valid Prometheus text', async (t) => {
  const { app } = await testApp(t);
  await app.inject({ method: 'GET', url: '/healthz' });
  await app.inject({ method: 'GET', url: '/nowhere' });
  metrics.ldapOperations.add({ op: 'search' });
  metrics.ldapOperations.add({ op: 'search' });
  metrics.syncRuns.add({ connector: 'csv', status: 'applied' });

  const res = await app.inject({ method: 'GET', url: '/metrics' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const body = res.body;
  const types = Object.fromEntries([...body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
  t.match(types, {
    nhsdir_http_requests_total: 'counter',
    nhsdir_http_request_duration_seconds: 'histogram',
    nhsdir_ldap_operations_total: 'counter',
    nhsdir_sync_runs_total: 'counter',
    nhsdir_db_pool_connections: 'gauge',
    process_cpu_user_seconds_total: 'counter',
    process_cpu_seconds_total: 'counter',
    process_resident_memory_bytes: 'gauge',
    nodejs_heap_size_used_bytes: 'gauge',
    nodejs_eventloop_lag_seconds: 'gauge',
    nodejs_eventloop_lag_p99_seconds: 'gauge',
    nodejs_gc_duration_seconds: 'histogram',
    nodejs_active_handles_total: 'gauge',
  });
  t.match(body, /^nhsdir_http_requests_total\{route="\/healthz",method="GET",status="200"\} 1$/m);
  t.match(body, /^nhsdir_http_requests_total\{route="unmatched",method="GET",status="404"\} 1$/m);
  t.match(body, /^nhsdir_http_request_duration_seconds_bucket\{route="\/healthz",le="\+Inf"\} 1$/m);
  t.match(body, /^nhsdir_http_request_duration_seconds_count\{route="\/healthz"\} 1$/m);
  t.match(body, /^nhsdir_ldap_operations_total\{op="search"\} 2$/m);
  t.match(body, /^nhsdir_sync_runs_total\{connector="csv",status="applied"\} 1$/m);
  if (usingPostgres) t.match(body, /^nhsdir_db_pool_connections\{state="total"\} \d+$/m);
  // Every sample line is name{labels} value, and each family is declared once.
  const sample = /^[a-zA-Z_:][\w:]*(\{[a-zA-Z_]\w*="(?:[^"\\]|\\.)*"(,[a-zA-Z_]\w*="(?:[^"\\]|\\.)*")*\})? [-+\w.]+$/;
  t.same(
    body.split('\n').filter((l) => l && !l.startsWith('#') && !sample.test(l)),
    [],
    'every sample well-formed',
  );
  const declared = [...body.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);
  t.equal(new Set(declared).size, declared.length, 'no family twice');
});

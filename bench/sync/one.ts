// One measured sync scenario in a process of its own, so that its peak memory is its own.
// Usage: tsx bench/sync/one.ts <org> <file>...  (files run in order, one run each)
// Prints one JSON line per file: {file, ms, status, counts}, then {maxRssMb}.
import { createReadStream } from 'node:fs';
import pino from 'pino';
import { startCore } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import { systemActor } from '../../src/directory/actor.js';
import { createSync } from '../../src/sync/runs.js';

const [org, ...files] = process.argv.slice(2);
const config = loadConfig({ ...process.env, DEMO: 'false' });
const { database, directory } = await startCore(config, pino({ level: 'warn' }), { demo: false });
const sync = createSync(directory, config.SYNC_LEAVER_THRESHOLD);
for (const file of files) {
  // A national run names each file after its organisation: RBEN07.csv is for RBEN07.
  const orgCode = org === '-' ? file.replace(/^.*\/|\.csv$/g, '') : org;
  const t0 = performance.now();
  const report = await sync.runFeed(systemActor, {
    connector: 'csv',
    orgCode,
    source: { stream: createReadStream(file) },
  });
  console.log(
    JSON.stringify({ file, ms: Math.round(performance.now() - t0), status: report.status, counts: report.counts }),
  );
}
await database.close();
console.log(JSON.stringify({ maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));

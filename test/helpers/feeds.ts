// Feeds as real files: written to a test's own folder, read back through the connectors as a stream.
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { systemActor, type Actor } from '../../src/directory/actor.js';
import type { Directory } from '../../src/directory/directory.js';
import { createSync } from '../../src/sync/runs.js';

export const staffHeader =
  'employee_number,given_name,family_name,preferred_name,org_code,job_title,department,site,work_phone,mobile,email,start_date,end_date,ni_number,date_of_birth';

export function feedFolder(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'nhsdir-feed-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  return (text: string | Buffer, name = `feed-${++n}.csv`) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
}

/** A staff CSV from lines after the header. */
export const staffCsv = (...rows: string[]) => [staffHeader, ...rows].join('\r\n') + '\r\n';

export function syncFor(dir: Directory, threshold = 0.1) {
  const sync = createSync(dir, threshold);
  const run = (file: string, opts: { connector?: string; org?: string; dryRun?: boolean; actor?: Actor } = {}) =>
    sync.runFeed(opts.actor ?? systemActor, {
      connector: opts.connector ?? 'csv',
      orgCode: opts.org ?? 'RXA',
      source: { stream: createReadStream(file) },
      dryRun: opts.dryRun,
    });
  return { sync, run };
}

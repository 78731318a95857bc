// Feeds as real files: written to a test's own folder, read back through the connectors as a stream.
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Test } from 'tap';
import { systemActor, type Actor } from '../../src/directory/actor.js';
import type { Directory } from '../../src/directory/directory.js';
import { createSync, type Sync } from '../../src/sync/runs.js';

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

/** A staff feed of `orgCode` sent as CSV text through the csv connector, by the system. */
export const csvFeed = (sync: Sync, orgCode: string, csv: string) =>
  sync.runFeed(systemActor, {
    connector: 'csv',
    kind: 'staff',
    orgCode,
    source: { stream: Readable.from([Buffer.from(csv)]) },
  });

/** Rita Return, made by a feed of RXB and a leaver by the next (held, then approved): a re-hire for RXA's feed. */
export async function ritaLeftRxb(sync: Sync): Promise<void> {
  await csvFeed(sync, 'RXB', staffCsv('B1,Rita,Return,,RXB,,,,,,,,,QQ123456A,1970-01-31'));
  await sync.approveRun(systemActor, (await csvFeed(sync, 'RXB', staffCsv())).run_id);
}

// `nhsdir sync`: one feed from a file (or a pulling connector's configuration), its report on
// standard output, a progress line on a terminal, and an exit status a script can test.
import { createReadStream, readFileSync } from 'node:fs';
import { systemActor } from '../directory/actor.js';
import type { Directory } from '../directory/directory.js';
import type { Report } from './report.js';
import { createSync } from './runs.js';

export interface SyncArgs {
  connector: string;
  org?: string;
  file?: string;
  config?: string;
  dryRun: boolean;
  json: boolean;
  progress: boolean;
}

export const exitStatus = (r: Report) => (r.status === 'held' ? 3 : r.status === 'rejected' ? 1 : 0);

export function describe(r: Report): string {
  const c = r.counts;
  const lines = [
    `sync run ${r.run_id} (${r.connector}${r.org_code ? ` for ${r.org_code}` : ''}): ${r.status.replace('_', ' ')}`,
    `  ${c.rows} rows: ${c.joiners} joiners, ${c.movers} movers, ${c.leavers} leavers, ` +
      `${c.updated} updated, ${c.unchanged} unchanged, ${c.errors} errors`,
    ...(r.held_reason ? [`  held: ${r.held_reason}`] : []),
    ...r.errors.map((e) => `  line ${e.line}${e.column ? `, column ${e.column}` : ''}: ${e.message}`),
  ];
  return lines.join('\n');
}

export async function syncCommand(directory: Directory, threshold: number, args: SyncArgs): Promise<number> {
  const started = Date.now();
  const progress = args.progress
    ? (phase: string, rows: number) => {
        const rate = Math.round(rows / Math.max(0.001, (Date.now() - started) / 1000));
        process.stderr.write(
          `\r${phase} ${rows.toLocaleString('en-GB')} rows ` +
            `(${rate.toLocaleString('en-GB')}/s)${phase === 'applying' ? '\n' : ''}`,
        );
      }
    : undefined;
  const report = await createSync(directory, threshold).runFeed(systemActor, {
    connector: args.connector,
    orgCode: args.org,
    dryRun: args.dryRun,
    onProgress: progress,
    source: { stream: args.file ? createReadStream(args.file) : undefined },
    config: args.config ? JSON.parse(readFileSync(args.config, 'utf8')) : undefined,
  });
  console.log(args.json ? JSON.stringify(report, null, 2) : describe(report));
  return exitStatus(report);
}

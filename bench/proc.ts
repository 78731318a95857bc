// What a process has cost, from /proc: CPU time (user and system, every thread: scrypt runs on
// libuv's threads, not the event loop's) and resident memory.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** Seconds of CPU the process has used so far (utime + stime), or NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in brackets and may itself hold spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / ticksPerSecond;
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds of the PostgreSQL backends serving `database` (their title names it), which outlive a
 * measurement: the server's pool keeps them. Without a database, every PostgreSQL process.
 */
export function postgresCpuSeconds(database?: string): number {
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() !== 'postgres') continue;
      if (database && !readFileSync(`/proc/${d}/cmdline`, 'utf8').split(' ').includes(database)) continue;
      total += cpuSeconds(Number(d)) || 0;
    } catch {
      /* gone */
    }
  }
  return total;
}

/** Resident memory now and at its peak (VmRSS, VmHWM), in MB. */
export function memoryMb(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}

/** A load process started by the runner: say "ready", then wait for "go" (at most five minutes). */
export async function readyThenGo(): Promise<void> {
  console.log('ready');
  const lines = createInterface({ input: process.stdin });
  const go = new Promise<void>((resolve) =>
    lines.on('line', (l) => {
      if (l.trim() === 'go') resolve();
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    go,
    new Promise((r) => {
      timer = setTimeout(r, 300_000);
    }),
  ]);
  clearTimeout(timer);
  lines.close();
}

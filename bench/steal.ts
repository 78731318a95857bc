// The share of the machine's CPU time its hypervisor took ("steal", /proc/stat) while a measurement
// ran. On a shared virtual machine it moves every figure: a run with much steal is a different run.
import { readFileSync } from 'node:fs';

function cpuTimes(): { steal: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  return { steal: fields[7], total: fields.reduce((a, b) => a + b, 0) };
}

/** Runs `measure`, and says what percentage of CPU time was stolen meanwhile. */
export async function withSteal<T>(measure: () => Promise<T>): Promise<T & { stealPercent: number }> {
  const before = cpuTimes();
  const result = await measure();
  const after = cpuTimes();
  const stealPercent = Math.round((1000 * (after.steal - before.steal)) / Math.max(1, after.total - before.total)) / 10;
  return { ...result, stealPercent };
}

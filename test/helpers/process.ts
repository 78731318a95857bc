// Run `nhsdir` as a user would: a child process with its own environment, read from its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const nhsdir = fileURLToPath(new URL('../../bin/nhsdir.js', import.meta.url));

export { freePort } from '../../scripts/pg-cluster.js';

export interface Running {
  child: ChildProcess;
  output: () => string;
  waitFor(re: RegExp, ms?: number): Promise<void>;
  exited: Promise<number | null>;
}

export function run(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, [nhsdir, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    output: () => out,
    exited,
    async waitFor(re, ms = 120_000) {
      const deadline = Date.now() + ms;
      while (!re.test(out)) {
        if (child.exitCode !== null) throw new Error(`nhsdir exited (${child.exitCode}) before ${re}:\n${out}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

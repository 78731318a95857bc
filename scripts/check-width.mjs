// Fails listing every line in src/ and connectors/ longer than Prettier's width (120): Prettier
// breaks code but not a long string or comment, so those are found here (npm run lint).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const width = 120;
const long = [];
for (const root of ['src', 'connectors']) {
  for (const file of readdirSync(root, { recursive: true }).map(String).sort()) {
    if (!/\.(ts|mts|js|mjs)$/.test(file)) continue;
    const path = join(root, file);
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.length > width) long.push(`${path}:${i + 1}: ${line.length} characters`);
      });
  }
}
if (long.length) {
  process.stderr.write(`${long.length} lines over ${width} characters:\n${long.join('\n')}\n`);
  process.exitCode = 1;
}

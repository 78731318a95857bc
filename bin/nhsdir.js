#!/usr/bin/env node
// The `nhsdir` command. Sources are TypeScript, loaded through tsx, so there is no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');

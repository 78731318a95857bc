// The package version, for the rootDSE's vendorVersion and the OpenAPI document.
import { readFileSync } from 'node:fs';

export const version: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

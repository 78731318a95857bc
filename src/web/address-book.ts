// The address book download, through the same export the REST route uses (src/export). The one
// place the pages reach the export, so that it is easy to point elsewhere when the core grows a
// read API for it.
import type { Readable } from 'node:stream';
import type { Directory } from '../directory/directory.js';
import { exportStream, formats, type Format } from '../export/export.js';

export { formats, type Format };

export function addressBookStream(directory: Directory, orgCode: string, format: Format, suffix: string): Readable {
  return exportStream(directory.database, orgCode, format, suffix);
}

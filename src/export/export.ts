// An organisation's address book as a stream of text in one of four formats (contract section 6).
import { Readable } from 'node:stream';
import type { Database } from '../db/client.js';
import { csvHeader, csvRow } from './csv.js';
import { ldifEntry, ldifHeader } from './ldif.js';
import { addressBook } from './source.js';
import { vcard } from './vcard.js';

export const formats = {
  vcard: { type: 'text/vcard; charset=utf-8', extension: 'vcf' },
  vcard4: { type: 'text/vcard; charset=utf-8', extension: 'vcf' },
  csv: { type: 'text/csv; charset=utf-8', extension: 'csv' },
  ldif: { type: 'text/x-ldif; charset=utf-8', extension: 'ldif' },
} as const;
export type Format = keyof typeof formats;

async function* render(database: Database, orgCode: string, format: Format, suffix: string): AsyncGenerator<string> {
  if (format === 'csv') yield csvHeader;
  if (format === 'ldif') yield ldifHeader;
  let chunk = '';
  for await (const e of addressBook(database, orgCode)) {
    chunk +=
      format === 'csv'
        ? csvRow(e)
        : format === 'ldif'
          ? ldifEntry(e, suffix)
          : vcard(e, format === 'vcard' ? '3.0' : '4.0');
    if (chunk.length > 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** UTF-8, no byte-order mark; pulls from the database only as fast as the reader takes it. */
export function exportStream(database: Database, orgCode: string, format: Format, suffix = 'o=nhs'): Readable {
  return Readable.from(render(database, orgCode, format, suffix), { objectMode: false });
}

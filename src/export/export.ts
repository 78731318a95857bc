// An organisation's address book as a stream of text in one of four formats (contract section 6).
import { Readable } from 'node:stream';
import type { Actor } from '../directory/actor.js';
import type { Reads } from '../directory/reads.js';
import { Dit } from '../ldap/mapping.js';
import { csvHeader, csvRow } from './csv.js';
import { ldifEntry, ldifHeader } from './ldif.js';
import { vcard } from './vcard.js';

/** What an export reads: the core's address book, as the caller may see it. */
export type BookSource = Pick<Reads, 'addressBook'>;

/** Each format's media type and file extension (vCard 4.0 gets `.v4.vcf`, so the two vCards differ by name). */
export const formats = {
  vcard: { type: 'text/vcard; charset=utf-8', extension: 'vcf' },
  vcard4: { type: 'text/vcard; charset=utf-8', extension: 'v4.vcf' },
  csv: { type: 'text/csv; charset=utf-8', extension: 'csv' },
  ldif: { type: 'text/x-ldif; charset=utf-8', extension: 'ldif' },
} as const;
export type Format = keyof typeof formats;

/** The download's file name, as REST and the web pages give it: `RXA-address-book.v4.vcf`. */
export function addressBookFileName(orgCode: string, format: Format): string {
  return `${orgCode}-address-book.${formats[format].extension}`;
}

async function* render(
  source: BookSource,
  actor: Actor,
  orgCode: string,
  format: Format,
  suffix: string,
): AsyncGenerator<string> {
  if (format === 'csv') yield csvHeader;
  if (format === 'ldif') yield ldifHeader;
  const dit = new Dit(suffix);
  let chunk = '';
  for await (const e of source.addressBook(actor, orgCode)) {
    chunk +=
      format === 'csv'
        ? csvRow(e)
        : format === 'ldif'
          ? ldifEntry(e, dit)
          : vcard(e, format === 'vcard' ? '3.0' : '4.0');
    if (chunk.length > 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/**
 * UTF-8, no byte-order mark; pulls from the core (and it from the database) only as fast as the
 * reader takes it. `actor` is who asks: the address book is read as they may see it.
 */
export function exportStream(
  source: BookSource,
  actor: Actor,
  orgCode: string,
  format: Format,
  suffix = 'o=nhs',
): Readable {
  return Readable.from(render(source, actor, orgCode, format, suffix), { objectMode: false });
}

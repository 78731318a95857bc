// Shared by the file connectors: strict UTF-8 decoding, delimited-text parsing with line numbers,
// header lookup and date checks.
import { parse } from 'csv-parse';
import { Readable } from 'node:stream';
import { FeedRejected, type FeedStream } from './connector.js';

/** Decoded text of a stream; invalid UTF-8 or a NUL byte rejects the file (binary garbage). */
async function* utf8(stream: Readable): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (chunk.includes(0))
      throw new FeedRejected(
        `The file contains a NUL byte (near byte ${offset + chunk.indexOf(0)}): it is not a text file`,
      );
    try {
      yield decoder.decode(chunk, { stream: true });
    } catch {
      throw new FeedRejected(`The file is not valid UTF-8 (near byte ${offset})`);
    }
    offset += chunk.length;
  }
  try {
    yield decoder.decode();
  } catch {
    throw new FeedRejected('The file ends inside a UTF-8 character');
  }
}

export interface Row {
  line: number;
  cells: string[];
}

/** Rows of a delimited file (RFC 4180 quoting, CRLF or LF, BOM skipped), each with its line number. */
export async function* delimitedRows(feed: FeedStream, delimiter: string): AsyncGenerator<Row> {
  if (!feed.stream) throw new FeedRejected('This connector reads a file, and none was given');
  const parser = parse({ delimiter, bom: true, relax_column_count: true, skip_empty_lines: true, info: true });
  const text = Readable.from(utf8(feed.stream));
  text.on('error', (err) => parser.destroy(err));
  text.pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { line: info.lines, cells: record };
    }
  } catch (err) {
    if (err instanceof FeedRejected) throw err;
    const e = err as Error & { lines?: number };
    throw new FeedRejected(`The file cannot be parsed: ${e.message}`, e.lines ?? 0);
  } finally {
    text.destroy();
  }
}

/** Header names to 0-based positions, case-insensitively; refuses a header missing a required column. */
export function headerIndex(row: Row | undefined, required: readonly string[]): Map<string, number> {
  if (!row) throw new FeedRejected('The file is empty: a header row is needed');
  const index = new Map<string, number>();
  row.cells.forEach((name, i) => {
    const key = name.trim().toLowerCase();
    if (!index.has(key)) index.set(key, i);
  });
  const missing = required.filter((c) => !index.has(c));
  if (missing.length)
    throw new FeedRejected(
      `The header row lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      row.line,
    );
  return index;
}

/** A row's first problem, raised by the field readers below and turned into an Item error by the connector. */
export class RowError extends Error {
  constructor(
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

/** A trimmed cell, or null when empty or absent. */
export const cell = (cells: string[], i: number | undefined): string | null =>
  i === undefined ? null : cells[i]?.trim() || null;

/**
 * An optional field's value: undefined when the file has no such column (the feed says nothing
 * about it, so nothing changes), null when the cell is empty (the value is cleared).
 */
export const optionalCell = (cells: string[], i: number | undefined): string | null | undefined =>
  i === undefined ? undefined : cell(cells, i);

export function required(cells: string[], i: number, name: string): string {
  const v = cell(cells, i);
  if (v === null) throw new RowError(i + 1, `${name} is required`);
  return v;
}

/** A real calendar date as YYYY-MM-DD, from the layout the feed uses. */
export function date(value: string | null, i: number, name: string, layout: 'iso' | 'dmy' | 'compact'): string | null {
  if (value === null) return null;
  const m = {
    iso: /^(\d{4})-(\d{2})-(\d{2})$/,
    dmy: /^(\d{2})\/(\d{2})\/(\d{4})$/,
    compact: /^(\d{4})(\d{2})(\d{2})$/,
  }[layout].exec(value);
  const [y, mo, d] = !m ? [] : layout === 'dmy' ? [m[3], m[2], m[1]] : [m[1], m[2], m[3]];
  const iso = `${y}-${mo}-${d}`;
  const t = new Date(`${iso}T00:00:00Z`);
  if (!m || Number.isNaN(t.getTime()) || t.toISOString().slice(0, 10) !== iso) {
    const expected = { iso: 'YYYY-MM-DD', dmy: 'DD/MM/YYYY', compact: 'YYYYMMDD' }[layout];
    throw new RowError(i + 1, `${name} "${value}" is not a date (${expected})`);
  }
  return iso;
}

// vCard 3.0 (RFC 2426) and 4.0 (RFC 6350): CRLF lines folded at 75 octets, text values escaped.
import type { BookEntry } from '../directory/reads.js';

/** RFC 6350 section 3.4 / RFC 2426 section 4: backslash, comma, semicolon and newlines. */
export const escapeText = (v: string) =>
  v
    .replace(/\\/g, '\\\\')
    .replace(/,/g, '\\,')
    .replace(/;/g, '\\;')
    .replace(/\r\n|\r|\n/g, '\\n');

/** Fold a content line at 75 octets without splitting a UTF-8 character (RFC 6350 section 3.2). */
export function fold(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return `${line}\r\n`;
  const parts: string[] = [];
  let start = 0;
  let limit = 75;
  while (start < bytes.length) {
    let end = Math.min(start + limit, bytes.length);
    while (end < bytes.length && (bytes[end] & 0xc0) === 0x80) end--; // not inside a character
    parts.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
    limit = 74; // continuation lines begin with a space
  }
  return parts.join('\r\n ') + '\r\n';
}

export function vcard(e: BookEntry, version: '3.0' | '4.0'): string {
  const v4 = version === '4.0';
  const group = e.kind === 'mailbox';
  const lines = [
    'BEGIN:VCARD',
    `VERSION:${version}`,
    ...(v4 ? [`KIND:${group ? 'group' : 'individual'}`] : []),
    `N:${group ? `${escapeText(e.cn)};;;;` : `${escapeText(e.family_name)};${escapeText(e.given_name ?? '')};;;`}`,
    `FN:${escapeText(e.cn)}`,
    `ORG:${escapeText(e.org_name)}${e.department ? `;${escapeText(e.department)}` : ''}`,
    ...(e.title ? [`TITLE:${escapeText(e.title)}`] : []),
    v4 ? `EMAIL;TYPE=work:${e.mail}` : `EMAIL;TYPE=INTERNET,WORK:${e.mail}`,
    ...(e.telephone
      ? [v4 ? `TEL;TYPE=work,voice:${escapeText(e.telephone)}` : `TEL;TYPE=WORK,VOICE:${escapeText(e.telephone)}`]
      : []),
    ...(e.mobile ? [v4 ? `TEL;TYPE=cell:${escapeText(e.mobile)}` : `TEL;TYPE=CELL:${escapeText(e.mobile)}`] : []),
    `UID:urn:uuid:${e.entry_uuid}`,
    'END:VCARD',
  ];
  return lines.map(fold).join('');
}

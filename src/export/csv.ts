// Outlook's contact-import CSV: its own headers, RFC 4180 quoting, and no formula injection — a
// cell that a spreadsheet would run (= + - @, tab, CR first) is prefixed with an apostrophe.
import type { BookEntry } from '../directory/reads.js';

export const csvHeader =
  'First Name,Last Name,Display Name,E-mail Address,Business Phone,Mobile Phone,' +
  'Job Title,Department,Company,Office Location\r\n';

export function csvCell(value: string | null): string {
  let v = value ?? '';
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvRow(e: BookEntry): string {
  const mailbox = e.kind === 'mailbox';
  return (
    [
      mailbox ? '' : e.given_name,
      mailbox ? e.cn : e.family_name,
      e.display_name,
      e.mail,
      e.telephone,
      e.mobile,
      e.title,
      e.department,
      e.org_name,
      e.site,
    ]
      .map(csvCell)
      .join(',') + '\r\n'
  );
}

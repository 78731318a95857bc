// Distinguished names (RFC 4514): parsed into RDNs with attribute types lower-cased and values
// unescaped, so that comparisons ignore case and spacing as clients expect.

export interface Rdn {
  type: string;
  value: string;
}

export class DnError extends Error {}

function unescape(v: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\' && /^[0-9a-fA-F]{2}$/.test(v.slice(i + 1, i + 3))) {
      bytes.push(parseInt(v.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '\\' && i + 1 < v.length) {
      bytes.push(...Buffer.from(v[++i]));
    } else {
      bytes.push(...Buffer.from(c));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Spaces around a value are not part of it, unless escaped ("cn=trail\\ " ends in a space). */
function trimValue(v: string): string {
  let end = v.length;
  while (end > 0 && v[end - 1] === ' ') {
    let slashes = 0;
    while (v[end - 2 - slashes] === '\\') slashes++;
    if (slashes % 2 === 1) break;
    end--;
  }
  return v.slice(0, end).trimStart();
}

/** "uid=Jane.Smith, ou=People,O=NHS" → [{uid, Jane.Smith}, {ou, People}, {o, NHS}]. Multi-valued RDNs are refused. */
export function parseDn(dn: string): Rdn[] {
  if (dn.trim() === '') return [];
  const rdns: Rdn[] = [];
  let current = '';
  for (let i = 0; i <= dn.length; i++) {
    const c = dn[i];
    if (c === '\\') {
      current += c + (dn[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === ',' || c === ';' || i === dn.length) {
      const eq = current.indexOf('=');
      if (eq <= 0 || /(^|[^\\])\+/.test(current)) throw new DnError(`bad RDN "${current}"`);
      const type = current.slice(0, eq).trim().toLowerCase();
      if (!/^[a-z][a-z0-9-]*$|^\d+(\.\d+)*$/.test(type)) throw new DnError(`bad attribute type "${type}"`);
      rdns.push({ type, value: unescape(trimValue(current.slice(eq + 1))) });
      current = '';
      continue;
    }
    current += c;
  }
  return rdns;
}

export function escapeValue(v: string): string {
  let out = v.replace(/[,+"\\<>;=]/g, '\\$&');
  if (/^[ #]/.test(out)) out = `\\${out}`;
  // A trailing space is escaped once: a value of one space was escaped as a leading one.
  if (v.length > 1 && v.endsWith(' ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** Does `dn` (parsed) end with `suffix` (parsed), comparing case-insensitively? */
export function endsWith(dn: Rdn[], suffix: Rdn[]): boolean {
  if (suffix.length > dn.length) return false;
  const off = dn.length - suffix.length;
  return suffix.every(
    (r, i) => r.type === dn[off + i].type && r.value.toLowerCase() === dn[off + i].value.toLowerCase(),
  );
}

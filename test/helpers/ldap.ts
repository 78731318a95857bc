// A running LDAP server over a small, known directory, and ways to ask it what real clients ask.
import { spawn } from 'node:child_process';
import type { Test } from 'tap';
import pino from 'pino';
import { systemActor } from '../../src/directory/actor.js';
import type { Directory } from '../../src/directory/directory.js';
import { Dit } from '../../src/ldap/mapping.js';
import { startLdapServer, type LdapServerOptions } from '../../src/ldap/server.js';
import { testDirectory } from './directory.js';

export const passwords = {
  jane: 'jane-password',
  leaver: 'leaver-password',
  admin: 'admin-password',
  feed: 'feed-password',
  national: 'national-password',
};

/**
 * RXA Alpha Hospitals NHS Trust: Jane Smith (jane.smith), John Smithson, Siân O'Brien-Smith,
 * Mary Evans (formerly Jones: alias mary.jones@), Ann Admin (local admin), a leaver, and the
 * "Alpha Pharmacy" mailbox. RXB Beta Community NHS Trust: Jane Smith (jane.smith2), Bob Builder.
 */
export async function seed(dir: Directory) {
  const sys = systemActor;
  await dir.createOrganisation(sys, { code: 'RXA', name: 'Alpha Hospitals NHS Trust' });
  await dir.createOrganisation(sys, { code: 'RXB', name: 'Beta Community NHS Trust' });
  const join = (givenName: string, familyName: string, orgCode: string, extra = {}) =>
    dir.createJoiner(sys, { givenName, familyName, orgCode, ...extra });
  const jane = await join('Jane', 'Smith', 'RXA', {
    title: 'Staff Nurse',
    department: 'Cardiology',
    site: 'Main Hospital',
    telephone: '0113 496 0001',
    mobile: '07700 900001',
  });
  await join('Jane', 'Smith', 'RXB', { title: 'Health Visitor' });
  await join('John', 'Smithson', 'RXA', { title: 'Porter' });
  await join('Siân', "O'Brien-Smith", 'RXA', { department: 'Radiology' });
  const mary = await join('Mary', 'Jones', 'RXA');
  await dir.updatePerson(sys, mary.uid, { familyName: 'Evans' });
  const ann = await join('Ann', 'Admin', 'RXA');
  await dir.grantRole(sys, { uid: ann.uid }, { role: 'local_admin', orgCode: 'RXA' });
  const leaver = await join('Lee', 'Leaver', 'RXA');
  await join('Bob', 'Builder', 'RXB');
  for (const [uid, pw] of [
    [jane.uid, passwords.jane],
    [leaver.uid, passwords.leaver],
    [ann.uid, passwords.admin],
  ])
    await dir.setPassword(sys, uid, { newPassword: pw });
  await dir.markLeaver(sys, leaver.uid);
  await dir.createMailbox(sys, { name: 'Alpha Pharmacy', orgCode: 'RXA', ownerUid: jane.uid });
  await dir.createService(sys, {
    name: 'rxa-feed',
    password: passwords.feed,
    grants: [{ role: 'connector', orgCode: 'RXA' }],
  });
  await dir.createService(sys, {
    name: 'national',
    password: passwords.national,
    grants: [{ role: 'national_admin' }],
  });
}

export async function ldapFixture(t: Test, options: Partial<LdapServerOptions> = {}) {
  const { dir, database, clock } = await testDirectory(t);
  await seed(dir);
  const server = await startLdapServer({
    directory: dir,
    dit: new Dit('o=nhs'),
    anonymous: false,
    sizeCap: 500,
    vendorVersion: 'test',
    host: '127.0.0.1',
    port: 0,
    idleSeconds: 60,
    log: pino({ level: 'silent' }),
    ...options,
  });
  t.teardown(() => server.close());
  return { dir, database, clock, server, url: `ldap://127.0.0.1:${server.port}` };
}

export interface LdifEntry {
  dn: string;
  attrs: Record<string, string[]>;
}

/** RFC 2849 as ldapsearch -LLL writes it: folded lines, base64 for values that need it. */
export function parseLdif(text: string): LdifEntry[] {
  const entries: LdifEntry[] = [];
  const unfolded = text.replace(/\r?\n /g, '');
  for (const block of unfolded.split(/\n{2,}/)) {
    const lines = block.split('\n').filter((l) => l && !l.startsWith('#'));
    if (!lines.length) continue;
    const entry: LdifEntry = { dn: '', attrs: {} };
    for (const line of lines) {
      const m = /^([^:]+):(:?) ?(.*)$/.exec(line);
      if (!m) continue;
      const value = m[2] ? Buffer.from(m[3], 'base64').toString('utf8') : m[3];
      if (m[1] === 'dn') entry.dn = value;
      else (entry.attrs[m[1]] ??= []).push(value);
    }
    if (entry.dn || Object.keys(entry.attrs).length) entries.push(entry);
  }
  return entries;
}

export interface SearchRun {
  code: number | null;
  stdout: string;
  stderr: string;
  entries: LdifEntry[];
}

/** Debian's ldapsearch, exactly as a person would run it. */
export function ldapsearch(args: string[], opts: { until?: RegExp } = {}): Promise<SearchRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('ldapsearch', ['-x', '-LLL', '-o', 'ldif-wrap=no', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LDAPTLS_REQCERT: 'never' },
    });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (opts.until?.test(stdout)) child.kill();
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    const timer = setTimeout(() => child.kill(), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      // Stopped at `until`: only what came before it counts (ldapsearch asks for VLV windows forever).
      const m = opts.until?.exec(stdout);
      resolve({ code, stdout, stderr, entries: parseLdif(m ? stdout.slice(0, m.index) : stdout) });
    });
  });
}

/** The uids of entries, from their DNs (uid=jane.smith,ou=People,o=nhs → jane.smith). */
export const uids = (entries: LdifEntry[]) => entries.map((e) => /^uid=([^,]+),/.exec(e.dn)?.[1] ?? e.dn).sort();

/** The message ids of the LDAPMessages in a raw reply, in order (ids are short here). */
export function messageIds(reply: Buffer): number[] {
  const ids: number[] = [];
  for (let off = 0; off < reply.length;) {
    const lenByte = reply[off + 1];
    const [len, hdr] =
      lenByte & 0x80 ? [reply.readUIntBE(off + 2, lenByte & 0x7f), 2 + (lenByte & 0x7f)] : [lenByte, 2];
    ids.push(reply.readUIntBE(off + hdr + 2, reply[off + hdr + 1]));
    off += hdr + len;
  }
  return ids;
}

// A real OpenLDAP slapd (Debian's package) for the ldap connector's tests: mdb backend on a free
// port, loaded from LDIF, with a small size limit so that only a paged search reads everything.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import type { Test } from 'tap';
import { freePort } from './process.js';

export const slapdMissing = !existsSync('/usr/sbin/slapd') && 'needs slapd (Debian package slapd; .ci/run installs it)';

export async function startSlapd(t: Test, ldif: string) {
  const dir = mkdtempSync(join(tmpdir(), 'nhsdir-slapd-'));
  mkdirSync(join(dir, 'db'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'slapd.conf'),
    `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile ${dir}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 104857600
suffix "dc=trust,dc=example"
rootdn "cn=admin,dc=trust,dc=example"
rootpw secret
directory ${dir}/db
limits * size.soft=3 size.hard=3 size.prtotal=unlimited
access to * by * read
`,
  );
  writeFileSync(join(dir, 'data.ldif'), ldif);
  execFileSync('/usr/sbin/slapadd', ['-q', '-f', join(dir, 'slapd.conf'), '-l', join(dir, 'data.ldif')], {
    stdio: 'pipe',
  });
  const child = spawn(
    '/usr/sbin/slapd',
    ['-d', '0', '-f', join(dir, 'slapd.conf'), '-h', `ldap://127.0.0.1:${port}/`],
    { stdio: 'ignore' },
  );
  t.teardown(() => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  // slapd writes its pid file before it listens: ready means a connection is accepted.
  let ready = false;
  for (let i = 0; i < 200 && !(ready = await accepts(port)); i++) await new Promise((r) => setTimeout(r, 50));
  if (!ready) throw new Error('slapd did not start');
  return { url: `ldap://127.0.0.1:${port}`, pid: Number(readFileSync(join(dir, 'slapd.pid'), 'utf8')) };
}

/** An inetOrgPerson entry under ou=Staff. */
export function staffEntry(p: {
  id: string;
  given: string;
  sn: string;
  title?: string;
  ou?: string;
  mail?: string;
  known?: string;
}) {
  return [
    `dn: uid=${p.id},ou=Staff,dc=trust,dc=example`,
    'objectClass: inetOrgPerson',
    `uid: ${p.id}`,
    `cn: ${p.given} ${p.sn}`,
    `sn: ${p.sn}`,
    `givenName: ${p.given}`,
    `employeeNumber: ${p.id}`,
    ...(p.title ? [`title: ${p.title}`] : []),
    ...(p.ou ? [`ou: ${p.ou}`] : []),
    ...(p.mail ? [`mail: ${p.mail}`] : []),
    ...(p.known ? [`displayName: ${p.known}`] : []),
    '',
  ].join('\n');
}

export const trustBase = [
  'dn: dc=trust,dc=example',
  'objectClass: dcObject',
  'objectClass: organization',
  'o: Trust',
  'dc: trust',
  '',
  'dn: ou=Staff,dc=trust,dc=example',
  'objectClass: organizationalUnit',
  'ou: Staff',
  '',
  '',
].join('\n');

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

// ---- a slapd for loading the directory's own LDIF (the schema and address-book tests) ----

export const ldapAddMissing =
  !existsSync('/usr/bin/ldapadd') && 'needs ldapadd (Debian package ldap-utils; .ci/run installs it)';

/** Definitions (RFC 4512 descriptions, one line each) as an OpenLDAP schema file, a field a line. */
export function slapdSchemaFile(header: string, attributeTypes: string[], objectClasses: string[]): string {
  const fields = (def: string) => {
    // Split before each keyword, never inside a quoted DESC or NAME.
    const tokens = def.match(/'(?:[^'\\]|\\.)*'|\S+/g) ?? [];
    const lines: string[] = [];
    for (const tok of tokens) {
      if (/^[A-Z][A-Z-]+$/.test(tok) && lines.length && tok !== 'AUXILIARY' && tok !== 'STRUCTURAL') lines.push(tok);
      else if (!lines.length) lines.push(tok);
      else lines[lines.length - 1] += ` ${tok}`;
    }
    return lines.join('\n\t');
  };
  return [
    header.trimEnd(),
    '',
    ...attributeTypes.map((d) => `attributetype ${fields(d)}\n`),
    ...objectClasses.map((d) => `objectclass ${fields(d)}\n`),
  ].join('\n');
}

export interface SlapdOptions {
  suffix: string;
  schemaFiles: string[];
}

/** slapd.conf for an empty mdb database under `suffix`, writable by cn=admin,<suffix> (password "secret"). */
export function slapdConf(dir: string, opts: SlapdOptions): string {
  return [
    ...opts.schemaFiles.map((f) => `include ${f}`),
    `pidfile ${dir}/slapd.pid`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    'database mdb',
    'maxsize 104857600',
    `suffix "${opts.suffix}"`,
    `rootdn "cn=admin,${opts.suffix}"`,
    'rootpw secret',
    `directory ${dir}/db`,
    'access to * by * read',
    '',
  ].join('\n');
}

/** An empty slapd with the given schema files; the caller adds entries over LDAP as cn=admin. */
export async function startEmptySlapd(t: Test, opts: SlapdOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'nhsdir-slapd-'));
  mkdirSync(join(dir, 'db'));
  const port = await freePort();
  const conf = join(dir, 'slapd.conf');
  writeFileSync(conf, slapdConf(dir, opts));
  const args = ['-d', '0', '-f', conf, '-h', `ldap://127.0.0.1:${port}/`];
  const child = spawn('/usr/sbin/slapd', args, { stdio: 'ignore' });
  t.teardown(() => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  let ready = false;
  for (let i = 0; i < 600 && !(ready = await accepts(port)); i++) await new Promise((r) => setTimeout(r, 50));
  if (!ready) throw new Error('slapd did not start');
  return { url: `ldap://127.0.0.1:${port}`, admin: `cn=admin,${opts.suffix}`, password: 'secret', dir };
}

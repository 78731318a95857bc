// The schema as clients nobody here wrote meet it, on their default settings, against a real server:
// Python's ldap3 (which reads cn=Subschema and then refuses names it does not define), python-ldap's
// SubSchema, Perl's Net::LDAP, and OpenLDAP's slapd loading the nhs* definitions we publish and then
// an organisation's LDIF address book with ldapadd.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { exportStream } from '../../src/export/export.js';
import { ldapFixture, ldapsearch, parseLdif, passwords, uids } from '../helpers/ldap.js';
import { ldapAddMissing, slapdConf, slapdMissing, slapdSchemaFile, startEmptySlapd } from '../helpers/slapd.js';

const fixtures = fileURLToPath(new URL('../fixtures/third-party/', import.meta.url));
const committedSchema = fileURLToPath(new URL('../../schema/nhs.schema', import.meta.url));
// Debian's packages install for Debian's Python, whatever `python3` a PATH finds first.
const python = '/usr/bin/python3';
const debian = '/etc/ldap/schema';

const works = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const missing = (what: string, pkg: string, ok: boolean) =>
  !ok && `needs ${what} (Debian package ${pkg}; .ci/run installs it)`;
const ldap3Missing = missing("Python's ldap3", 'python3-ldap3', works(python, ['-c', 'import ldap3']));
const pythonLdapMissing = missing('python-ldap', 'python3-ldap', works(python, ['-c', 'import ldap.schema']));
const netLdapMissing = missing("Perl's Net::LDAP", 'libnet-ldap-perl', works('perl', ['-MNet::LDAP', '-e1']));
const slapdSchemaMissing = missing(
  "Debian's OpenLDAP schema files",
  'slapd',
  existsSync(`${debian}/inetorgperson.schema`),
);
const slaptestMissing = slapdMissing || ldapAddMissing || slapdSchemaMissing;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A client program, with its output; killed if it has not finished in two minutes. */
function runTool(cmd: string, args: string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    const timer = setTimeout(() => child.kill(), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The JSON a fixture script prints, or a failed assertion with the end of what it wrote. */
function output(t: Test, ran: Ran): Record<string, unknown> | undefined {
  const last = ran.stderr.trim().split('\n').slice(-3).join(' | ');
  if (!t.equal(ran.code, 0, `it runs: ${last}`)) return undefined;
  return JSON.parse(ran.stdout) as Record<string, unknown>;
}

const mail = { oid: '0.9.2342.19200300.100.1.3', syntax: '1.3.6.1.4.1.1466.115.121.1.26' };
const uidsOf = (entries: { dn: string }[]) => uids(entries.map((e) => ({ dn: e.dn, attrs: {} })));

t.test("Python's ldap3 on its default settings reads the schema and searches", { skip: ldap3Missing }, async (t) => {
  const { server } = await ldapFixture(t);
  const script = join(fixtures, 'ldap3_search.py');
  const out = output(t, await runTool(python, [script, String(server.port), 'jane.smith@nhs.net', passwords.jane]));
  if (!out) return;
  t.equal(out.schema, true, 'it read the schema');
  t.equal(out.inetOrgPerson, '2.16.840.1.113730.3.2.2');
  const found = out.found as { dn: string; attributes: Record<string, string[]> }[];
  t.same(uidsOf(found), ['jane.smith', 'jane.smith2'], 'the search finds both Janes');
  const jane = found.find((e) => e.dn === 'uid=jane.smith,ou=People,o=nhs');
  t.same(jane?.attributes, { cn: ['Jane Smith'], mail: ['jane.smith@nhs.net'], telephoneNumber: ['0113 496 0001'] });
  const everyone = [
    'alpha.pharmacy',
    'ann.admin',
    'bob.builder',
    'jane.smith',
    'jane.smith2',
    'john.smithson',
    'mary.jones',
    'sian.obrien-smith',
  ];
  t.same(uidsOf(out.paged as { dn: string }[]), everyone, 'a paged search, two a page, reads everyone she may see');
});

t.test("python-ldap's SubSchema resolves classes and attribute types", { skip: pythonLdapMissing }, async (t) => {
  const { url } = await ldapFixture(t);
  const out = output(t, await runTool(python, [join(fixtures, 'python_ldap_schema.py'), url]));
  if (!out) return;
  t.equal(out.subschemaSubentry, 'cn=Subschema');
  t.same(out.inetOrgPerson, { oid: '2.16.840.1.113730.3.2.2', sup: ['organizationalPerson'], kind: 0 }, 'structural');
  const nhsPerson = { sup: ['top'], kind: 2, must: [], may: ['nhsMailAlias', 'nhsOrgCode'] };
  t.same(out.nhsPerson, nhsPerson, 'nhsPerson is auxiliary, SUP top');
  t.same(out.must, ['cn', 'objectClass', 'sn'], 'what an NHS person must have, through the superclasses');
  for (const name of ['mail', 'uid', 'telephoneNumber', 'title', 'nhsMailAlias', 'nhsOrgCode', 'givenName']) {
    t.ok((out.may as string[]).includes(name), `may: ${name}`);
  }
  t.same(out.mail, { ...mail, equality: 'caseIgnoreIA5Match' });
  t.same(out.unresolved, [], 'every class resolves its superclasses and attribute types; every type has a syntax');
});

t.test("Perl's Net::LDAP answers must, may and attribute", { skip: netLdapMissing }, async (t) => {
  const { server } = await ldapFixture(t);
  const out = output(t, await runTool('perl', [join(fixtures, 'net_ldap_schema.pl'), String(server.port)]));
  if (!out) return;
  t.same(out.must, ['cn', 'objectClass', 'sn'], "inetOrgPerson's must, inherited");
  for (const name of ['mail', 'uid', 'telephoneNumber', 'mobile', 'displayName', 'givenName', 'ou', 'o']) {
    t.ok((out.may as string[]).includes(name), `inetOrgPerson may: ${name}`);
  }
  t.same(out.nhsPersonMay, ['nhsMailAlias', 'nhsOrgCode']);
  t.same(out.nhsOrganisationMust, ['nhsOrgCode', 'objectClass']);
  t.same(out.mail, mail);
  t.same(out.superior, ['organizationalPerson']);
});

t.test('slapd loads the nhs* schema; an LDIF address book imports into it', { skip: slaptestMissing }, async (t) => {
  const { url, dir: directory } = await ldapFixture(t);
  // What the server publishes, read as a client reads it; the nhs* definitions go into a schema file.
  const [sub] = (
    await ldapsearch([
      '-H',
      url,
      '-b',
      'cn=Subschema',
      '-s',
      'base',
      '(objectClass=*)',
      'attributeTypes',
      'objectClasses',
    ])
  ).entries;
  const nhs = (defs: string[]) => defs.filter((d) => /NAME '?nhs/i.test(d));
  t.same([nhs(sub.attrs.attributeTypes).length, nhs(sub.attrs.objectClasses).length], [7, 3], 'the nhs* definitions');
  const schema = slapdSchemaFile(
    [
      '# The nhs* attribute types and object classes nhs-directory publishes in cn=Subschema, for OpenLDAP.',
      '# Load after core.schema, cosine.schema and inetorgperson.schema.',
      '# Generated by test/ldap/third-party-schema.test.ts (NHSDIR_WRITE_SCHEMA=1 rewrites it).',
    ].join('\n'),
    nhs(sub.attrs.attributeTypes),
    nhs(sub.attrs.objectClasses),
  );
  // schema/nhs.schema is this file, committed for administrators.
  if (process.env.NHSDIR_WRITE_SCHEMA === '1') writeFileSync(committedSchema, schema);
  const committed = existsSync(committedSchema) ? readFileSync(committedSchema, 'utf8') : '';
  t.equal(committed, schema, 'schema/nhs.schema is what the server publishes (NHSDIR_WRITE_SCHEMA=1 rewrites it)');

  const dir = mkdtempSync(join(tmpdir(), 'nhsdir-slaptest-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'nhs.schema'), schema);
  const schemaFiles = ['core', 'cosine', 'inetorgperson'].map((f) => `${debian}/${f}.schema`);
  schemaFiles.push(join(dir, 'nhs.schema'));
  writeFileSync(join(dir, 'slapd.conf'), slapdConf(dir, { suffix: 'o=nhs', schemaFiles }));
  const test = await runTool('/usr/sbin/slaptest', ['-u', '-f', join(dir, 'slapd.conf')]);
  t.equal(test.code, 0, `slaptest -u accepts it: ${test.stderr.trim()}`);
  if (test.code !== 0) return;

  const slapd = await startEmptySlapd(t, { suffix: 'o=nhs', schemaFiles });
  // The download holds the people and mailboxes; their parents come first, as the README says.
  const ldif = await text(exportStream(directory, systemActor, 'RXA', 'ldif'));
  const book = parseLdif(ldif).filter((e) => e.dn);
  t.ok(book.length >= 6, `the download has RXA's people and its mailbox (${book.length})`);
  const parents = [
    'dn: o=nhs',
    'objectClass: organization',
    'o: nhs',
    '',
    'dn: ou=AddressBooks,o=nhs',
    'objectClass: organizationalUnit',
    'ou: AddressBooks',
    '',
    'dn: ou=RXA,ou=AddressBooks,o=nhs',
    'objectClass: organizationalUnit',
    'ou: RXA',
    '',
  ].join('\n');
  const as = ['-H', slapd.url, '-D', slapd.admin, '-w', slapd.password];
  writeFileSync(join(slapd.dir, 'parents.ldif'), parents);
  writeFileSync(join(slapd.dir, 'RXA.ldif'), ldif);
  const first = await runTool('ldapadd', ['-x', ...as, '-f', join(slapd.dir, 'parents.ldif')]);
  t.equal(first.code, 0, `the parents are added: ${first.stderr.trim()}`);
  const add = await runTool('ldapadd', ['-x', ...as, '-c', '-f', join(slapd.dir, 'RXA.ldif')]);
  t.equal(add.code, 0, 'ldapadd -c of the download succeeds');
  t.equal(add.stderr.trim(), '', 'and refuses no entry');

  const read = (base: string, scope: string, ...attrs: string[]) =>
    ldapsearch([...as, '-b', base, '-s', scope, '(objectClass=*)', ...attrs]);
  const loaded = (await read('ou=RXA,ou=AddressBooks,o=nhs', 'one', '*')).entries;
  t.same(uids(loaded), uids(book), 'slapd holds every entry of the download');
  const mailbox = loaded.find((e) => e.attrs.objectClass?.includes('nhsGenericMailbox'));
  t.same(mailbox?.attrs.objectClass, ['top', 'inetOrgPerson', 'nhsGenericMailbox'], 'the mailbox as downloaded');
  const structural = (await read(mailbox?.dn ?? '', 'base', 'structuralObjectClass')).entries;
  t.same(structural[0]?.attrs.structuralObjectClass, ['inetOrgPerson'], "slapd finds a mailbox's structural class");
});

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let s = '';
  for await (const chunk of stream) s += chunk;
  return s;
}

// Size limits, paged results, server-side sort, VLV, the change log, StartTLS and LDAPS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { BerReader, PduAssembler } from '../../src/ldap/ber.js';
import { ldapFixture, ldapsearch, messageIds, passwords, uids } from '../helpers/ldap.js';

const asJane = (url: string) => ['-H', url, '-D', 'jane.smith@nhs.net', '-w', passwords.jane];

t.test('size limit: the entries found, then sizeLimitExceeded; paging reads past the cap', async (t) => {
  // A cap of 3 makes the point on a small directory: 7 active people in ou=People.
  const { url } = await ldapFixture(t, { sizeCap: 3 });
  const limited = await ldapsearch([...asJane(url), '-b', 'ou=People,o=nhs', '-s', 'one', '(objectClass=*)', 'uid']);
  t.equal(limited.code, 4);
  t.equal(limited.entries.length, 3, 'the entries found come with the error');
  const asked = await ldapsearch([
    ...asJane(url),
    '-z',
    '2',
    '-b',
    'ou=People,o=nhs',
    '-s',
    'one',
    '(objectClass=*)',
    'uid',
  ]);
  t.same([asked.code, asked.entries.length], [4, 2], "the client's smaller limit wins");
  const paged = await ldapsearch([
    ...asJane(url),
    '-E',
    'pr=2/noprompt',
    '-b',
    'ou=People,o=nhs',
    '-s',
    'one',
    '(objectClass=*)',
    'uid',
  ]);
  t.equal(paged.code, 0);
  t.same(
    uids(paged.entries),
    ['ann.admin', 'bob.builder', 'jane.smith', 'jane.smith2', 'john.smithson', 'mary.jones', 'sian.obrien-smith'],
    'every page, no duplicates',
  );
  const big = await ldapsearch([...asJane(url), '-E', 'pr=50/noprompt', '-b', 'o=nhs', '(objectClass=*)', '1.1']);
  t.equal(big.code, 0, 'a page size over the cap is served in pages of the cap');
  t.ok(big.entries.length > 10, 'the whole directory, containers and organisations included');
  // ldapts pages too.
  const client = new Client({ url });
  t.teardown(() => client.unbind());
  await client.bind('jane.smith@nhs.net', passwords.jane);
  const res = await client.search('ou=People,o=nhs', {
    scope: 'one',
    filter: '(mail=*)',
    paged: { pageSize: 2 },
    attributes: ['mail'],
  });
  t.equal(res.searchEntries.length, 7);
});

t.test('server-side sort and VLV windows, as Outlook browses', async (t) => {
  const { url } = await ldapFixture(t);
  const sorted = await ldapsearch([
    ...asJane(url),
    '-E',
    'sss=sn',
    '-b',
    'ou=People,o=nhs',
    '-s',
    'one',
    '(mail=*)',
    'sn',
  ]);
  t.same(
    sorted.entries.map((e) => e.attrs.sn[0]),
    ['Admin', 'Builder', 'Evans', "O'Brien-Smith", 'Smith', 'Smith', 'Smithson'],
  );
  const reverse = await ldapsearch([
    ...asJane(url),
    '-E',
    'sss=-cn',
    '-b',
    'ou=People,o=nhs',
    '-s',
    'one',
    '(mail=*)',
    'cn',
  ]);
  t.same(reverse.entries.map((e) => e.attrs.cn[0]).slice(0, 2), ["Siân O'Brien-Smith", 'Mary Evans']);
  const bad = await ldapsearch([...asJane(url), '-E', '!sss=telephoneNumber', '-b', 'ou=People,o=nhs', '(mail=*)']);
  t.equal(bad.code, 12, 'a critical sort on an unsupported key');
  // ldapsearch asks for window after window; the first one is read and the client stopped.
  const vlv = await ldapsearch(
    [...asJane(url), '-E', 'sss=cn', '-E', 'vlv=1/2/3/0', '-b', 'o=nhs', '(objectClass=*)', 'cn'],
    { until: /vlvResult/ },
  );
  t.same(
    vlv.entries.map((e) => e.attrs.cn[0]),
    ['Ann Admin', 'Bob Builder', 'Jane Smith', 'Jane Smith'],
    'one before the third, two after',
  );
  t.match(vlv.stdout, /vlvResultpos=3 count=8 context= \(0\) Success/, 'people and the mailbox: 8');
  const byValue = await ldapsearch(
    [...asJane(url), '-E', 'sss=cn', '-E', 'vlv=0/1:mary', '-b', 'o=nhs', '(mail=*)', 'cn'],
    { until: /vlvResult/ },
  );
  t.same(
    byValue.entries.map((e) => e.attrs.cn[0]),
    ['Mary Evans', "Siân O'Brien-Smith"],
    'jump to the first entry at or after "mary"',
  );
});

t.test('the change log: changes made through the core appear, for administrators', async (t) => {
  const { url, dir } = await ldapFixture(t);
  const root = await ldapsearch(['-H', url, '-b', '', '-s', 'base', '(objectClass=*)', 'lastChangeNumber']);
  const last = Number(root.entries[0].attrs.lastChangeNumber[0]);
  await dir.updatePerson(systemActor, 'john.smithson', { title: 'Head Porter' });
  await dir.renameOrganisation(systemActor, 'RXB', 'Beta Health NHS Trust');
  const national = ['-H', url, '-D', 'cn=national,ou=Services,o=nhs', '-w', passwords.national];
  const changes = await ldapsearch([
    ...national,
    '-b',
    'cn=changelog',
    '-s',
    'one',
    `(changeNumber>=${last + 1})`,
    'changeNumber',
    'targetDN',
    'changeType',
    'changes',
    'changeTime',
  ]);
  t.equal(changes.code, 0);
  t.same(
    changes.entries.map((e) => [e.dn, e.attrs.targetDN[0], e.attrs.changeType[0]]),
    [
      [`changeNumber=${last + 1},cn=changelog`, 'uid=john.smithson,ou=People,o=nhs', 'modify'],
      [`changeNumber=${last + 2},cn=changelog`, 'nhsOrgCode=RXB,ou=Organisations,o=nhs', 'modify'],
    ],
  );
  t.equal(changes.entries[0].attrs.changes[0], 'replace: title\ntitle: Head Porter\n-\n');
  const user = await ldapsearch([...asJane(url), '-b', 'cn=changelog', '-s', 'one', '(changeNumber>=1)']);
  t.equal(user.code, 50, 'not for ordinary users');
  const feed = await ldapsearch([
    '-H',
    url,
    '-D',
    'cn=rxa-feed,ou=Services,o=nhs',
    '-w',
    passwords.feed,
    '-b',
    'cn=changelog',
    '-s',
    'one',
    `(changeNumber=${last + 2})`,
    'changeNumber',
  ]);
  t.same(
    feed.entries.map((e) => e.attrs.changeNumber[0]),
    [String(last + 2)],
    'service accounts read it',
  );
  // A local administrator reads their organisation's changes only, as over REST.
  const ann = [
    '-H',
    url,
    '-D',
    'uid=ann.admin,ou=People,o=nhs',
    '-w',
    passwords.admin,
    '-b',
    'cn=changelog',
    '-s',
    'one',
  ];
  const theirs = await ldapsearch([...ann, `(changeNumber>=${last + 1})`, 'targetDN']);
  t.same(
    theirs.entries.map((e) => e.attrs.targetDN[0]),
    ['uid=john.smithson,ou=People,o=nhs'],
    "RXA's change, not RXB's rename",
  );
  const renamed = await ldapsearch([...asJane(url), '-b', 'ou=People,o=nhs', '(uid=bob.builder)', 'displayName']);
  t.equal(renamed.entries[0].attrs.displayName[0], 'Bob Builder (Beta Health NHS Trust)', 'the rename shows at once');
});

t.test('StartTLS (ldapsearch -ZZ) and LDAPS with a certificate made here', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nhsdir-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const certFile = join(dir, 'cert.pem'),
    keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const { server } = await ldapFixture(t, { certFile, keyFile, ldapsPort: 0 });
  const env = { LDAPTLS_CACERT: certFile };
  const root = await ldapsearch([
    '-H',
    `ldap://localhost:${server.port}`,
    '-b',
    '',
    '-s',
    'base',
    '(objectClass=*)',
    '+',
  ]);
  t.ok(root.entries[0].attrs.supportedExtension.includes('1.3.6.1.4.1.1466.20037'), 'StartTLS is advertised');
  const zz = await ldapsearchEnv(
    [
      '-ZZ',
      '-H',
      `ldap://localhost:${server.port}`,
      '-D',
      'jane.smith@nhs.net',
      '-w',
      passwords.jane,
      '-b',
      'ou=People,o=nhs',
      '(uid=jane.smith)',
      'mail',
    ],
    env,
  );
  t.equal(zz.code, 0, zz.stderr);
  t.same(
    zz.entries.map((e) => e.attrs.mail[0]),
    ['jane.smith@nhs.net'],
    'over StartTLS',
  );
  const ldaps = await ldapsearchEnv(
    [
      '-H',
      `ldaps://localhost:${server.ldapsPort}`,
      '-D',
      'jane.smith@nhs.net',
      '-w',
      passwords.jane,
      '-b',
      'ou=People,o=nhs',
      '(uid=jane.smith)',
      'mail',
    ],
    env,
  );
  t.equal(ldaps.code, 0, ldaps.stderr);
  t.same(
    ldaps.entries.map((e) => e.attrs.mail[0]),
    ['jane.smith@nhs.net'],
    'over LDAPS',
  );
});

t.test('StartTLS without a certificate is refused, and the connection goes on in the clear', async (t) => {
  const { url } = await ldapFixture(t);
  const zz = await ldapsearch(['-ZZ', '-H', url, '-b', '', '-s', 'base', '(objectClass=*)']);
  t.not(zz.code, 0);
  t.match(zz.stderr, /ldap_start_tls: Server is unavailable \(52\)/);
  const z = await ldapsearch(['-Z', '-H', url, '-b', '', '-s', 'base', '(objectClass=*)', 'vendorName']);
  t.equal(z.code, 0, '-Z goes on without TLS');
});

function ldapsearchEnv(args: string[], env: Record<string, string>) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return ldapsearch(args);
  } finally {
    process.env = saved;
  }
}

t.test('per-organisation address books: active people and listed mailboxes of one organisation', async (t) => {
  const { url } = await ldapFixture(t);
  const book = await ldapsearch([
    ...asJane(url),
    '-b',
    'ou=RXA,ou=AddressBooks,o=nhs',
    '-s',
    'one',
    '(objectClass=*)',
    'mail',
  ]);
  t.equal(book.code, 0);
  t.same(
    book.entries.map((e) => e.dn).sort(),
    [
      'uid=alpha.pharmacy,ou=RXA,ou=AddressBooks,o=nhs',
      'uid=ann.admin,ou=RXA,ou=AddressBooks,o=nhs',
      'uid=jane.smith,ou=RXA,ou=AddressBooks,o=nhs',
      'uid=john.smithson,ou=RXA,ou=AddressBooks,o=nhs',
      'uid=mary.jones,ou=RXA,ou=AddressBooks,o=nhs',
      'uid=sian.obrien-smith,ou=RXA,ou=AddressBooks,o=nhs',
    ],
    'no leaver, nobody from RXB',
  );
  // Every address book at once, as an administrator who may see the organisation's leavers elsewhere.
  const all = await ldapsearch([
    '-H',
    url,
    '-D',
    'ann.admin@nhs.net',
    '-w',
    passwords.admin,
    '-b',
    'ou=AddressBooks,o=nhs',
    '(objectClass=inetOrgPerson)',
    'mail',
  ]);
  t.equal(all.code, 0);
  t.ok(all.entries.length >= 6, 'the address books hold people');
  t.notOk(
    all.entries.some((e) => e.dn.startsWith('uid=lee.leaver,')),
    'no leaver in a subtree of every address book',
  );
  const books = await ldapsearch([
    ...asJane(url),
    '-b',
    'ou=AddressBooks,o=nhs',
    '-s',
    'one',
    '(objectClass=organizationalUnit)',
    'ou',
  ]);
  t.same(
    books.entries.map((e) => e.attrs.ou[0]),
    ['RXA', 'RXB'],
  );
  const one = await ldapsearch([
    ...asJane(url),
    '-b',
    'uid=bob.builder,ou=RXB,ou=AddressBooks,o=nhs',
    '-s',
    'base',
    '(objectClass=*)',
    'cn',
  ]);
  t.same(
    one.entries.map((e) => e.attrs.cn[0]),
    ['Bob Builder'],
  );
  const missing = await ldapsearch([
    ...asJane(url),
    '-b',
    'ou=NOPE,ou=AddressBooks,o=nhs',
    '-s',
    'base',
    '(objectClass=*)',
  ]);
  t.equal(missing.code, 32, 'an unknown organisation is no such object');
  const typesOnly = await ldapsearch([...asJane(url), '-A', '-b', 'ou=People,o=nhs', '(uid=jane.smith)', 'cn', 'mail']);
  t.match(typesOnly.stdout, /^cn:?\s*$/m, 'typesOnly: names without values');
  t.notMatch(typesOnly.stdout, /Jane Smith/);
});

t.test('abandon: an abandoned search is not answered, the next one is', async (t) => {
  const { server } = await ldapFixture(t);
  const { AbandonRequest, BindRequest, FilterParser, SearchRequest } = await import('ldapts');
  const net = await import('node:net');
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const got: Buffer[] = [];
  socket.on('data', (d) => got.push(d));
  const search = (id: number) =>
    new SearchRequest({
      messageId: id,
      baseDN: 'o=nhs',
      scope: 'sub',
      filter: FilterParser.parseString('(objectClass=*)'),
      attributes: ['cn'],
    }).write();
  socket.write(
    Buffer.concat([
      new BindRequest({ messageId: 1, dn: 'jane.smith@nhs.net', password: passwords.jane }).write(),
      search(2),
      new AbandonRequest({ messageId: 3, abandonId: 2 }).write(),
      search(4),
    ]),
  );
  // Until search 4 is done (it is queued behind 2, so 2 had its turn), however loaded the machine.
  const done4 = () => {
    const replies = new PduAssembler();
    replies.push(Buffer.concat(got));
    for (let p = replies.next(1 << 24); p; p = replies.next(1 << 24)) {
      const m = new BerReader(p).read(0x30).body;
      if (m.int() === 4 && m.peekTag() === 0x65) return true; // its SearchResultDone
    }
    return false;
  };
  for (let i = 0; i < 200 && !done4(); i++) await new Promise((r) => setTimeout(r, 100));
  socket.destroy();
  const ids = new Set(messageIds(Buffer.concat(got)));
  t.same([...ids], [1, 4], 'search 2 was abandoned before it ran; 4 was answered');
});

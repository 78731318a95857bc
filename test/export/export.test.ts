// Address books read back by parsers and compared with the people; awkward names; flat memory.
import { parse as parseCsv } from 'csv-parse/sync';
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { csvCell } from '../../src/export/csv.js';
import { exportStream } from '../../src/export/export.js';
import { ldifLine } from '../../src/export/ldif.js';
import { escapeText, fold } from '../../src/export/vcard.js';
import { createDirectory } from '../../src/directory/directory.js';
import { testApp } from '../helpers/app.js';
import { testDirectory, testSettings } from '../helpers/directory.js';
import { parseLdif, passwords, seed } from '../helpers/ldap.js';

/** A small vCard reader: unfold, split cards, unescape text values. */
function parseVcards(text: string) {
  t.notOk(text.startsWith('\ufeff'), 'no byte-order mark');
  const lines = text
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter(Boolean);
  const cards: Record<string, string[]>[] = [];
  for (const line of lines) {
    if (line === 'BEGIN:VCARD') {
      cards.push({});
      continue;
    }
    if (line === 'END:VCARD') continue;
    const i = line.indexOf(':');
    const key = line.slice(0, i);
    (cards[cards.length - 1][key] ??= []).push(line.slice(i + 1));
  }
  return cards;
}
const unescape = (v: string) => v.replace(/\\(n|N|,|;|\\)/g, (_, c) => (c === 'n' || c === 'N' ? '\n' : c));

t.test('escaping and folding', async (t) => {
  t.equal(escapeText('a,b;c\\d\ne'), 'a\\,b\\;c\\\\d\\ne');
  const long = fold(`NOTE:${'é'.repeat(60)}`);
  for (const line of long.split('\r\n').filter(Boolean)) t.ok(Buffer.byteLength(line) <= 75, 'at most 75 octets');
  t.equal(long.replace(/\r\n /g, '').trim(), `NOTE:${'é'.repeat(60)}`, 'folding never splits a character');
  t.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  for (const c of ['+1', '-1', '@SUM', '\tx', '\rx'])
    t.ok(csvCell(c).replace(/^"/, '').startsWith("'"), `formula guard for ${JSON.stringify(c)}`);
  t.equal(csvCell('Smith, Jane'), '"Smith, Jane"');
  t.equal(ldifLine('cn', 'Jane'), 'cn: Jane\n');
  t.equal(ldifLine('cn', 'Siân'), `cn:: ${Buffer.from('Siân').toString('base64')}\n`);
  t.equal(ldifLine('cn', ' leading space'), `cn:: ${Buffer.from(' leading space').toString('base64')}\n`);
  t.ok(
    ldifLine('description', 'x'.repeat(200))
      .split('\n')
      .every((l) => l.length <= 76),
  );
});

t.test('each format reads back as the organisation’s active people and listed mailboxes', async (t) => {
  const { dir } = await testDirectory(t);
  await seed(dir);
  const odd = await dir.createJoiner(systemActor, {
    givenName: 'Zoë',
    familyName: 'Smith, Jr; The',
    orgCode: 'RXA',
    title: 'Ward\nSister',
    department: '=SUM(A1)',
    telephone: '+44 113 496 0000',
  });
  const stream = async (format: 'vcard' | 'vcard4' | 'csv' | 'ldif') => {
    let out = '';
    for await (const chunk of exportStream(dir, systemActor, 'RXA', format)) out += chunk;
    return out;
  };
  const expected = [
    'alpha.pharmacy@nhs.net',
    'ann.admin@nhs.net',
    'jane.smith@nhs.net',
    'john.smithson@nhs.net',
    'mary.evans@nhs.net',
    'sian.obrien-smith@nhs.net',
    odd.mail,
  ].sort();

  const v3 = parseVcards(await stream('vcard'));
  t.same(
    v3.map((c) => c['EMAIL;TYPE=INTERNET,WORK'][0]).sort(),
    expected,
    'vCard 3.0: no leaver, nobody from elsewhere',
  );
  const zoe = v3.find((c) => c['EMAIL;TYPE=INTERNET,WORK'][0] === odd.mail)!;
  t.same(zoe.VERSION, ['3.0']);
  t.equal(unescape(zoe.N[0].split(/(?<!\\);/)[0]), 'Smith, Jr; The');
  t.equal(unescape(zoe.TITLE[0]), 'Ward\nSister');
  t.same(zoe.ORG, ['Alpha Hospitals NHS Trust;=SUM(A1)']);
  t.same(zoe['TEL;TYPE=WORK,VOICE'], ['+44 113 496 0000']);
  t.match(zoe.UID[0], /^urn:uuid:[0-9a-f-]{36}$/);

  const v4 = parseVcards(await stream('vcard4'));
  t.same(v4.map((c) => c['EMAIL;TYPE=work'][0]).sort(), expected, 'vCard 4.0');
  t.same(v4.find((c) => c['EMAIL;TYPE=work'][0] === 'alpha.pharmacy@nhs.net')!.KIND, ['group'], 'a mailbox is a group');
  t.same(v4.find((c) => c['EMAIL;TYPE=work'][0] === 'jane.smith@nhs.net')!.KIND, ['individual']);

  const csvText = await stream('csv');
  t.ok(
    csvText.startsWith(
      'First Name,Last Name,Display Name,E-mail Address,Business Phone,Mobile Phone,Job Title,Department,Company,Office Location\r\n',
    ),
  );
  const rows = parseCsv(csvText, { columns: true }) as Record<string, string>[];
  t.same(rows.map((r) => r['E-mail Address']).sort(), expected, 'CSV');
  const zrow = rows.find((r) => r['E-mail Address'] === odd.mail)!;
  t.match(zrow, {
    'First Name': 'Zoë',
    'Last Name': 'Smith, Jr; The',
    'Job Title': 'Ward\nSister',
    Department: "'=SUM(A1)",
    'Business Phone': "'+44 113 496 0000",
    Company: 'Alpha Hospitals NHS Trust',
  });

  const ldif = await stream('ldif');
  t.ok(ldif.startsWith('version: 1\n'));
  const entries = parseLdif(ldif.replace(/^version: 1\n/, ''));
  t.same(entries.map((e) => e.attrs.mail[0]).sort(), expected, 'LDIF');
  t.match(entries.find((e) => e.attrs.mail[0] === odd.mail)!.attrs, {
    sn: ['Smith, Jr; The'],
    title: ['Ward\nSister'],
    givenName: ['Zoë'],
  });
});

t.test('the download: headers, formats, 404, and the right to download', async (t) => {
  const { dir } = await testDirectory(t);
  await seed(dir);
  const { call, login } = await testApp(t, { directory: dir });
  const token = await login('jane.smith', passwords.jane);
  const get = (url: string) => call('GET', url, { token });
  const res = await get('/api/v1/organisations/RXB/address-book');
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/vcard; charset=utf-8');
  t.equal(res.headers['content-disposition'], 'attachment; filename="RXB-address-book.vcf"');
  t.equal(parseVcards(res.body).length, 2);
  t.equal(
    (await get('/api/v1/organisations/RXB/address-book?format=vcard4')).headers['content-disposition'],
    'attachment; filename="RXB-address-book.v4.vcf"',
    'vCard 4.0 has a file name of its own',
  );
  t.equal(
    (await get('/api/v1/organisations/RXB/address-book?format=csv')).headers['content-type'],
    'text/csv; charset=utf-8',
  );
  t.equal((await get('/api/v1/organisations/RXB/address-book?format=pdf')).statusCode, 400);
  t.equal((await get('/api/v1/organisations/NOPE/address-book')).statusCode, 404);
  t.equal((await call('GET', '/api/v1/organisations/RXB/address-book')).statusCode, 401);
});

t.test('20,000 people stream lazily, in bounded chunks', async (t) => {
  const { dir, database } = await testDirectory(t);
  await seed(dir);
  await database.query(`insert into people (uid, mail, given_name, family_name, cn, display_name, org_code)
    select 'big.person' || i, 'big.person' || i || '@nhs.net', 'Big', 'Person' || i, 'Big Person' || i, 'Big Person' || i || ' (Beta Community NHS Trust)', 'RXB'
    from generate_series(1, 20000) i`);
  // Count the database reads: the stream must fetch batch by batch, as it is read.
  let reads = 0;
  const counted: typeof database = {
    ...database,
    select: (q) => {
      reads++;
      return database.select(q);
    },
  };
  const countedDir = createDirectory(counted, testSettings);
  let cards = 0,
    biggest = 0;
  for await (const chunk of exportStream(countedDir, systemActor, 'RXB', 'vcard')) {
    biggest = Math.max(biggest, chunk.length);
    cards += (String(chunk).match(/BEGIN:VCARD/g) ?? []).length;
  }
  t.equal(cards, 20_002, 'every card');
  t.equal(reads, 21, 'in batches of 1,000 rows');
  t.ok(biggest < 80 * 1024, `chunks stay small (largest ${biggest} bytes)`);
  reads = 0;
  const stream = exportStream(countedDir, systemActor, 'RXB', 'csv');
  for await (const chunk of stream) {
    void chunk;
    break;
  } // a reader that stops after the first chunk
  t.ok(reads <= 2, `a reader that stops early stops the reads (${reads})`);
});

// nhs_fold (SQL, migrations/0009_fold.sql) and searchFold (its JavaScript twin) agree: the indexes
// hold one, the queries compare with values made by the other. Run against the real database.
import t from 'tap';
import { searchFold } from '../../src/model/fold.js';
import { openTestDatabase } from '../helpers/db.js';

const names: [string, string][] = [
  ['Łukasz', 'lukasz'],
  ['Müller', 'muller'],
  ['Siân', 'sian'],
  ["O'Brien-Smith", 'obriensmith'],
  ['Zoë', 'zoe'],
  ['Søren', 'soren'],
  ['Strauß', 'strauss'],
  ['Æsa', 'aesa'],
  ['Ørsted', 'orsted'],
  ['ÉMILE', 'emile'],
  ['Dvořák', 'dvorak'],
  ['Şahin', 'sahin'],
  ['İlkay', 'ilkay'],
  ['Þórr', 'thorr'],
  ['Œuvre', 'oeuvre'],
  ['STRAUẞ', 'strauss'],
  ['Đorđe', 'dorde'],
  ['Ħal', 'hal'],
  ['Nguyễn', 'nguyen'],
  ['Ștefan', 'stefan'],
  ['Llŷr', 'llyr'],
  ['ﬁona', 'fiona'],
  ['Ａｎｎ', 'ann'],
  ['Mary Ann', 'mary ann'],
  ['Mary\u00a0Ann', 'mary ann'],
  ['J. R. Hartley', 'j r hartley'],
  ['Anne-Marie', 'annemarie'],
  ['Smith 2', 'smith 2'],
  ['李 Smith', ' smith'],
  ['Ωmega', 'mega'],
  ['', ''],
  ['Jane Smith (Alpha Hospitals NHS Trust)', 'jane smith alpha hospitals nhs trust'],
];

/** Every character of these ranges, one string each (no NUL: PostgreSQL text cannot hold it). */
function chars(...ranges: [number, number][]): string[] {
  return ranges.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => String.fromCodePoint(a + i)));
}

t.test('names fold as people read them, the same in SQL and JavaScript', async (t) => {
  const db = await openTestDatabase();
  t.teardown(() => db.close());
  for (const [name, folded] of names) t.equal(searchFold(name), folded, `JavaScript: ${name}`);
  const sql = 'select nhs_fold(n) as f from unnest($1::text[]) with ordinality as u(n, i) order by i';
  const rows = await db.query<{ f: string }>(sql, [names.map(([n]) => n)]);
  t.same(
    rows.map((r) => r.f),
    names.map(([, f]) => f),
    'SQL gives the same',
  );
  t.equal((await db.query<{ f: string | null }>('select nhs_fold(null) as f'))[0].f, null, 'no name, no key');
});

t.test('every Latin letter, mark and punctuation folds alike in both', async (t) => {
  const db = await openTestDatabase();
  t.teardown(() => db.close());
  // ASCII, Latin-1 Supplement, Latin Extended-A and -B, IPA, spacing and combining marks, Greek,
  // Cyrillic, Latin Extended Additional, punctuation and letter-like symbols (K, Å), ligatures, full-width forms.
  const all = chars([0x01, 0x4ff], [0x1e00, 0x1eff], [0x2000, 0x218f], [0xfb00, 0xfb06], [0xff01, 0xff5e]);
  const sql = 'select n, nhs_fold(n) as f from unnest($1::text[]) as u(n)';
  const rows = await db.query<{ n: string; f: string }>(sql, [all]);
  const hex = (c: string) => `U+${c.codePointAt(0)!.toString(16)}`;
  const differ = rows.filter((r) => r.f !== searchFold(r.n)).map((r) => `${hex(r.n)} sql=${r.f} js=${searchFold(r.n)}`);
  t.same(differ, [], `${rows.length} characters`);
  // Their lower-case forms too: LDAP's paging key is the value lower-cased in JavaScript.
  const lowered = all.filter((c) => searchFold(c.toLowerCase()) !== searchFold(c));
  t.same(lowered.map(hex), [], 'lower-casing first changes no key');
});

t.test('the database orders by the folded name as JavaScript does', async (t) => {
  const db = await openTestDatabase();
  t.teardown(() => db.close());
  const people = [
    'Zoe Adams',
    'Łukasz Nowak',
    'Murphy Jones',
    'Müller Jones',
    'adam smith',
    'Émile Zola',
    "O'Brien Kay",
    'Oakley Ray',
  ];
  const sql = 'select n from unnest($1::text[]) as u(n) order by nhs_fold(n) using ~<~, n';
  const rows = await db.query<{ n: string }>(sql, [people]);
  t.same(
    rows.map((r) => r.n),
    [
      'adam smith',
      'Émile Zola',
      'Łukasz Nowak',
      'Müller Jones',
      'Murphy Jones',
      'Oakley Ray',
      "O'Brien Kay",
      'Zoe Adams',
    ],
  );
});

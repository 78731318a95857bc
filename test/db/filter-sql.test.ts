// The filter compiler (src/db/filter-sql.ts) on a small table of its own, on the test database:
// which rows each filter finds, with LDAP's three-valued logic (an undefined item is neither true
// nor false, and NOT keeps it undefined), case folding, LIKE's own characters matched as text,
// values always sent as parameters, and an attribute the table lacks matching nothing.
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import t from 'tap';
import { compileFilter, phoneValue, prefixUpper, type ColumnMap } from '../../src/db/filter-sql.js';
import type { Filter } from '../../src/model/filter.js';
import { openTestDatabase } from '../helpers/db.js';

const columns: ColumnMap = {
  cn: { expr: sql`lower(cn)` },
  sn: { expr: sql`lower(sn)` },
  telephone: { expr: sql`tel`, nullable: true, prepare: phoneValue },
  changeNumber: { expr: sql`n`, kind: 'number' },
  created: { expr: sql`at`, kind: 'time' },
  alias: {
    expr: sql`''`,
    via: (match) => sql`exists (select 1 from fx_alias a where a.id = fx.id and ${match(sql`a.alias`)})`,
  },
};

const rows = [
  [1, 'Jane Smith', 'Smith', '01134960000', '2026-01-05T09:00:00Z'],
  [2, 'John Smithson', 'Smithson', null, '2026-02-01T00:00:00Z'],
  [3, '100% Sure_Thing', "O'Brien", null, '2026-03-01T00:00:00Z'],
  [4, 'Ann Abc', 'Back\\slash', '+44 113 496 0001', '2026-04-01T00:00:00Z'],
] as const;

t.test('filters find the rows they name', async (t) => {
  const database = await openTestDatabase();
  t.teardown(() => database.close());
  await database.query(
    'create table fx (id int primary key, cn text not null, sn text not null, tel text, n int, at timestamptz)',
  );
  await database.query('create table fx_alias (id int not null, alias text not null)');
  for (const [id, cn, sn, tel, at] of rows)
    await database.query('insert into fx values ($1, $2, $3, $4, $1, $5)', [
      id,
      cn,
      sn,
      tel?.replace(/\s/g, '') ?? null,
      at,
    ]);
  await database.query(`insert into fx_alias values (2, 'j.smithson@old.nhs.net'), (3, 'sure@nhs.net')`);
  const find = async (filter: Filter) =>
    (
      await database.select<{ id: number }>(sql`select id from fx where ${compileFilter(filter, columns)} order by id`)
    ).map((r) => Number(r.id));
  const eq = (attr: 'cn' | 'sn' | 'telephone' | 'changeNumber' | 'created' | 'title' | 'alias', value: string) =>
    ({ attr, op: 'eq', value }) as const;
  const sub = (attr: 'cn' | 'sn' | 'alias' | 'changeNumber', initial?: string, any: string[] = [], final?: string) =>
    ({ attr, op: 'sub', initial, any, final }) as const;

  t.test('equality, ignoring case', async (t) => {
    t.same(await find(eq('cn', 'jane smith')), [1]);
    t.same(await find(eq('cn', 'JANE SMITH')), [1]);
    t.same(await find(eq('sn', 'smith')), [1], 'equality is not a prefix');
    t.same(await find(eq('sn', 'nobody')), []);
  });

  t.test('presence: a nullable column only where it has a value', async (t) => {
    t.same(await find({ attr: 'telephone', op: 'present' }), [1, 4]);
    t.same(await find({ attr: 'cn', op: 'present' }), [1, 2, 3, 4]);
  });

  t.test('substrings: initial, any, final, and all three', async (t) => {
    t.same(await find(sub('sn', 'SMI')), [1, 2], 'a prefix');
    t.same(await find(sub('sn', undefined, [], 'son')), [2], 'a suffix');
    t.same(await find(sub('cn', undefined, ['OHN'])), [2], 'anywhere');
    t.same(await find(sub('cn', 'j', [], 'h')), [1], 'initial and final');
    t.same(await find(sub('cn', 'j', ['s', 'th'], 'son')), [2], 'pieces in order');
    t.same(await find(sub('cn', 'j', ['th', 's'], 'h')), [], 'pieces out of order');
    t.same(await find(sub('cn', undefined, [''])), [1, 2, 3, 4], 'nothing to match: the attribute is present');
  });

  t.test("LIKE's characters and quotes are matched as text", async (t) => {
    t.same(await find(sub('cn', undefined, ['%'])), [3], '% is a percent sign, not "anything"');
    t.same(await find(sub('cn', undefined, ['_'])), [3], '_ is an underscore, not "one character"');
    t.same(await find(sub('cn', '100%')), [3]);
    t.same(await find(sub('sn', undefined, ['\\'])), [4], 'a backslash');
    t.same(await find(eq('sn', "o'brien")), [3], 'a quote');
    t.same(await find(sub('sn', "o'")), [3]);
    const { sql: text, params } = new PgDialect().sqlToQuery(compileFilter(eq('sn', "x' or '1'='1"), columns));
    t.notMatch(text, /'1'/, 'the value is not in the statement');
    t.same(params, ["x' or '1'='1"], 'it is a parameter');
    t.same(await find(eq('sn', "x' or '1'='1")), []);
  });

  t.test('AND, OR and NOT, three-valued', async (t) => {
    t.same(await find({ and: [sub('sn', 'smith'), sub('cn', 'jane')] }), [1]);
    t.same(await find({ or: [eq('sn', 'smith'), eq('sn', "o'brien")] }), [1, 3]);
    t.same(await find({ not: sub('sn', 'smith') }), [3, 4]);
    t.same(await find({ and: [] }), [1, 2, 3, 4], 'an empty AND is true');
    t.same(await find({ or: [] }), [], 'an empty OR is false');
    // Without a telephone, (telephone=...) is false (RFC 4511: the entry has no value), so its NOT is true.
    t.same(await find(eq('telephone', '0113 496-0000')), [1], 'spaces and hyphens ignored');
    t.same(await find({ not: eq('telephone', '01134960000') }), [2, 3, 4]);
    // A value that cannot be a telephone number is undefined everywhere, NOT included.
    t.same(await find(eq('telephone', 'call me')), []);
    t.same(await find({ not: eq('telephone', 'call me') }), []);
    t.same(await find({ or: [eq('telephone', 'call me'), eq('sn', 'smith')] }), [1]);
    t.same(await find({ not: { and: [eq('telephone', 'call me'), eq('sn', 'smith')] } }), [2, 3, 4]);
  });

  t.test('numbers and times', async (t) => {
    t.same(await find({ attr: 'changeNumber', op: 'ge', value: '3' }), [3, 4]);
    t.same(await find({ attr: 'changeNumber', op: 'le', value: '1' }), [1]);
    t.same(await find(eq('changeNumber', 'two')), [], 'not a number: undefined');
    t.same(await find({ not: eq('changeNumber', 'two') }), []);
    t.same(await find(sub('changeNumber', '1')), [], 'no substrings of numbers');
    t.same(await find({ attr: 'created', op: 'ge', value: '20260201000000Z' }), [2, 3, 4], 'GeneralizedTime');
    t.same(await find({ attr: 'created', op: 'le', value: '2026-01-31T00:00:00Z' }), [1], 'ISO 8601');
    t.same(await find(eq('created', 'yesterday')), []);
  });

  t.test('through a subquery', async (t) => {
    t.same(await find(eq('alias', 'SURE@nhs.net')), [3]);
    t.same(await find(sub('alias', 'j.smith')), [2]);
    t.same(await find({ not: sub('alias', 'j.smith') }), [1, 3, 4]);
  });

  t.test('an attribute the table lacks matches nothing, and its NOT everything', async (t) => {
    t.same(await find(eq('title', 'Porter')), []);
    t.same(await find({ attr: 'title', op: 'present' }), []);
    t.same(await find({ not: eq('title', 'Porter') }), [1, 2, 3, 4]);
  });

  t.test('constants', async (t) => {
    t.same(await find({ const: true }), [1, 2, 3, 4]);
    t.same(await find({ const: false }), []);
    t.same(await find({ const: 'undefined' }), []);
    t.same(await find({ not: { const: 'undefined' } }), [], 'NOT undefined is undefined');
  });
});

t.test('prefixUpper: the first string after every string with the prefix', async (t) => {
  t.equal(prefixUpper('jan'), 'jao');
  t.equal(prefixUpper('a'), 'b');
  t.equal(prefixUpper('zo\u00eb'), 'zo\u00ec');
  t.equal(prefixUpper(''), null, 'no prefix: no bound');
  t.equal(prefixUpper('a\u{10ffff}'), null, 'the last code point has no successor');
});

// Server-side sort (RFC 2891) and VLV order names as people read them, as Outlook shows them when
// browsing an address book: accents, case and punctuation folded, then a stable tie-break. Driven
// by Debian's ldapsearch; the same on PGlite and PostgreSQL (run with and without DATABASE_URL).
import t, { type Test } from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { ldapFixture, ldapsearch, passwords } from '../helpers/ldap.js';

const asJane = (url: string) => ['-H', url, '-D', 'jane.smith@nhs.net', '-w', passwords.jane];
const book = ['-b', 'ou=RXC,ou=AddressBooks,o=nhs', '-s', 'one', '(objectClass=*)'];
const given = ['Łukasz', 'Müller', 'Murphy', 'Zoe', 'Adam', 'Émile', "O'Brien", 'Oakley'];
const read = ['Adam', 'Émile', 'Łukasz', 'Müller', 'Murphy', 'Oakley', "O'Brien", 'Zoe'];

async function fixture(t: Test) {
  const f = await ldapFixture(t);
  await f.dir.createOrganisation(systemActor, { code: 'RXC', name: 'Gamma Care NHS Trust' });
  for (const g of given) await f.dir.createJoiner(systemActor, { givenName: g, familyName: 'Test', orgCode: 'RXC' });
  return f;
}

const givenOf = (entries: { attrs: Record<string, string[]> }[]) =>
  entries.map((e) => e.attrs.cn[0].replace(/ Test$/, ''));
/** The first VLV window ldapsearch asks for (it asks again and again; it is stopped after one). */
const vlv = (url: string, control: string) =>
  ldapsearch([...asJane(url), '-E', 'sss=cn', '-E', `vlv=${control}`, ...book, 'cn'], { until: /vlvResult/ });

t.test('sort on cn: as people read the names, and reversed', async (t) => {
  const { url } = await fixture(t);
  const sorted = await ldapsearch([...asJane(url), '-E', 'sss=cn', ...book, 'cn']);
  t.equal(sorted.code, 0);
  t.same(givenOf(sorted.entries), read);
  const reverse = await ldapsearch([...asJane(url), '-E', 'sss=-cn', ...book, 'cn']);
  t.same(givenOf(reverse.entries), [...read].reverse());
  const display = await ldapsearch([...asJane(url), '-E', 'sss=displayName', ...book, 'cn']);
  t.same(givenOf(display.entries), read, 'displayName, as Outlook sorts');
  const given = await ldapsearch([...asJane(url), '-E', 'sss=givenName', ...book, 'cn']);
  t.same(givenOf(given.entries), read, 'givenName');
});

t.test('VLV windows in that order, by position and by value', async (t) => {
  const { url } = await fixture(t);
  const window = await vlv(url, '1/2/3/0');
  t.same(givenOf(window.entries), ['Émile', 'Łukasz', 'Müller', 'Murphy'], 'one before the third, two after');
  t.match(window.stdout, /vlvResultpos=3 count=8 context= \(0\) Success/);
  const lu = await vlv(url, '0/1:lu');
  t.same(givenOf(lu.entries), ['Łukasz', 'Müller'], '"lu" jumps to Łukasz');
  t.match(lu.stdout, /vlvResultpos=3 count=8/);
  const mu = await vlv(url, '0/2:Mü');
  t.same(givenOf(mu.entries), ['Müller', 'Murphy', 'Oakley'], 'an accented target folds too');
  const ob = await vlv(url, '0/0:obr');
  t.same(givenOf(ob.entries), ["O'Brien"], 'punctuation is not read');
});

t.test('paged and sorted: pages follow the order, names that read alike each once', async (t) => {
  const { url, dir } = await fixture(t);
  // Three names that read as one ("zoe test"), and one more after them.
  for (const givenName of ['ZOË', 'zoe', 'Zola']) {
    await dir.createJoiner(systemActor, { givenName, familyName: 'Test', orgCode: 'RXC' });
  }
  const all = await ldapsearch([...asJane(url), '-E', 'sss=cn', ...book, 'cn']);
  const order = givenOf(all.entries);
  t.same(order.slice(0, 7), read.slice(0, 7));
  t.same(order.slice(7, 10), ['Zoe', 'ZOË', 'zoe'], 'the three that read alike together, as they were created');
  t.equal(order[10], 'Zola');
  for (const size of [1, 2, 3]) {
    const paged = await ldapsearch([...asJane(url), '-E', `pr=${size}/noprompt`, '-E', 'sss=cn', ...book, 'cn']);
    t.equal(paged.code, 0);
    t.same(givenOf(paged.entries), order, `pages of ${size}: the same order, each once`);
    const back = await ldapsearch([...asJane(url), '-E', `pr=${size}/noprompt`, '-E', 'sss=-cn', ...book, 'cn']);
    t.same(givenOf(back.entries), [...order].reverse(), `pages of ${size}, reversed`);
  }
});

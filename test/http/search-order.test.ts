// REST search reads names as people do: `obrien` finds O'Brien-Smith, `sian` finds Siân, `lukasz`
// finds Łukasz, and matches come in the order people read the names (accents, case and
// punctuation folded). The same on PGlite and PostgreSQL (run with and without DATABASE_URL).
import t, { type Test } from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { testApp } from '../helpers/app.js';
import { testDirectory } from '../helpers/directory.js';
import { passwords, seed } from '../helpers/ldap.js';

type Page = { items: { uid: string; given_name: string; family_name: string }[]; next_cursor: string | null };

async function api(t: Test) {
  const { dir } = await testDirectory(t);
  // Jane Smith, Siân O'Brien-Smith, Mary Evans ... (test/helpers/ldap.ts), and these.
  await seed(dir);
  const more = [
    ['Łukasz', 'Nowak'],
    ['Müller', 'Hans'],
    ['Murphy', 'Brown'],
    ['Émile', 'Zola'],
    ['Zoe', 'Oakley'],
    ['Adam', 'Obi'],
    ['李 Wei', 'Chen'],
    ['Sian', 'Price'],
    ['Luke', 'Adams'],
  ];
  for (const [givenName, familyName] of more) {
    await dir.createJoiner(systemActor, { givenName, familyName, orgCode: 'RXA' });
  }
  const { call, login } = await testApp(t, { directory: dir });
  const token = await login('jane.smith@nhs.net', passwords.jane);
  const search = async (q: string, limit = 50, cursor?: string): Promise<Page> => {
    const url = `/api/v1/people?q=${encodeURIComponent(q)}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await call('GET', url, { token });
    t.equal(res.statusCode, 200, `q=${q}`);
    return res.json();
  };
  /** Every match, page by page. */
  const walk = async (q: string, limit: number) => {
    const names: string[] = [];
    let next: string | undefined;
    do {
      const page = await search(q, limit, next);
      names.push(...page.items.map(name));
      next = page.next_cursor ?? undefined;
    } while (next);
    return names;
  };
  return { search, walk };
}

const name = (p: { given_name: string; family_name: string }) => `${p.given_name} ${p.family_name}`;
const names = (page: Page) => page.items.map(name);

t.test('names match ignoring accents, case and punctuation', async (t) => {
  const { search } = await api(t);
  for (const q of ['obrien', "o'brien", 'OBrien-Sm', 'obrien-smith']) {
    t.same(names(await search(q)), ["Siân O'Brien-Smith"], `q=${q}`);
  }
  for (const q of ['SIAN O', "sian o'b", 'siân o']) t.same(names(await search(q)), ["Siân O'Brien-Smith"], `q=${q}`);
  // By name, not by address (sian.obrien-smith@ starts with "sian" too): both Sians, as they read.
  for (const q of ['sian', 'Siân', 'SIA']) {
    t.same(names(await search(q)), ["Siân O'Brien-Smith", 'Sian Price'], `q=${q}`);
  }
  t.same(names(await search('lukasz')), ['Łukasz Nowak']);
  for (const q of ['luk', 'Łuk']) t.same(names(await search(q)), ['Łukasz Nowak', 'Luke Adams'], `q=${q}: by name`);
  t.same(names(await search('mull')), ['Müller Hans']);
  t.same(names(await search('emile')), ['Émile Zola']);
  t.same(names(await search('mary.jones')), ['Mary Evans'], 'an old address still finds the person');
  t.same(names(await search('sian.obrien')), ["Siân O'Brien-Smith"], 'and a current one');
  t.same(names(await search('李')), ['李 Wei Chen'], 'a name in another script is found as written');
  t.same(names(await search("'")), [], 'punctuation alone finds no one');
});

t.test('matches come as people read the names, page after page', async (t) => {
  const { search, walk } = await api(t);
  const m = ['Mary Evans', 'Müller Hans', 'Murphy Brown'];
  t.same(names(await search('m')), m, 'given names: Müller before Murphy');
  t.same(await walk('m', 1), m, 'pages of one');
  // Given names first (none start with O), then family names: Oakley, Obi, O'Brien-Smith.
  const o = ['Zoe Oakley', 'Adam Obi', "Siân O'Brien-Smith"];
  t.same(names(await search('o')), o, "family names: O'Brien-Smith among the Os");
  t.same(await walk('o', 1), o, 'pages of one');
  t.same(await walk('o', 2), o, 'pages of two');
  const everyone = await walk('', 100);
  t.ok(everyone.includes('Łukasz Nowak'), 'no query: everyone');
});

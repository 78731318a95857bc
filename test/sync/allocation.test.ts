// Addresses allocated for a whole feed at once never collide, even with names built to make them:
// numbers at the end of names ("Ann Lee1" numbered 2 is ann.lee12, the base of "Ann Lee12") and
// names that fold to the same letters (Ánn, ANN, An-n), beside people already in the directory.
import t from 'tap';
import { systemActor as sys } from '../../src/directory/actor.js';
import { baseLocalPart } from '../../src/directory/addresses.js';
import { testDirectory, withTwoOrgs } from '../helpers/directory.js';
import { feedFolder, staffCsv, syncFor } from '../helpers/feeds.js';

t.test('one feed: Ann Lee1 twice and Ann Lee12 once', async (t) => {
  const { dir } = await testDirectory(t);
  await withTwoOrgs(dir);
  const file = feedFolder(t);
  const report = await syncFor(dir).run(
    file(staffCsv('E1,Ann,Lee1,,RXA,,,,,,,,,,', 'E2,Ann,Lee1,,RXA,,,,,,,,,,', 'E3,Ann,Lee12,,RXA,,,,,,,,,,')),
  );
  t.equal(report.status, 'applied');
  t.same(
    report.changes.map((c) => c.mail).sort(),
    ['ann.lee1@nhs.net', 'ann.lee12@nhs.net', 'ann.lee13@nhs.net'].sort(),
  );
});

t.test('thousands of adversarial names in one feed, beside addresses already taken', async (t) => {
  const { dir, database } = await testDirectory(t);
  await withTwoOrgs(dir);
  for (const [g, f] of [
    ['Ann', 'Lee12'],
    ['Ann', 'Lee'],
    ['Ann', 'Lee3'],
    ['Ann', 'Lee1'],
  ])
    await dir.createJoiner(sys, { givenName: g, familyName: f, orgCode: 'RXB' });
  const givens = ['Ann', 'Ánn', 'ANN', 'An-n', 'A.nn', 'Ann1'];
  const families = ['Lee', 'Lee1', 'Lee12', 'Lee2', 'Lee123', 'Lee 1', "L'ee", 'Lée', 'Lee-1', 'Lee11'];
  const rows: string[] = [];
  const bases: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const g = givens[i % givens.length];
    const f = families[Math.floor(i / givens.length) % families.length];
    rows.push(`E${i},"${g}","${f}",,RXA,,,,,,,,,,`);
    bases.push(baseLocalPart(g, f));
  }
  const file = feedFolder(t);
  const report = await syncFor(dir, 1).run(file(staffCsv(...rows)));
  t.equal(report.status, 'applied');
  t.equal(report.counts.joiners, 3000);
  const mails = report.changes.map((c) => c.mail!);
  t.equal(new Set(mails).size, 3000, 'every joiner has an address of their own');
  const [{ n }] = await database.query<{ n: number }>('select count(distinct mail)::int as n from people');
  const [{ m }] = await database.query<{ m: number }>('select count(*)::int as m from people');
  t.equal(n, m, 'no two people share an address');
  const wrong = mails.filter(
    (mail, i) => !new RegExp(`^${bases[i].replace(/[.-]/g, '\\$&')}\\d*@nhs\\.net$`).test(mail),
  );
  t.same(wrong, [], "each address is its person's base with a number at most");
});

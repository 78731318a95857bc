import t from 'tap';
import { allocateMany, foldName, baseLocalPart } from '../../src/directory/addresses.js';
import { systemActor } from '../../src/directory/actor.js';
import { testDirectory, withTwoOrgs } from '../helpers/directory.js';
import { DirectoryError } from '../../src/directory/errors.js';

t.test('names fold to the ASCII the contract gives', async (t) => {
  t.equal(foldName('Siân'), 'sian');
  t.equal(foldName('Łukasz'), 'lukasz');
  t.equal(foldName("O'Brien-Smith"), 'obrien-smith');
  t.equal(foldName('Mary Ann'), 'maryann');
  t.equal(foldName('Zoë'), 'zoe');
  t.equal(foldName('Søren'), 'soren');
  t.equal(foldName('Strauß'), 'strauss');
  t.equal(foldName('  José  '), 'jose');
  t.equal(baseLocalPart('Siân', "O'Brien-Smith"), 'sian.obrien-smith');
});

t.test('a name with nothing left is refused with the field named', async (t) => {
  const err = t.throws(() => baseLocalPart('李', 'Smith')) as DirectoryError;
  t.equal(err.code, 'person.invalid_name');
  t.ok(err.fields?.given_name);
  t.throws(() => baseLocalPart('Jane', "'-'"), { code: 'person.invalid_name' });
});

t.test('many addresses at once take the lowest free numbers, gaps included, never one already held', async (t) => {
  const { dir, database } = await testDirectory(t);
  await withTwoOrgs(dir);
  await dir.createJoiner(systemActor, { givenName: 'Ann', familyName: 'Lee', orgCode: 'RXA' }); // ann.lee
  await dir.createJoiner(systemActor, { givenName: 'Ann', familyName: 'Lee3', orgCode: 'RXA' }); // ann.lee3: a gap at 2
  await dir.createJoiner(systemActor, { givenName: 'Bo', familyName: 'Kay', orgCode: 'RXA' }); // bo.kay
  const got = await database.db.transaction((tx) =>
    allocateMany(tx, ['ann.lee', 'ann.lee', 'ann.lee', 'bo.kay', 'cy.new', 'ann.leeson'], 'nhs.net'),
  );
  t.same(got, [
    'ann.lee2@nhs.net',
    'ann.lee4@nhs.net',
    'ann.lee5@nhs.net',
    'bo.kay2@nhs.net',
    'cy.new@nhs.net',
    'ann.leeson@nhs.net',
  ]);
});

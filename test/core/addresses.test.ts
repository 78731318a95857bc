import t from 'tap';
import { foldName, baseLocalPart } from '../../src/directory/addresses.js';
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

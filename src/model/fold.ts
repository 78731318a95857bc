// Names as people read them: the key that sorting (LDAP sort and VLV, REST lists) and REST name
// search compare. SQL has the same function, nhs_fold(text), made in migrations/0009_fold.sql and
// used in the people indexes; this is its twin for the values a query compares against (a search
// prefix, a VLV target, a paging key). The two must agree character for character:
// the fold test runs both over names and over every Latin letter against the database.
//
// Neither depends on the database's locale (PGlite has C, a server may have en_US or tr_TR):
// - only ASCII A-Z is lower-cased by rule (SQL: lower(... collate "C"));
// - accents come off by compatibility decomposition (NFKD: é → e + ◌́, ǅ → DŽ, ﬁ → fi), the marks
//   then fall to the last step, and the letters NFKD leaves whole (Ł, Ø, ß, Æ ...) are mapped here;
// - everything but a-z, 0-9 and space is removed (punctuation, marks, other scripts).
// Names made only of ASCII skip the decomposition, in both: most names are, and NFKD is the cost.

/** Letters that decomposition leaves whole, one letter each (SQL: translate). */
export const FOLD_FROM = 'łŁøØđĐðÐħĦıŧŦŋŊĸ';
export const FOLD_TO = 'llooddddhhittnnk';
/** Letters that read as two (SQL: replace). */
export const FOLD_PAIRS: readonly (readonly [string, string])[] = [
  ['ß', 'ss'],
  ['ẞ', 'ss'],
  ['æ', 'ae'],
  ['Æ', 'ae'],
  ['œ', 'oe'],
  ['Œ', 'oe'],
  ['þ', 'th'],
  ['Þ', 'th'],
];

const folds = new Map<string, string>([...FOLD_PAIRS, ...[...FOLD_FROM].map((c, i) => [c, FOLD_TO[i]] as const)]);

/** Łukasz → lukasz, Siân → sian, O'Brien-Smith → obriensmith, Mary Ann → mary ann. */
export function searchFold(value: string): string {
  // eslint-disable-next-line no-control-regex -- ASCII is \x00-\x7f
  const ascii = !/[^\x00-\x7f]/.test(value);
  let s = (ascii ? value : value.normalize('NFKD')).replace(/[A-Z]+/g, (c) => c.toLowerCase());
  // eslint-disable-next-line no-control-regex -- every character outside ASCII
  if (!ascii) s = s.replace(/[^\x00-\x7f]/g, (c) => folds.get(c) ?? c);
  return s.replace(/[^a-z0-9 ]/g, '');
}

-- nhs_fold(text): a name as people read it, the key of name sorting (LDAP sort and VLV, REST lists)
-- and of REST name search. Its twin in JavaScript is searchFold (src/directory/fold.ts); a test runs
-- both over every Latin letter. It does not depend on the database's locale, so PGlite and any
-- server order alike: ASCII A-Z lower-cased by rule (COLLATE "C"), accents removed by compatibility
-- decomposition (NFKD), the letters NFKD leaves whole mapped (ł → l, ß → ss, æ → ae ...), then
-- everything but a-z, 0-9 and space removed. All-ASCII names skip NFKD, the costly part.
-- Not STRICT, so that PostgreSQL inlines it (indexes and queries then agree on the same expression).
CREATE OR REPLACE FUNCTION nhs_fold(value text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN regexp_replace(
    CASE WHEN octet_length(value) = char_length(value) THEN lower(value COLLATE "C")
    ELSE translate(
      replace(replace(replace(replace(replace(replace(replace(replace(
        lower(normalize(value, NFKD) COLLATE "C"),
        'ß', 'ss'), 'ẞ', 'ss'), 'æ', 'ae'), 'Æ', 'ae'), 'œ', 'oe'), 'Œ', 'oe'), 'þ', 'th'), 'Þ', 'th'),
      'łŁøØđĐðÐħĦıŧŦŋŊĸ', 'llooddddhhittnnk')
    END,
    '[^a-z0-9 ]', '', 'g');

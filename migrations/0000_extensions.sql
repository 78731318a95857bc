-- Trigram indexes serve substring searches (LDAP `(cn=*smi*)`); drizzle-kit does not emit CREATE EXTENSION.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Trigram indexes take each write's entries at once, not through GIN's pending list (see schema.ts).
-- Altered rather than rebuilt: at national size a rebuild takes minutes. What is pending now moves in.
ALTER INDEX "people_cn_trgm" SET (fastupdate = false);--> statement-breakpoint
ALTER INDEX "people_sn_trgm" SET (fastupdate = false);--> statement-breakpoint
ALTER INDEX "people_given_trgm" SET (fastupdate = false);--> statement-breakpoint
ALTER INDEX "people_mail_trgm" SET (fastupdate = false);--> statement-breakpoint
ALTER INDEX "addresses_alias_trgm" SET (fastupdate = false);--> statement-breakpoint
SELECT gin_clean_pending_list(i) FROM unnest(array['people_cn_trgm', 'people_sn_trgm', 'people_given_trgm',
  'people_mail_trgm', 'addresses_alias_trgm']::regclass[]) AS i;

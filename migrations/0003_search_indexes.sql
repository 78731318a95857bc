DROP INDEX "people_mail_trgm";--> statement-breakpoint
CREATE INDEX "addresses_trgm" ON "addresses" USING gin ("address" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "people_title_prefix" ON "people" USING btree (lower("title") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "people_department_prefix" ON "people" USING btree (lower("department") text_pattern_ops);
DROP INDEX "people_cn_prefix";--> statement-breakpoint
DROP INDEX "people_sn_prefix";--> statement-breakpoint
DROP INDEX "people_given_prefix";--> statement-breakpoint
DROP INDEX "people_mail_prefix";--> statement-breakpoint
CREATE INDEX "people_cn_prefix" ON "people" USING btree (lower("cn") text_pattern_ops,"id","cn","status","deleted_at","kind","org_code","listed");--> statement-breakpoint
CREATE INDEX "people_sn_prefix" ON "people" USING btree (lower("family_name") text_pattern_ops,"id","family_name","status","deleted_at","kind","org_code","listed");--> statement-breakpoint
CREATE INDEX "people_given_prefix" ON "people" USING btree (lower("given_name") text_pattern_ops,"id","given_name","status","deleted_at","kind","org_code","listed");--> statement-breakpoint
CREATE INDEX "people_mail_prefix" ON "people" USING btree (lower("mail") text_pattern_ops,"id","mail","status","deleted_at","kind","org_code","listed");
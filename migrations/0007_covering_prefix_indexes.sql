DROP INDEX "people_cn_prefix";--> statement-breakpoint
DROP INDEX "people_sn_prefix";--> statement-breakpoint
DROP INDEX "people_given_prefix";--> statement-breakpoint
DROP INDEX "people_mail_prefix";--> statement-breakpoint
CREATE INDEX "people_cn_prefix" ON "people" USING btree (lower("cn") text_pattern_ops,"cn","id","status","deleted_at","kind","org_code","listed");--> statement-breakpoint
CREATE INDEX "people_sn_prefix" ON "people" USING btree (lower("family_name") text_pattern_ops,"family_name","id","status","deleted_at","kind","org_code","listed");--> statement-breakpoint
CREATE INDEX "people_given_prefix" ON "people" USING btree (lower("given_name") text_pattern_ops,"given_name","id","status","deleted_at","kind","org_code","listed");--> statement-breakpoint
CREATE INDEX "people_mail_prefix" ON "people" USING btree (lower("mail") text_pattern_ops,"mail","id","status","deleted_at","kind","org_code","listed");
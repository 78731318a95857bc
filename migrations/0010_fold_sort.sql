DROP INDEX "people_cn_sort";--> statement-breakpoint
DROP INDEX "people_display_sort";--> statement-breakpoint
CREATE INDEX "people_cn_fold" ON "people" USING btree (nhs_fold("cn") text_pattern_ops,"id","cn","status","deleted_at","kind","org_code","listed");--> statement-breakpoint
CREATE INDEX "people_sn_fold" ON "people" USING btree (nhs_fold("family_name") text_pattern_ops,"id","family_name","status","deleted_at","kind","org_code","listed");--> statement-breakpoint
CREATE INDEX "people_display_fold" ON "people" USING btree (nhs_fold("display_name") text_pattern_ops,"id","display_name","status","deleted_at","kind","org_code","listed");--> statement-breakpoint
CREATE INDEX "people_given_fold" ON "people" USING btree (nhs_fold(coalesce("given_name", '')) text_pattern_ops,"id","status","deleted_at","kind","org_code","listed");
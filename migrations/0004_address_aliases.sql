DROP INDEX "addresses_trgm";--> statement-breakpoint
ALTER TABLE "addresses" ADD COLUMN "current" boolean DEFAULT true NOT NULL;--> statement-breakpoint
UPDATE "addresses" a SET "current" = false FROM "people" p WHERE p."id" = a."person_id" AND p."mail" <> a."address";--> statement-breakpoint
CREATE INDEX "addresses_alias_prefix" ON "addresses" USING btree ("address" text_pattern_ops) WHERE not "addresses"."current";--> statement-breakpoint
CREATE INDEX "addresses_alias_trgm" ON "addresses" USING gin ("address" gin_trgm_ops) WHERE not "addresses"."current";--> statement-breakpoint
CREATE INDEX "addresses_alias_person" ON "addresses" USING btree ("person_id") WHERE not "addresses"."current";--> statement-breakpoint
CREATE INDEX "people_mail_trgm" ON "people" USING gin (lower("mail") gin_trgm_ops);
CREATE TABLE "addresses" (
	"address" text PRIMARY KEY NOT NULL,
	"person_id" bigint NOT NULL,
	"allocated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"cause" text
);
--> statement-breakpoint
CREATE TABLE "employments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"person_id" bigint NOT NULL,
	"org_code" text NOT NULL,
	"hr_key" text,
	"source" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "mailbox_delegates" (
	"mailbox_id" bigint NOT NULL,
	"person_id" bigint NOT NULL,
	"permission" text NOT NULL,
	CONSTRAINT "mailbox_delegates_mailbox_id_person_id_pk" PRIMARY KEY("mailbox_id","person_id")
);
--> statement-breakpoint
CREATE TABLE "organisation_names" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_code" text NOT NULL,
	"name" text NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"parent_code" text,
	"successor_code" text,
	"entry_uuid" uuid DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "organisations_code_form" CHECK ("organisations"."code" ~ '^[A-Z0-9]{1,9}$')
);
--> statement-breakpoint
CREATE TABLE "people" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text DEFAULT 'person' NOT NULL,
	"uid" text NOT NULL,
	"entry_uuid" uuid DEFAULT gen_random_uuid() NOT NULL,
	"mail" text NOT NULL,
	"given_name" text,
	"family_name" text NOT NULL,
	"cn" text NOT NULL,
	"display_name" text NOT NULL,
	"org_code" text,
	"title" text,
	"department" text,
	"site" text,
	"telephone" text,
	"mobile" text,
	"telephone_digits" text GENERATED ALWAYS AS (regexp_replace(telephone, '[[:space:]-]', '', 'g')) STORED,
	"mobile_digits" text GENERATED ALWAYS AS (regexp_replace(mobile, '[[:space:]-]', '', 'g')) STORED,
	"status" text DEFAULT 'active' NOT NULL,
	"quota_mb" integer DEFAULT 200 NOT NULL,
	"owner_id" bigint,
	"listed" boolean DEFAULT true NOT NULL,
	"password_hash" text,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"ni_hmac" text,
	"dob_hmac" text,
	"left_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "people_quota_tier" CHECK ("people"."quota_mb" in (50, 200, 500, 1024)),
	CONSTRAINT "people_mailbox_owner" CHECK ("people"."kind" = 'person' or "people"."owner_id" is not null)
);
--> statement-breakpoint
CREATE TABLE "role_grants" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"person_id" bigint,
	"service_name" text,
	"role" text NOT NULL,
	"org_code" text,
	CONSTRAINT "role_grants_holder" CHECK (("role_grants"."person_id" is null) <> ("role_grants"."service_name" is null)),
	CONSTRAINT "role_grants_org" CHECK (("role_grants"."role" in ('local_admin', 'connector')) = ("role_grants"."org_code" is not null))
);
--> statement-breakpoint
CREATE TABLE "secure_domains" (
	"domain" text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "services" (
	"name" text PRIMARY KEY NOT NULL,
	"description" text,
	"password_hash" text,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"entry_uuid" uuid DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "services_name_form" CHECK ("services"."name" ~ '^[a-z][a-z0-9-]{0,63}$')
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "addresses" ADD CONSTRAINT "addresses_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employments" ADD CONSTRAINT "employments_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employments" ADD CONSTRAINT "employments_org_code_organisations_code_fk" FOREIGN KEY ("org_code") REFERENCES "public"."organisations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailbox_delegates" ADD CONSTRAINT "mailbox_delegates_mailbox_id_people_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailbox_delegates" ADD CONSTRAINT "mailbox_delegates_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisation_names" ADD CONSTRAINT "organisation_names_org_code_organisations_code_fk" FOREIGN KEY ("org_code") REFERENCES "public"."organisations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "people" ADD CONSTRAINT "people_org_code_organisations_code_fk" FOREIGN KEY ("org_code") REFERENCES "public"."organisations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "role_grants" ADD CONSTRAINT "role_grants_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "role_grants" ADD CONSTRAINT "role_grants_service_name_services_name_fk" FOREIGN KEY ("service_name") REFERENCES "public"."services"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "role_grants" ADD CONSTRAINT "role_grants_org_code_organisations_code_fk" FOREIGN KEY ("org_code") REFERENCES "public"."organisations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "addresses_person" ON "addresses" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "addresses_prefix" ON "addresses" USING btree ("address" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "audit_target" ON "audit" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE INDEX "audit_actor" ON "audit" USING btree ("actor");--> statement-breakpoint
CREATE INDEX "employments_person" ON "employments" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "employments_hr_key" ON "employments" USING btree ("org_code","hr_key");--> statement-breakpoint
CREATE INDEX "organisation_names_org" ON "organisation_names" USING btree ("org_code");--> statement-breakpoint
CREATE INDEX "organisations_name_lower" ON "organisations" USING btree (lower("name") text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "people_uid" ON "people" USING btree ("uid");--> statement-breakpoint
CREATE UNIQUE INDEX "people_mail" ON "people" USING btree ("mail");--> statement-breakpoint
CREATE INDEX "people_org" ON "people" USING btree ("org_code","status");--> statement-breakpoint
CREATE INDEX "people_cn_prefix" ON "people" USING btree (lower("cn") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "people_sn_prefix" ON "people" USING btree (lower("family_name") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "people_given_prefix" ON "people" USING btree (lower("given_name") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "people_mail_prefix" ON "people" USING btree (lower("mail") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "people_display_prefix" ON "people" USING btree (lower("display_name") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "people_telephone" ON "people" USING btree ("telephone_digits");--> statement-breakpoint
CREATE INDEX "people_mobile" ON "people" USING btree ("mobile_digits");--> statement-breakpoint
CREATE INDEX "people_cn_trgm" ON "people" USING gin (lower("cn") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "people_sn_trgm" ON "people" USING gin (lower("family_name") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "people_given_trgm" ON "people" USING gin (lower("given_name") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "people_mail_trgm" ON "people" USING gin (lower("mail") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "people_rehire" ON "people" USING btree ("ni_hmac","dob_hmac");--> statement-breakpoint
CREATE INDEX "people_cn_sort" ON "people" USING btree (lower("cn"),"id");--> statement-breakpoint
CREATE INDEX "people_display_sort" ON "people" USING btree (lower("display_name"),"id");--> statement-breakpoint
CREATE INDEX "role_grants_person" ON "role_grants" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "role_grants_service" ON "role_grants" USING btree ("service_name");
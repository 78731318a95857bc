CREATE TABLE "move_requests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"person_id" bigint NOT NULL,
	"from_org" text NOT NULL,
	"to_org" text NOT NULL,
	"fields" jsonb NOT NULL,
	"hr_key" text,
	"source" text NOT NULL,
	"requested_by" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"resolved_by" text,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "password_changed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "move_requests" ADD CONSTRAINT "move_requests_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "move_requests" ADD CONSTRAINT "move_requests_from_org_organisations_code_fk" FOREIGN KEY ("from_org") REFERENCES "public"."organisations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "move_requests" ADD CONSTRAINT "move_requests_to_org_organisations_code_fk" FOREIGN KEY ("to_org") REFERENCES "public"."organisations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "move_requests_open" ON "move_requests" USING btree ("person_id") WHERE "move_requests"."status" = 'open';--> statement-breakpoint
CREATE INDEX "move_requests_org" ON "move_requests" USING btree ("from_org","to_org");
CREATE TABLE "review_queue" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" bigint NOT NULL,
	"org_code" text NOT NULL,
	"hr_key" text NOT NULL,
	"record" jsonb NOT NULL,
	"candidate_id" bigint NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"resolved_by" text,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"connector" text NOT NULL,
	"org_code" text,
	"status" text NOT NULL,
	"actor" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL,
	"report" jsonb NOT NULL,
	"held" jsonb
);
--> statement-breakpoint
ALTER TABLE "review_queue" ADD CONSTRAINT "review_queue_org_code_organisations_code_fk" FOREIGN KEY ("org_code") REFERENCES "public"."organisations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_queue" ADD CONSTRAINT "review_queue_candidate_id_people_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "review_queue_open" ON "review_queue" USING btree ("org_code","hr_key") WHERE "review_queue"."status" = 'open';--> statement-breakpoint
CREATE INDEX "sync_runs_org" ON "sync_runs" USING btree ("org_code","id");
CREATE TABLE "announced" (
	"one" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"n" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "announced_one_row" CHECK ("announced"."one")
);
--> statement-breakpoint
INSERT INTO "announced" ("one", "n") VALUES (true, 0);--> statement-breakpoint
-- nhs_announce(channel, tags): the next notice's number, and the notice "tags #number" sent on
-- the channel at commit. The update holds the row until commit, so that numbers follow commit
-- order; a function, so that a statement can announce from a subquery (no nested data-modifying
-- WITH).
CREATE OR REPLACE FUNCTION nhs_announce(channel text, tags text) RETURNS bigint
  LANGUAGE sql VOLATILE
  AS $$
    WITH said AS (UPDATE announced SET n = n + 1 RETURNING n)
    SELECT said.n FROM said, pg_notify(channel, tags || ' #' || said.n)
  $$;

-- Telephone numbers in byte order, so that a prefix (iOS asks telephoneNumber=0113*) is a range of the index.
DROP INDEX "people_telephone";--> statement-breakpoint
DROP INDEX "people_mobile";--> statement-breakpoint
CREATE INDEX "people_telephone" ON "people" USING btree ("telephone_digits" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "people_mobile" ON "people" USING btree ("mobile_digits" text_pattern_ops);
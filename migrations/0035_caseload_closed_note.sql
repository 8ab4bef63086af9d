ALTER TABLE "caseload_entries" ADD COLUMN "closed_note" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "caseload_entries" ADD COLUMN "closed_by" uuid;--> statement-breakpoint
ALTER TABLE "caseload_entries" ADD CONSTRAINT "caseload_entries_closed_by_people_id_fk" FOREIGN KEY ("closed_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;
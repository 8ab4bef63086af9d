CREATE TABLE "timesheet_reminders" (
	"community_id" uuid NOT NULL,
	"supporter_record_id" uuid NOT NULL,
	"week_starting" date NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "timesheet_reminders_supporter_record_id_week_starting_pk" PRIMARY KEY("supporter_record_id","week_starting")
);
--> statement-breakpoint
ALTER TABLE "peer_meetings" ADD COLUMN "reminder_sent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "timesheet_reminders" ADD CONSTRAINT "timesheet_reminders_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timesheet_reminders" ADD CONSTRAINT "timesheet_reminders_supporter_record_id_person_records_id_fk" FOREIGN KEY ("supporter_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE timesheet_reminders ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timesheet_reminders FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timesheet_reminders_tenant ON timesheet_reminders TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timesheet_reminders_platform ON timesheet_reminders TO CURRENT_USER USING (true) WITH CHECK (true);

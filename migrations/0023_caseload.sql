CREATE TABLE "caseload_contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"occurred_on" date NOT NULL,
	"note" text NOT NULL,
	"recorded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "caseload_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"programme_id" uuid NOT NULL,
	"person_record_id" uuid NOT NULL,
	"referral_id" uuid,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "hub_actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"meeting_id" uuid,
	"description" text NOT NULL,
	"owner_record_id" uuid NOT NULL,
	"due_on" date NOT NULL,
	"done_at" timestamp with time zone,
	"done_by" uuid,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hub_team_members" (
	"community_id" uuid NOT NULL,
	"programme_id" uuid NOT NULL,
	"person_record_id" uuid NOT NULL,
	"team_role" text NOT NULL,
	CONSTRAINT "hub_team_members_programme_id_person_record_id_pk" PRIMARY KEY("programme_id","person_record_id")
);
--> statement-breakpoint
CREATE TABLE "hub_teams" (
	"programme_id" uuid PRIMARY KEY NOT NULL,
	"community_id" uuid NOT NULL,
	"review_days" smallint[] DEFAULT array[1, 3, 5]::smallint[] NOT NULL,
	"quiet_days" smallint DEFAULT 14 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "key_contacts" (
	"community_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"person_record_id" uuid NOT NULL,
	CONSTRAINT "key_contacts_entry_id_person_record_id_pk" PRIMARY KEY("entry_id","person_record_id")
);
--> statement-breakpoint
CREATE TABLE "review_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"meeting_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"reasons" text[] DEFAULT array[]::text[] NOT NULL,
	"discussion" text DEFAULT '' NOT NULL,
	"decisions" text DEFAULT '' NOT NULL,
	"recorded_by" uuid,
	"recorded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "review_meetings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"programme_id" uuid NOT NULL,
	"held_on" date NOT NULL,
	"chair_id" uuid,
	"minutes" text DEFAULT '' NOT NULL,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "risk_flags" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"detail" text NOT NULL,
	"agreed_approach" text NOT NULL,
	"raised_by" uuid,
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	"review_on" date NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by" uuid,
	CONSTRAINT "risk_flags_text" CHECK (length("risk_flags"."detail") > 0 and length("risk_flags"."agreed_approach") > 0)
);
--> statement-breakpoint
ALTER TABLE "caseload_contacts" ADD CONSTRAINT "caseload_contacts_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "caseload_contacts" ADD CONSTRAINT "caseload_contacts_entry_id_caseload_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."caseload_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "caseload_contacts" ADD CONSTRAINT "caseload_contacts_recorded_by_people_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "caseload_entries" ADD CONSTRAINT "caseload_entries_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "caseload_entries" ADD CONSTRAINT "caseload_entries_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "caseload_entries" ADD CONSTRAINT "caseload_entries_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub_actions" ADD CONSTRAINT "hub_actions_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub_actions" ADD CONSTRAINT "hub_actions_entry_id_caseload_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."caseload_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub_actions" ADD CONSTRAINT "hub_actions_meeting_id_review_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."review_meetings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub_actions" ADD CONSTRAINT "hub_actions_owner_record_id_person_records_id_fk" FOREIGN KEY ("owner_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub_actions" ADD CONSTRAINT "hub_actions_done_by_people_id_fk" FOREIGN KEY ("done_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub_actions" ADD CONSTRAINT "hub_actions_created_by_people_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub_team_members" ADD CONSTRAINT "hub_team_members_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub_team_members" ADD CONSTRAINT "hub_team_members_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub_team_members" ADD CONSTRAINT "hub_team_members_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub_teams" ADD CONSTRAINT "hub_teams_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub_teams" ADD CONSTRAINT "hub_teams_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_contacts" ADD CONSTRAINT "key_contacts_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_contacts" ADD CONSTRAINT "key_contacts_entry_id_caseload_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."caseload_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_contacts" ADD CONSTRAINT "key_contacts_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_meeting_id_review_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."review_meetings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_entry_id_caseload_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."caseload_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_recorded_by_people_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_meetings" ADD CONSTRAINT "review_meetings_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_meetings" ADD CONSTRAINT "review_meetings_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_meetings" ADD CONSTRAINT "review_meetings_chair_id_people_id_fk" FOREIGN KEY ("chair_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risk_flags" ADD CONSTRAINT "risk_flags_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risk_flags" ADD CONSTRAINT "risk_flags_entry_id_caseload_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."caseload_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risk_flags" ADD CONSTRAINT "risk_flags_raised_by_people_id_fk" FOREIGN KEY ("raised_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risk_flags" ADD CONSTRAINT "risk_flags_closed_by_people_id_fk" FOREIGN KEY ("closed_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "caseload_contacts_entry" ON "caseload_contacts" USING btree ("entry_id","occurred_on");--> statement-breakpoint
CREATE UNIQUE INDEX "caseload_entries_open" ON "caseload_entries" USING btree ("programme_id","person_record_id") WHERE "caseload_entries"."closed_at" is null;--> statement-breakpoint
CREATE INDEX "caseload_entries_programme" ON "caseload_entries" USING btree ("programme_id","joined_at") WHERE "caseload_entries"."closed_at" is null;--> statement-breakpoint
CREATE INDEX "caseload_entries_person" ON "caseload_entries" USING btree ("person_record_id");--> statement-breakpoint
CREATE INDEX "hub_actions_owner" ON "hub_actions" USING btree ("owner_record_id","due_on") WHERE "hub_actions"."done_at" is null;--> statement-breakpoint
CREATE INDEX "hub_actions_entry" ON "hub_actions" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "hub_actions_open_due" ON "hub_actions" USING btree ("community_id","due_on") WHERE "hub_actions"."done_at" is null;--> statement-breakpoint
CREATE INDEX "hub_team_members_person" ON "hub_team_members" USING btree ("person_record_id");--> statement-breakpoint
CREATE INDEX "key_contacts_person" ON "key_contacts" USING btree ("person_record_id");--> statement-breakpoint
CREATE UNIQUE INDEX "review_items_meeting_entry" ON "review_items" USING btree ("meeting_id","entry_id");--> statement-breakpoint
CREATE INDEX "review_items_entry" ON "review_items" USING btree ("entry_id");--> statement-breakpoint
CREATE UNIQUE INDEX "review_meetings_day" ON "review_meetings" USING btree ("programme_id","held_on");--> statement-breakpoint
CREATE INDEX "risk_flags_open" ON "risk_flags" USING btree ("entry_id") WHERE "risk_flags"."closed_at" is null;
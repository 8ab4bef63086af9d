CREATE TABLE "episode_contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"episode_id" uuid NOT NULL,
	"occurred_on" date NOT NULL,
	"minutes" integer NOT NULL,
	"mode" text NOT NULL,
	"what_was_done" text NOT NULL,
	"progress" text DEFAULT '' NOT NULL,
	"recorded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "episode_contacts_minutes" CHECK ("episode_contacts"."minutes" between 1 and 720)
);
--> statement-breakpoint
CREATE TABLE "episode_goals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"episode_id" uuid NOT NULL,
	"text" text NOT NULL,
	"by_person" boolean DEFAULT false NOT NULL,
	"added_by" uuid,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "peer_support_settings" (
	"programme_id" uuid PRIMARY KEY NOT NULL,
	"community_id" uuid NOT NULL,
	"planned_weeks" smallint DEFAULT 12 NOT NULL,
	"minutes_per_week" smallint DEFAULT 120 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "support_episodes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"programme_id" uuid NOT NULL,
	"person_record_id" uuid NOT NULL,
	"supporter_record_id" uuid NOT NULL,
	"referral_id" uuid,
	"starts_on" date NOT NULL,
	"planned_weeks" smallint NOT NULL,
	"minutes_per_week" smallint NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"ended_on" date,
	"review_held_on" date,
	"what_changed" text DEFAULT '' NOT NULL,
	"where_next" text[] DEFAULT array[]::text[] NOT NULL,
	"where_next_note" text DEFAULT '' NOT NULL,
	"summary_outcome" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "support_episodes_weeks" CHECK ("support_episodes"."planned_weeks" between 1 and 104),
	CONSTRAINT "support_episodes_minutes" CHECK ("support_episodes"."minutes_per_week" between 15 and 2400)
);
--> statement-breakpoint
CREATE TABLE "timesheets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"supporter_record_id" uuid NOT NULL,
	"week_starting" date NOT NULL,
	"status" text DEFAULT 'submitted' NOT NULL,
	"total_minutes" integer NOT NULL,
	"over_budget" boolean NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" uuid,
	"decision_note" text DEFAULT '' NOT NULL,
	CONSTRAINT "timesheets_monday" CHECK (extract(isodow from "timesheets"."week_starting") = 1)
);
--> statement-breakpoint
ALTER TABLE "episode_contacts" ADD CONSTRAINT "episode_contacts_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episode_contacts" ADD CONSTRAINT "episode_contacts_episode_id_support_episodes_id_fk" FOREIGN KEY ("episode_id") REFERENCES "public"."support_episodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episode_contacts" ADD CONSTRAINT "episode_contacts_recorded_by_people_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episode_goals" ADD CONSTRAINT "episode_goals_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episode_goals" ADD CONSTRAINT "episode_goals_episode_id_support_episodes_id_fk" FOREIGN KEY ("episode_id") REFERENCES "public"."support_episodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episode_goals" ADD CONSTRAINT "episode_goals_added_by_people_id_fk" FOREIGN KEY ("added_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_support_settings" ADD CONSTRAINT "peer_support_settings_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_support_settings" ADD CONSTRAINT "peer_support_settings_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_episodes" ADD CONSTRAINT "support_episodes_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_episodes" ADD CONSTRAINT "support_episodes_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_episodes" ADD CONSTRAINT "support_episodes_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_episodes" ADD CONSTRAINT "support_episodes_supporter_record_id_person_records_id_fk" FOREIGN KEY ("supporter_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_episodes" ADD CONSTRAINT "support_episodes_created_by_people_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timesheets" ADD CONSTRAINT "timesheets_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timesheets" ADD CONSTRAINT "timesheets_supporter_record_id_person_records_id_fk" FOREIGN KEY ("supporter_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timesheets" ADD CONSTRAINT "timesheets_decided_by_people_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "episode_contacts_episode" ON "episode_contacts" USING btree ("episode_id","occurred_on");--> statement-breakpoint
CREATE INDEX "episode_goals_episode" ON "episode_goals" USING btree ("episode_id");--> statement-breakpoint
CREATE INDEX "support_episodes_supporter" ON "support_episodes" USING btree ("supporter_record_id","status");--> statement-breakpoint
CREATE INDEX "support_episodes_person" ON "support_episodes" USING btree ("person_record_id");--> statement-breakpoint
CREATE INDEX "support_episodes_community" ON "support_episodes" USING btree ("community_id","status","starts_on");--> statement-breakpoint
CREATE UNIQUE INDEX "support_episodes_one_active" ON "support_episodes" USING btree ("programme_id","person_record_id") WHERE "support_episodes"."status" = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "timesheets_supporter_week" ON "timesheets" USING btree ("supporter_record_id","week_starting");--> statement-breakpoint
CREATE INDEX "timesheets_community_status" ON "timesheets" USING btree ("community_id","status","week_starting");
CREATE TABLE "calendar_feeds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"token" text NOT NULL,
	"person_record_id" uuid,
	"group_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "calendar_feeds_one" CHECK (("calendar_feeds"."person_record_id" is null) <> ("calendar_feeds"."group_id" is null))
);
--> statement-breakpoint
CREATE TABLE "crisis_plan_readers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"plan_person_record_id" uuid NOT NULL,
	"reader_person_record_id" uuid,
	"group_id" uuid,
	CONSTRAINT "crisis_plan_readers_one" CHECK (("crisis_plan_readers"."reader_person_record_id" is null) <> ("crisis_plan_readers"."group_id" is null))
);
--> statement-breakpoint
CREATE TABLE "crisis_plans" (
	"person_record_id" uuid PRIMARY KEY NOT NULL,
	"community_id" uuid NOT NULL,
	"warning_signs" text DEFAULT '' NOT NULL,
	"what_helps" text DEFAULT '' NOT NULL,
	"what_does_not_help" text DEFAULT '' NOT NULL,
	"who_to_contact" text DEFAULT '' NOT NULL,
	"written_with" text DEFAULT '' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "peer_attendance" (
	"community_id" uuid NOT NULL,
	"meeting_id" uuid NOT NULL,
	"person_record_id" uuid NOT NULL,
	"drop_in" boolean DEFAULT false NOT NULL,
	"recorded_by" uuid,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "peer_attendance_meeting_id_person_record_id_pk" PRIMARY KEY("meeting_id","person_record_id")
);
--> statement-breakpoint
CREATE TABLE "peer_ground_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"programme_id" uuid NOT NULL,
	"version" integer,
	"body" text NOT NULL,
	"change_note" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'proposed' NOT NULL,
	"proposed_by" uuid,
	"proposed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"adopted_by" uuid,
	"adopted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "peer_ground_rules_agreements" (
	"community_id" uuid NOT NULL,
	"rules_id" uuid NOT NULL,
	"person_record_id" uuid NOT NULL,
	"agreed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "peer_ground_rules_agreements_rules_id_person_record_id_pk" PRIMARY KEY("rules_id","person_record_id")
);
--> statement-breakpoint
CREATE TABLE "peer_group_facilitators" (
	"community_id" uuid NOT NULL,
	"group_id" uuid NOT NULL,
	"person_record_id" uuid NOT NULL,
	CONSTRAINT "peer_group_facilitators_group_id_person_record_id_pk" PRIMARY KEY("group_id","person_record_id")
);
--> statement-breakpoint
CREATE TABLE "peer_groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"programme_id" uuid NOT NULL,
	"name" text NOT NULL,
	"weekday" smallint NOT NULL,
	"starts_at" time NOT NULL,
	"duration_minutes" smallint DEFAULT 90 NOT NULL,
	"venue" text NOT NULL,
	"access_details" text DEFAULT '' NOT NULL,
	"online_link" text DEFAULT '' NOT NULL,
	"capacity" smallint,
	"ended_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "peer_groups_weekday" CHECK ("peer_groups"."weekday" between 1 and 7),
	CONSTRAINT "peer_groups_duration" CHECK ("peer_groups"."duration_minutes" between 15 and 480),
	CONSTRAINT "peer_groups_capacity" CHECK ("peer_groups"."capacity" is null or "peer_groups"."capacity" between 1 and 500)
);
--> statement-breakpoint
CREATE TABLE "peer_meeting_replies" (
	"community_id" uuid NOT NULL,
	"meeting_id" uuid NOT NULL,
	"person_record_id" uuid NOT NULL,
	"coming" boolean NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "peer_meeting_replies_meeting_id_person_record_id_pk" PRIMARY KEY("meeting_id","person_record_id")
);
--> statement-breakpoint
CREATE TABLE "peer_meetings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"group_id" uuid NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"duration_minutes" smallint NOT NULL,
	"cancelled_at" timestamp with time zone,
	"cancelled_reason" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "peer_membership_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"member_id" uuid NOT NULL,
	"change" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"recorded_by" uuid
);
--> statement-breakpoint
CREATE TABLE "peer_network_members" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"programme_id" uuid NOT NULL,
	"person_record_id" uuid NOT NULL,
	"came_by" text NOT NULL,
	"referral_id" uuid,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "peer_networks" (
	"programme_id" uuid PRIMARY KEY NOT NULL,
	"community_id" uuid NOT NULL,
	"self_join" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "peer_usual_groups" (
	"community_id" uuid NOT NULL,
	"group_id" uuid NOT NULL,
	"person_record_id" uuid NOT NULL,
	CONSTRAINT "peer_usual_groups_group_id_person_record_id_pk" PRIMARY KEY("group_id","person_record_id")
);
--> statement-breakpoint
ALTER TABLE "calendar_feeds" ADD CONSTRAINT "calendar_feeds_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calendar_feeds" ADD CONSTRAINT "calendar_feeds_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calendar_feeds" ADD CONSTRAINT "calendar_feeds_group_id_peer_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."peer_groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crisis_plan_readers" ADD CONSTRAINT "crisis_plan_readers_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crisis_plan_readers" ADD CONSTRAINT "crisis_plan_readers_plan_person_record_id_crisis_plans_person_record_id_fk" FOREIGN KEY ("plan_person_record_id") REFERENCES "public"."crisis_plans"("person_record_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crisis_plan_readers" ADD CONSTRAINT "crisis_plan_readers_reader_person_record_id_person_records_id_fk" FOREIGN KEY ("reader_person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crisis_plan_readers" ADD CONSTRAINT "crisis_plan_readers_group_id_peer_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."peer_groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crisis_plans" ADD CONSTRAINT "crisis_plans_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crisis_plans" ADD CONSTRAINT "crisis_plans_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crisis_plans" ADD CONSTRAINT "crisis_plans_updated_by_people_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_attendance" ADD CONSTRAINT "peer_attendance_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_attendance" ADD CONSTRAINT "peer_attendance_meeting_id_peer_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."peer_meetings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_attendance" ADD CONSTRAINT "peer_attendance_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_attendance" ADD CONSTRAINT "peer_attendance_recorded_by_people_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_ground_rules" ADD CONSTRAINT "peer_ground_rules_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_ground_rules" ADD CONSTRAINT "peer_ground_rules_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_ground_rules" ADD CONSTRAINT "peer_ground_rules_proposed_by_person_records_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_ground_rules" ADD CONSTRAINT "peer_ground_rules_adopted_by_people_id_fk" FOREIGN KEY ("adopted_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_ground_rules_agreements" ADD CONSTRAINT "peer_ground_rules_agreements_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_ground_rules_agreements" ADD CONSTRAINT "peer_ground_rules_agreements_rules_id_peer_ground_rules_id_fk" FOREIGN KEY ("rules_id") REFERENCES "public"."peer_ground_rules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_ground_rules_agreements" ADD CONSTRAINT "peer_ground_rules_agreements_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_group_facilitators" ADD CONSTRAINT "peer_group_facilitators_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_group_facilitators" ADD CONSTRAINT "peer_group_facilitators_group_id_peer_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."peer_groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_group_facilitators" ADD CONSTRAINT "peer_group_facilitators_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_groups" ADD CONSTRAINT "peer_groups_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_groups" ADD CONSTRAINT "peer_groups_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_meeting_replies" ADD CONSTRAINT "peer_meeting_replies_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_meeting_replies" ADD CONSTRAINT "peer_meeting_replies_meeting_id_peer_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."peer_meetings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_meeting_replies" ADD CONSTRAINT "peer_meeting_replies_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_meetings" ADD CONSTRAINT "peer_meetings_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_meetings" ADD CONSTRAINT "peer_meetings_group_id_peer_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."peer_groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_membership_changes" ADD CONSTRAINT "peer_membership_changes_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_membership_changes" ADD CONSTRAINT "peer_membership_changes_member_id_peer_network_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."peer_network_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_membership_changes" ADD CONSTRAINT "peer_membership_changes_recorded_by_people_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_network_members" ADD CONSTRAINT "peer_network_members_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_network_members" ADD CONSTRAINT "peer_network_members_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_network_members" ADD CONSTRAINT "peer_network_members_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_networks" ADD CONSTRAINT "peer_networks_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_networks" ADD CONSTRAINT "peer_networks_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_usual_groups" ADD CONSTRAINT "peer_usual_groups_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_usual_groups" ADD CONSTRAINT "peer_usual_groups_group_id_peer_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."peer_groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_usual_groups" ADD CONSTRAINT "peer_usual_groups_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "calendar_feeds_token" ON "calendar_feeds" USING btree ("token");--> statement-breakpoint
CREATE INDEX "crisis_plan_readers_plan" ON "crisis_plan_readers" USING btree ("plan_person_record_id");--> statement-breakpoint
CREATE INDEX "crisis_plan_readers_reader" ON "crisis_plan_readers" USING btree ("reader_person_record_id");--> statement-breakpoint
CREATE INDEX "peer_attendance_person" ON "peer_attendance" USING btree ("person_record_id");--> statement-breakpoint
CREATE UNIQUE INDEX "peer_ground_rules_current" ON "peer_ground_rules" USING btree ("programme_id") WHERE "peer_ground_rules"."status" = 'current';--> statement-breakpoint
CREATE UNIQUE INDEX "peer_ground_rules_version" ON "peer_ground_rules" USING btree ("programme_id","version");--> statement-breakpoint
CREATE INDEX "peer_ground_rules_programme" ON "peer_ground_rules" USING btree ("community_id","programme_id","status");--> statement-breakpoint
CREATE INDEX "peer_ground_rules_agreements_person" ON "peer_ground_rules_agreements" USING btree ("person_record_id");--> statement-breakpoint
CREATE INDEX "peer_group_facilitators_person" ON "peer_group_facilitators" USING btree ("person_record_id");--> statement-breakpoint
CREATE INDEX "peer_groups_programme" ON "peer_groups" USING btree ("community_id","programme_id");--> statement-breakpoint
CREATE INDEX "peer_meeting_replies_person" ON "peer_meeting_replies" USING btree ("person_record_id");--> statement-breakpoint
CREATE UNIQUE INDEX "peer_meetings_group_start" ON "peer_meetings" USING btree ("group_id","starts_at");--> statement-breakpoint
CREATE INDEX "peer_meetings_community_start" ON "peer_meetings" USING btree ("community_id","starts_at");--> statement-breakpoint
CREATE INDEX "peer_membership_changes_at" ON "peer_membership_changes" USING btree ("community_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "peer_network_members_person" ON "peer_network_members" USING btree ("programme_id","person_record_id");--> statement-breakpoint
CREATE INDEX "peer_network_members_record" ON "peer_network_members" USING btree ("person_record_id");--> statement-breakpoint
CREATE INDEX "peer_usual_groups_person" ON "peer_usual_groups" USING btree ("person_record_id");
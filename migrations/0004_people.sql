CREATE TABLE "consents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"person_record_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"granted" boolean NOT NULL,
	"method" text NOT NULL,
	"recorded_by" uuid,
	"on_behalf" boolean DEFAULT false NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"superseded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "equality_monitoring" (
	"person_record_id" uuid PRIMARY KEY NOT NULL,
	"community_id" uuid NOT NULL,
	"age_band" text,
	"ethnicity" text,
	"sex" text,
	"gender_same_as_birth" text,
	"disability" text,
	"carer" text,
	"answered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"recorded_by" uuid
);
--> statement-breakpoint
CREATE TABLE "person_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"number" integer GENERATED ALWAYS AS IDENTITY (sequence name "person_records_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"account_id" uuid,
	"preferred_name" text NOT NULL,
	"full_name" text DEFAULT '' NOT NULL,
	"pronouns" text DEFAULT '' NOT NULL,
	"date_of_birth" date,
	"nhs_number" text,
	"email" text,
	"phone" text,
	"phone_key" text,
	"address" text DEFAULT '' NOT NULL,
	"postcode" text,
	"contact_method" text,
	"contact_times" text DEFAULT '' NOT NULL,
	"communication_needs" text[] DEFAULT array[]::text[] NOT NULL,
	"interpreter_language" text DEFAULT '' NOT NULL,
	"communication_other" text DEFAULT '' NOT NULL,
	"emergency_contact_name" text DEFAULT '' NOT NULL,
	"emergency_contact_phone" text DEFAULT '' NOT NULL,
	"emergency_contact_relationship" text DEFAULT '' NOT NULL,
	"gp_practice" text DEFAULT '' NOT NULL,
	"skills_and_interests" text DEFAULT '' NOT NULL,
	"lived_experience" text DEFAULT '' NOT NULL,
	"availability" text DEFAULT '' NOT NULL,
	"assisted_digital" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"merged_into_id" uuid,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"erased_at" timestamp with time zone,
	CONSTRAINT "person_records_merged" CHECK (("person_records"."status" = 'merged') = ("person_records"."merged_into_id" is not null))
);
--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_recorded_by_people_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equality_monitoring" ADD CONSTRAINT "equality_monitoring_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equality_monitoring" ADD CONSTRAINT "equality_monitoring_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equality_monitoring" ADD CONSTRAINT "equality_monitoring_recorded_by_people_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_records" ADD CONSTRAINT "person_records_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_records" ADD CONSTRAINT "person_records_account_id_people_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_records" ADD CONSTRAINT "person_records_merged_into_id_person_records_id_fk" FOREIGN KEY ("merged_into_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_records" ADD CONSTRAINT "person_records_created_by_people_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "consents_current" ON "consents" USING btree ("person_record_id","purpose") WHERE "consents"."superseded_at" is null;--> statement-breakpoint
CREATE INDEX "consents_person" ON "consents" USING btree ("person_record_id","recorded_at");--> statement-breakpoint
CREATE INDEX "consents_community_purpose" ON "consents" USING btree ("community_id","purpose") WHERE "consents"."superseded_at" is null and "consents"."granted";--> statement-breakpoint
CREATE UNIQUE INDEX "person_records_number" ON "person_records" USING btree ("number");--> statement-breakpoint
CREATE UNIQUE INDEX "person_records_account" ON "person_records" USING btree ("community_id","account_id") WHERE "person_records"."account_id" is not null and "person_records"."status" = 'active';--> statement-breakpoint
CREATE INDEX "person_records_community_name" ON "person_records" USING btree ("community_id",lower("preferred_name"));--> statement-breakpoint
CREATE INDEX "person_records_email" ON "person_records" USING btree ("community_id",lower("email"));--> statement-breakpoint
CREATE INDEX "person_records_phone" ON "person_records" USING btree ("community_id","phone_key");--> statement-breakpoint
CREATE INDEX "person_records_nhs_number" ON "person_records" USING btree ("community_id","nhs_number");--> statement-breakpoint
CREATE INDEX "person_records_birth" ON "person_records" USING btree ("community_id","date_of_birth");
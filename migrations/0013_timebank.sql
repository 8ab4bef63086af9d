CREATE TABLE "timebank_checks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"person_record_id" uuid NOT NULL,
	"level" text NOT NULL,
	"certificate_number" text NOT NULL,
	"issued_on" date NOT NULL,
	"expires_on" date NOT NULL,
	"seen_by" uuid,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reminder_sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "timebank_follows" (
	"community_id" uuid NOT NULL,
	"person_record_id" uuid NOT NULL,
	"category_id" uuid NOT NULL,
	CONSTRAINT "timebank_follows_person_record_id_category_id_pk" PRIMARY KEY("person_record_id","category_id")
);
--> statement-breakpoint
CREATE TABLE "timebank_exchange_parties" (
	"community_id" uuid NOT NULL,
	"exchange_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"side" text NOT NULL,
	"minutes" integer NOT NULL,
	CONSTRAINT "timebank_exchange_parties_exchange_id_account_id_pk" PRIMARY KEY("exchange_id","account_id"),
	CONSTRAINT "timebank_exchange_parties_minutes" CHECK ("timebank_exchange_parties"."minutes" > 0)
);
--> statement-breakpoint
CREATE TABLE "timebank_onboarding_steps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"label" text NOT NULL,
	"position" integer NOT NULL,
	"archived" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "timebank_onboarding_ticks" (
	"community_id" uuid NOT NULL,
	"member_id" uuid NOT NULL,
	"step_id" uuid NOT NULL,
	"done_on" date NOT NULL,
	"ticked_by" uuid,
	"ticked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "timebank_onboarding_ticks_member_id_step_id_pk" PRIMARY KEY("member_id","step_id")
);
--> statement-breakpoint
CREATE TABLE "timebank_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"post_id" uuid NOT NULL,
	"person_record_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "timebank_reconciliations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"ran_at" timestamp with time zone DEFAULT now() NOT NULL,
	"accounts_checked" integer NOT NULL,
	"differences" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "timebank_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"person_record_id" uuid,
	"name" text DEFAULT '' NOT NULL,
	"neighbourhood" text DEFAULT '' NOT NULL,
	"balance" integer DEFAULT 0 NOT NULL,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "timebank_accounts_owner" CHECK (("timebank_accounts"."kind" = 'member') = ("timebank_accounts"."person_record_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "timebank_categories" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"name" text NOT NULL,
	"check_level" text DEFAULT 'none' NOT NULL,
	"home_visit" boolean DEFAULT false NOT NULL,
	"archived" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "timebank_exchanges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"is_group" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"occurred_on" date NOT NULL,
	"category_id" uuid,
	"post_id" uuid,
	"note" text DEFAULT '' NOT NULL,
	"pot_pays_receivers" boolean DEFAULT false NOT NULL,
	"recorded_by" uuid,
	"recorded_for" uuid,
	"on_behalf" boolean DEFAULT false NOT NULL,
	"confirms_on" date,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"dispute_reason" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "timebank_members" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"person_record_id" uuid NOT NULL,
	"programme_id" uuid,
	"referral_id" uuid,
	"came_from" text NOT NULL,
	"neighbourhood" text DEFAULT '' NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"onboarded_at" timestamp with time zone,
	"left_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "timebank_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"response_id" uuid NOT NULL,
	"from_record_id" uuid NOT NULL,
	"body" text NOT NULL,
	"sent_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "timebank_movements" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"community_id" uuid NOT NULL,
	"transfer_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"minutes" integer NOT NULL,
	"balance_after" integer NOT NULL,
	"occurred_on" date NOT NULL,
	CONSTRAINT "timebank_movements_nonzero" CHECK ("timebank_movements"."minutes" <> 0)
);
--> statement-breakpoint
CREATE TABLE "timebank_posts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"person_record_id" uuid NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"category_id" uuid NOT NULL,
	"place" text NOT NULL,
	"neighbourhood" text DEFAULT '' NOT NULL,
	"when_available" text DEFAULT '' NOT NULL,
	"for_groups" boolean DEFAULT false NOT NULL,
	"ends_on" date NOT NULL,
	"closed_at" timestamp with time zone,
	"posted_by" uuid,
	"on_behalf" boolean DEFAULT false NOT NULL,
	"reminder_sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('coproduce_search', title || ' ' || description)) STORED NOT NULL
);
--> statement-breakpoint
CREATE TABLE "timebank_transfers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"exchange_id" uuid,
	"reverses_id" uuid,
	"occurred_on" date NOT NULL,
	"category_id" uuid,
	"note" text DEFAULT '' NOT NULL,
	"recorded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "timebank_transfers_reversal" CHECK (("timebank_transfers"."kind" = 'reversal') = ("timebank_transfers"."reverses_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "timebanks" (
	"community_id" uuid PRIMARY KEY NOT NULL,
	"minimum_balance" integer DEFAULT -600 NOT NULL,
	"auto_confirm_days" integer DEFAULT 7 NOT NULL,
	"post_reminder_days" integer DEFAULT 7 NOT NULL,
	"check_warning_days" integer DEFAULT 42 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "timebank_checks" ADD CONSTRAINT "timebank_checks_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_checks" ADD CONSTRAINT "timebank_checks_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_checks" ADD CONSTRAINT "timebank_checks_seen_by_people_id_fk" FOREIGN KEY ("seen_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_follows" ADD CONSTRAINT "timebank_follows_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_follows" ADD CONSTRAINT "timebank_follows_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_follows" ADD CONSTRAINT "timebank_follows_category_id_timebank_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."timebank_categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_exchange_parties" ADD CONSTRAINT "timebank_exchange_parties_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_exchange_parties" ADD CONSTRAINT "timebank_exchange_parties_exchange_id_timebank_exchanges_id_fk" FOREIGN KEY ("exchange_id") REFERENCES "public"."timebank_exchanges"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_exchange_parties" ADD CONSTRAINT "timebank_exchange_parties_account_id_timebank_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."timebank_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_onboarding_steps" ADD CONSTRAINT "timebank_onboarding_steps_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_onboarding_ticks" ADD CONSTRAINT "timebank_onboarding_ticks_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_onboarding_ticks" ADD CONSTRAINT "timebank_onboarding_ticks_member_id_timebank_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."timebank_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_onboarding_ticks" ADD CONSTRAINT "timebank_onboarding_ticks_step_id_timebank_onboarding_steps_id_fk" FOREIGN KEY ("step_id") REFERENCES "public"."timebank_onboarding_steps"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_onboarding_ticks" ADD CONSTRAINT "timebank_onboarding_ticks_ticked_by_people_id_fk" FOREIGN KEY ("ticked_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_responses" ADD CONSTRAINT "timebank_responses_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_responses" ADD CONSTRAINT "timebank_responses_post_id_timebank_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."timebank_posts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_responses" ADD CONSTRAINT "timebank_responses_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_reconciliations" ADD CONSTRAINT "timebank_reconciliations_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_accounts" ADD CONSTRAINT "timebank_accounts_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_accounts" ADD CONSTRAINT "timebank_accounts_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_categories" ADD CONSTRAINT "timebank_categories_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_exchanges" ADD CONSTRAINT "timebank_exchanges_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_exchanges" ADD CONSTRAINT "timebank_exchanges_category_id_timebank_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."timebank_categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_exchanges" ADD CONSTRAINT "timebank_exchanges_post_id_timebank_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."timebank_posts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_exchanges" ADD CONSTRAINT "timebank_exchanges_recorded_by_people_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_exchanges" ADD CONSTRAINT "timebank_exchanges_recorded_for_timebank_accounts_id_fk" FOREIGN KEY ("recorded_for") REFERENCES "public"."timebank_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_exchanges" ADD CONSTRAINT "timebank_exchanges_decided_by_people_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_members" ADD CONSTRAINT "timebank_members_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_members" ADD CONSTRAINT "timebank_members_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_members" ADD CONSTRAINT "timebank_members_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_members" ADD CONSTRAINT "timebank_members_referral_id_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_messages" ADD CONSTRAINT "timebank_messages_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_messages" ADD CONSTRAINT "timebank_messages_response_id_timebank_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."timebank_responses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_messages" ADD CONSTRAINT "timebank_messages_from_record_id_person_records_id_fk" FOREIGN KEY ("from_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_messages" ADD CONSTRAINT "timebank_messages_sent_by_people_id_fk" FOREIGN KEY ("sent_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_movements" ADD CONSTRAINT "timebank_movements_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_movements" ADD CONSTRAINT "timebank_movements_transfer_id_timebank_transfers_id_fk" FOREIGN KEY ("transfer_id") REFERENCES "public"."timebank_transfers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_movements" ADD CONSTRAINT "timebank_movements_account_id_timebank_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."timebank_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_posts" ADD CONSTRAINT "timebank_posts_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_posts" ADD CONSTRAINT "timebank_posts_person_record_id_person_records_id_fk" FOREIGN KEY ("person_record_id") REFERENCES "public"."person_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_posts" ADD CONSTRAINT "timebank_posts_category_id_timebank_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."timebank_categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_posts" ADD CONSTRAINT "timebank_posts_posted_by_people_id_fk" FOREIGN KEY ("posted_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_transfers" ADD CONSTRAINT "timebank_transfers_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_transfers" ADD CONSTRAINT "timebank_transfers_exchange_id_timebank_exchanges_id_fk" FOREIGN KEY ("exchange_id") REFERENCES "public"."timebank_exchanges"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_transfers" ADD CONSTRAINT "timebank_transfers_reverses_id_timebank_transfers_id_fk" FOREIGN KEY ("reverses_id") REFERENCES "public"."timebank_transfers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_transfers" ADD CONSTRAINT "timebank_transfers_category_id_timebank_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."timebank_categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_transfers" ADD CONSTRAINT "timebank_transfers_recorded_by_people_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebanks" ADD CONSTRAINT "timebanks_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "timebank_checks_person" ON "timebank_checks" USING btree ("person_record_id","expires_on");--> statement-breakpoint
CREATE INDEX "timebank_checks_expiry" ON "timebank_checks" USING btree ("community_id","expires_on");--> statement-breakpoint
CREATE INDEX "timebank_exchange_parties_account" ON "timebank_exchange_parties" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "timebank_onboarding_steps_order" ON "timebank_onboarding_steps" USING btree ("community_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "timebank_responses_once" ON "timebank_responses" USING btree ("post_id","person_record_id");--> statement-breakpoint
CREATE UNIQUE INDEX "timebank_accounts_person" ON "timebank_accounts" USING btree ("person_record_id") WHERE "timebank_accounts"."closed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "timebank_accounts_pot" ON "timebank_accounts" USING btree ("community_id") WHERE "timebank_accounts"."kind" = 'pot';--> statement-breakpoint
CREATE UNIQUE INDEX "timebank_categories_name" ON "timebank_categories" USING btree ("community_id",lower("name"));--> statement-breakpoint
CREATE INDEX "timebank_exchanges_waiting" ON "timebank_exchanges" USING btree ("community_id","confirms_on") WHERE "timebank_exchanges"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "timebank_exchanges_open" ON "timebank_exchanges" USING btree ("community_id","status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "timebank_members_person" ON "timebank_members" USING btree ("person_record_id");--> statement-breakpoint
CREATE INDEX "timebank_members_joined" ON "timebank_members" USING btree ("community_id","joined_at");--> statement-breakpoint
CREATE INDEX "timebank_messages_thread" ON "timebank_messages" USING btree ("response_id","created_at");--> statement-breakpoint
CREATE INDEX "timebank_movements_account" ON "timebank_movements" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "timebank_movements_transfer" ON "timebank_movements" USING btree ("transfer_id");--> statement-breakpoint
CREATE INDEX "timebank_posts_search" ON "timebank_posts" USING gin ("search");--> statement-breakpoint
CREATE INDEX "timebank_posts_open" ON "timebank_posts" USING btree ("community_id","kind","created_at") WHERE "timebank_posts"."closed_at" is null;--> statement-breakpoint
CREATE INDEX "timebank_posts_person" ON "timebank_posts" USING btree ("person_record_id");--> statement-breakpoint
CREATE UNIQUE INDEX "timebank_transfers_exchange" ON "timebank_transfers" USING btree ("exchange_id") WHERE "timebank_transfers"."kind" in ('exchange', 'group');--> statement-breakpoint
CREATE UNIQUE INDEX "timebank_transfers_reverses" ON "timebank_transfers" USING btree ("reverses_id");--> statement-breakpoint
CREATE INDEX "timebank_transfers_day" ON "timebank_transfers" USING btree ("community_id","occurred_on");
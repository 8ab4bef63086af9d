CREATE TABLE "timebank_day_totals" (
	"community_id" uuid NOT NULL,
	"day" date NOT NULL,
	"category_id" uuid,
	"neighbourhood" text DEFAULT '' NOT NULL,
	"exchanges" integer NOT NULL,
	"minutes" integer NOT NULL,
	"group_exchanges" integer NOT NULL,
	"group_receivers" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "timebank_days_counted" (
	"community_id" uuid NOT NULL,
	"day" date NOT NULL,
	CONSTRAINT "timebank_days_counted_community_id_day_pk" PRIMARY KEY("community_id","day")
);
--> statement-breakpoint
ALTER TABLE "timebank_accounts" ADD COLUMN "last_exchanged_on" date;--> statement-breakpoint
ALTER TABLE "timebank_exchanges" ADD COLUMN "reversed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "timebank_day_totals" ADD CONSTRAINT "timebank_day_totals_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timebank_days_counted" ADD CONSTRAINT "timebank_days_counted_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "timebank_day_totals_day" ON "timebank_day_totals" USING btree ("community_id","day");--> statement-breakpoint
CREATE INDEX "timebank_exchanges_counted" ON "timebank_exchanges" USING btree ("community_id","occurred_on") WHERE "timebank_exchanges"."status" = 'confirmed' and "timebank_exchanges"."reversed_at" is null;
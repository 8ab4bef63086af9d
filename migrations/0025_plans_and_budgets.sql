CREATE TABLE "budget_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"budget_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"plan_goal_id" uuid,
	"description" text NOT NULL,
	"amount_pence" integer NOT NULL,
	"spent_on" date,
	"receipt" text DEFAULT '' NOT NULL,
	"status" text,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"overspend_note" text DEFAULT '' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "budget_items_amount" CHECK ("budget_items"."amount_pence" > 0),
	CONSTRAINT "budget_items_spend" CHECK (("budget_items"."kind" = 'spend') = ("budget_items"."status" is not null and "budget_items"."spent_on" is not null))
);
--> statement-breakpoint
CREATE TABLE "personal_budgets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"source" text NOT NULL,
	"allocated_pence" integer NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "personal_budgets_allocated" CHECK ("personal_budgets"."allocated_pence" > 0)
);
--> statement-breakpoint
CREATE TABLE "plan_goals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"goal" text NOT NULL,
	"steps" text DEFAULT '' NOT NULL,
	"who_does_what" text DEFAULT '' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "budget_items" ADD CONSTRAINT "budget_items_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budget_items" ADD CONSTRAINT "budget_items_budget_id_personal_budgets_id_fk" FOREIGN KEY ("budget_id") REFERENCES "public"."personal_budgets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budget_items" ADD CONSTRAINT "budget_items_plan_goal_id_plan_goals_id_fk" FOREIGN KEY ("plan_goal_id") REFERENCES "public"."plan_goals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budget_items" ADD CONSTRAINT "budget_items_decided_by_people_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budget_items" ADD CONSTRAINT "budget_items_created_by_people_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "personal_budgets" ADD CONSTRAINT "personal_budgets_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "personal_budgets" ADD CONSTRAINT "personal_budgets_entry_id_caseload_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."caseload_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "personal_budgets" ADD CONSTRAINT "personal_budgets_created_by_people_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_goals" ADD CONSTRAINT "plan_goals_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_goals" ADD CONSTRAINT "plan_goals_entry_id_caseload_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."caseload_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_goals" ADD CONSTRAINT "plan_goals_created_by_people_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "budget_items_budget" ON "budget_items" USING btree ("budget_id","kind");--> statement-breakpoint
CREATE INDEX "personal_budgets_entry" ON "personal_budgets" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "plan_goals_entry" ON "plan_goals" USING btree ("entry_id","created_at");
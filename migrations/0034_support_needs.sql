CREATE TABLE "support_needs" (
	"community_id" uuid NOT NULL,
	"need" text NOT NULL,
	"position" smallint NOT NULL,
	"wording" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "support_needs_community_id_need_pk" PRIMARY KEY("community_id","need")
);
--> statement-breakpoint
ALTER TABLE "support_needs" ADD CONSTRAINT "support_needs_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE support_needs ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE support_needs FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY support_needs_tenant ON support_needs TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY support_needs_platform ON support_needs TO CURRENT_USER USING (true) WITH CHECK (true);

ALTER TABLE programmes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE programmes FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY programmes_tenant ON programmes TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY programmes_platform ON programmes TO CURRENT_USER USING (true) WITH CHECK (true);

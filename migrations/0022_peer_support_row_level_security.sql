ALTER TABLE peer_support_settings ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE peer_support_settings FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY peer_support_settings_tenant ON peer_support_settings TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY peer_support_settings_platform ON peer_support_settings TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE support_episodes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE support_episodes FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY support_episodes_tenant ON support_episodes TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY support_episodes_platform ON support_episodes TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE episode_goals ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE episode_goals FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY episode_goals_tenant ON episode_goals TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY episode_goals_platform ON episode_goals TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE episode_contacts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE episode_contacts FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY episode_contacts_tenant ON episode_contacts TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY episode_contacts_platform ON episode_contacts TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE timesheets ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timesheets FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timesheets_tenant ON timesheets TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timesheets_platform ON timesheets TO CURRENT_USER USING (true) WITH CHECK (true);

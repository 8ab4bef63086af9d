ALTER TABLE hub_teams ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE hub_teams FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY hub_teams_tenant ON hub_teams TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY hub_teams_platform ON hub_teams TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE hub_team_members ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE hub_team_members FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY hub_team_members_tenant ON hub_team_members TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY hub_team_members_platform ON hub_team_members TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE caseload_entries ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE caseload_entries FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY caseload_entries_tenant ON caseload_entries TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY caseload_entries_platform ON caseload_entries TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE key_contacts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE key_contacts FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY key_contacts_tenant ON key_contacts TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY key_contacts_platform ON key_contacts TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE caseload_contacts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE caseload_contacts FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY caseload_contacts_tenant ON caseload_contacts TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY caseload_contacts_platform ON caseload_contacts TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE review_meetings ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE review_meetings FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY review_meetings_tenant ON review_meetings TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY review_meetings_platform ON review_meetings TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE review_items ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE review_items FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY review_items_tenant ON review_items TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY review_items_platform ON review_items TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE hub_actions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE hub_actions FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY hub_actions_tenant ON hub_actions TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY hub_actions_platform ON hub_actions TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE risk_flags ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE risk_flags FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY risk_flags_tenant ON risk_flags TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY risk_flags_platform ON risk_flags TO CURRENT_USER USING (true) WITH CHECK (true);

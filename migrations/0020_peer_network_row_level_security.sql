ALTER TABLE peer_networks ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE peer_networks FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY peer_networks_tenant ON peer_networks TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY peer_networks_platform ON peer_networks TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE peer_groups ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE peer_groups FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY peer_groups_tenant ON peer_groups TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY peer_groups_platform ON peer_groups TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE peer_group_facilitators ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE peer_group_facilitators FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY peer_group_facilitators_tenant ON peer_group_facilitators TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY peer_group_facilitators_platform ON peer_group_facilitators TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE peer_meetings ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE peer_meetings FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY peer_meetings_tenant ON peer_meetings TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY peer_meetings_platform ON peer_meetings TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE peer_network_members ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE peer_network_members FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY peer_network_members_tenant ON peer_network_members TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY peer_network_members_platform ON peer_network_members TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE peer_membership_changes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE peer_membership_changes FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY peer_membership_changes_tenant ON peer_membership_changes TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY peer_membership_changes_platform ON peer_membership_changes TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE peer_usual_groups ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE peer_usual_groups FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY peer_usual_groups_tenant ON peer_usual_groups TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY peer_usual_groups_platform ON peer_usual_groups TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE peer_meeting_replies ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE peer_meeting_replies FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY peer_meeting_replies_tenant ON peer_meeting_replies TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY peer_meeting_replies_platform ON peer_meeting_replies TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE peer_attendance ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE peer_attendance FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY peer_attendance_tenant ON peer_attendance TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY peer_attendance_platform ON peer_attendance TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE peer_ground_rules ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE peer_ground_rules FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY peer_ground_rules_tenant ON peer_ground_rules TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY peer_ground_rules_platform ON peer_ground_rules TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE peer_ground_rules_agreements ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE peer_ground_rules_agreements FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY peer_ground_rules_agreements_tenant ON peer_ground_rules_agreements TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY peer_ground_rules_agreements_platform ON peer_ground_rules_agreements TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE crisis_plans ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE crisis_plans FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY crisis_plans_tenant ON crisis_plans TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY crisis_plans_platform ON crisis_plans TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE crisis_plan_readers ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE crisis_plan_readers FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY crisis_plan_readers_tenant ON crisis_plan_readers TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY crisis_plan_readers_platform ON crisis_plan_readers TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE calendar_feeds ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE calendar_feeds FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY calendar_feeds_tenant ON calendar_feeds TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY calendar_feeds_platform ON calendar_feeds TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
-- Membership changes are history: kept as they happened.
REVOKE UPDATE, DELETE ON peer_membership_changes FROM coproduce_app;

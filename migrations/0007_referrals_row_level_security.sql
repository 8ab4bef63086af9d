ALTER TABLE milestones ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE milestones FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY milestones_tenant ON milestones TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY milestones_platform ON milestones TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE programme_members ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE programme_members FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY programme_members_tenant ON programme_members TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY programme_members_platform ON programme_members TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE referrals ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE referrals FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY referrals_tenant ON referrals TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY referrals_platform ON referrals TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE referral_programmes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE referral_programmes FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY referral_programmes_tenant ON referral_programmes TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY referral_programmes_platform ON referral_programmes TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE contact_attempts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE contact_attempts FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY contact_attempts_tenant ON contact_attempts TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY contact_attempts_platform ON contact_attempts TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE referral_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE referral_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY referral_events_tenant ON referral_events TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY referral_events_platform ON referral_events TO CURRENT_USER USING (true) WITH CHECK (true);

ALTER TABLE erasure_requests ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE erasure_requests FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY erasure_requests_tenant ON erasure_requests TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY erasure_requests_platform ON erasure_requests TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE safeguarding_concerns ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE safeguarding_concerns FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY safeguarding_concerns_tenant ON safeguarding_concerns TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY safeguarding_concerns_platform ON safeguarding_concerns TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE concern_actions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE concern_actions FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY concern_actions_tenant ON concern_actions TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY concern_actions_platform ON concern_actions TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
-- Safeguarding records are not changed or deleted by the application: actions are appended.
REVOKE UPDATE, DELETE ON concern_actions FROM coproduce_app;
--> statement-breakpoint
-- Erasing someone needs to know whether their account belongs to any other community, which
-- row-level security hides: this function answers that one question, and nothing more.
CREATE FUNCTION account_memberships_elsewhere(account uuid, here uuid) RETURNS TABLE (community_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
  $$ SELECT community_id FROM memberships WHERE person_id = account AND community_id <> here AND status IN ('active', 'requested') $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION account_memberships_elsewhere(uuid, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION account_memberships_elsewhere(uuid, uuid) TO coproduce_app;

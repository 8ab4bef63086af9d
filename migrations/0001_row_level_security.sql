-- The application works as coproduce_app, a role that owns nothing: row-level security
-- applies to it, and it cannot change the schema. Migrations run as the owner.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'coproduce_app') THEN
    CREATE ROLE coproduce_app NOLOGIN;
  END IF;
END
$$;
--> statement-breakpoint
GRANT coproduce_app TO CURRENT_USER;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO coproduce_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO coproduce_app;
--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO coproduce_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO coproduce_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO coproduce_app;
--> statement-breakpoint
-- The audit log is append-only for the application.
REVOKE UPDATE, DELETE ON audit_events FROM coproduce_app;
--> statement-breakpoint
CREATE FUNCTION app_community_id() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.community_id', true), '')::uuid $$;
--> statement-breakpoint
CREATE FUNCTION app_person_id() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.person_id', true), '')::uuid $$;
--> statement-breakpoint
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY memberships_tenant ON memberships TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY invitations_tenant ON invitations TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- Events outside any community (sign-ins, accounts) are written by the application but read only by platform admins.
CREATE POLICY audit_events_read ON audit_events FOR SELECT TO coproduce_app USING (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY audit_events_write ON audit_events FOR INSERT TO coproduce_app
  WITH CHECK (community_id IS NULL OR community_id = app_community_id());
--> statement-breakpoint
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY outbox_read ON outbox FOR SELECT TO coproduce_app USING (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY outbox_write ON outbox FOR INSERT TO coproduce_app
  WITH CHECK (community_id IS NULL OR community_id = app_community_id());
--> statement-breakpoint
-- The owner does platform-wide work (jobs, the platform admin's views): it sees every row.
CREATE POLICY memberships_platform ON memberships TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY invitations_platform ON invitations TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY audit_events_platform ON audit_events TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY outbox_platform ON outbox TO CURRENT_USER USING (true) WITH CHECK (true);

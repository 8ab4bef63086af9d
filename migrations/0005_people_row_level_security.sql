ALTER TABLE person_records ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE person_records FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY person_records_tenant ON person_records TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY person_records_platform ON person_records TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE equality_monitoring ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE equality_monitoring FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY equality_monitoring_tenant ON equality_monitoring TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY equality_monitoring_platform ON equality_monitoring TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE consents ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE consents FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY consents_tenant ON consents TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY consents_platform ON consents TO CURRENT_USER USING (true) WITH CHECK (true);

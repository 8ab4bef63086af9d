ALTER TABLE plan_goals ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE plan_goals FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY plan_goals_tenant ON plan_goals TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY plan_goals_platform ON plan_goals TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE personal_budgets ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE personal_budgets FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY personal_budgets_tenant ON personal_budgets TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY personal_budgets_platform ON personal_budgets TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE budget_items ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE budget_items FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY budget_items_tenant ON budget_items TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY budget_items_platform ON budget_items TO CURRENT_USER USING (true) WITH CHECK (true);

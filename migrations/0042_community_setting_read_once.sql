-- Every tenant policy reads the community setting once per statement instead of once per row.
-- Written `community_id = app_community_id()`, PostgreSQL evaluated the function (a setting read
-- and a text-to-uuid conversion) for every row a scan looked at: a third of the register's
-- statement under the application role. Written `community_id = (SELECT app_community_id())`, it
-- is an initial plan evaluated once, whose value an index scan uses as before. What the policies
-- let through is unchanged: the same expression, read once. New policies are written this way
-- (docs/architecture.md; test/integration/tenancy.test.ts checks every policy).
DO $$
DECLARE
  policy record;
  using_clause text;
  check_clause text;
BEGIN
  FOR policy IN
    SELECT p.polname, c.relname, pg_get_expr(p.polqual, p.polrelid) AS qual, pg_get_expr(p.polwithcheck, p.polrelid) AS withcheck
    FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public'
      AND (pg_get_expr(p.polqual, p.polrelid) LIKE '%app_community_id()%' OR pg_get_expr(p.polwithcheck, p.polrelid) LIKE '%app_community_id()%')
  LOOP
    using_clause := CASE WHEN policy.qual IS NOT NULL
      THEN format(' USING (%s)', replace(policy.qual, 'app_community_id()', '(SELECT app_community_id())')) ELSE '' END;
    check_clause := CASE WHEN policy.withcheck IS NOT NULL
      THEN format(' WITH CHECK (%s)', replace(policy.withcheck, 'app_community_id()', '(SELECT app_community_id())')) ELSE '' END;
    EXECUTE format('ALTER POLICY %I ON %I', policy.polname, policy.relname) || using_clause || check_clause;
  END LOOP;
END $$;

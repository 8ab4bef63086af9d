-- Erasing someone's account needs to know whether any other community still holds them: a
-- membership, or a record of theirs (a referral waiting, say). Row-level security hides other
-- communities, so this function answers that one question, and nothing more.
CREATE FUNCTION account_held_elsewhere(account uuid, here uuid) RETURNS TABLE (community_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
  $$ SELECT community_id FROM memberships WHERE person_id = account AND community_id <> here AND status IN ('active', 'requested')
     UNION
     SELECT community_id FROM person_records WHERE account_id = account AND community_id <> here AND status = 'active' $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION account_held_elsewhere(uuid, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION account_held_elsewhere(uuid, uuid) TO coproduce_app;
--> statement-breakpoint
DROP FUNCTION account_memberships_elsewhere(uuid, uuid);

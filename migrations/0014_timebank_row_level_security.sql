ALTER TABLE timebanks ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebanks FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebanks_tenant ON timebanks TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebanks_platform ON timebanks TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE timebank_categories ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebank_categories FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebank_categories_tenant ON timebank_categories TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebank_categories_platform ON timebank_categories TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE timebank_onboarding_steps ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebank_onboarding_steps FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebank_onboarding_steps_tenant ON timebank_onboarding_steps TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebank_onboarding_steps_platform ON timebank_onboarding_steps TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE timebank_members ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebank_members FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebank_members_tenant ON timebank_members TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebank_members_platform ON timebank_members TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE timebank_onboarding_ticks ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebank_onboarding_ticks FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebank_onboarding_ticks_tenant ON timebank_onboarding_ticks TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebank_onboarding_ticks_platform ON timebank_onboarding_ticks TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE timebank_accounts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebank_accounts FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebank_accounts_tenant ON timebank_accounts TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebank_accounts_platform ON timebank_accounts TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE timebank_transfers ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebank_transfers FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebank_transfers_tenant ON timebank_transfers TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebank_transfers_platform ON timebank_transfers TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE timebank_movements ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebank_movements FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebank_movements_tenant ON timebank_movements TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebank_movements_platform ON timebank_movements TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE timebank_exchanges ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebank_exchanges FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebank_exchanges_tenant ON timebank_exchanges TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebank_exchanges_platform ON timebank_exchanges TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE timebank_exchange_parties ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebank_exchange_parties FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebank_exchange_parties_tenant ON timebank_exchange_parties TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebank_exchange_parties_platform ON timebank_exchange_parties TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE timebank_posts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebank_posts FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebank_posts_tenant ON timebank_posts TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebank_posts_platform ON timebank_posts TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE timebank_responses ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebank_responses FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebank_responses_tenant ON timebank_responses TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebank_responses_platform ON timebank_responses TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE timebank_messages ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebank_messages FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebank_messages_tenant ON timebank_messages TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebank_messages_platform ON timebank_messages TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE timebank_follows ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebank_follows FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebank_follows_tenant ON timebank_follows TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebank_follows_platform ON timebank_follows TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE timebank_checks ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebank_checks FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebank_checks_tenant ON timebank_checks TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebank_checks_platform ON timebank_checks TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE timebank_reconciliations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebank_reconciliations FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebank_reconciliations_tenant ON timebank_reconciliations TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebank_reconciliations_platform ON timebank_reconciliations TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
-- The ledger is append-only: a mistake is undone by a reversing transfer, never by an edit.
REVOKE UPDATE, DELETE ON timebank_transfers, timebank_movements FROM coproduce_app;
--> statement-breakpoint
-- A transfer's movements sum to zero, checked when its transaction commits.
CREATE FUNCTION timebank_transfer_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE total bigint;
BEGIN
  SELECT coalesce(sum(minutes), 0) INTO total FROM timebank_movements WHERE transfer_id = NEW.transfer_id;
  IF total <> 0 THEN
    RAISE EXCEPTION 'transfer % does not balance: its movements sum to % minutes', NEW.transfer_id, total USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER timebank_movements_balance AFTER INSERT ON timebank_movements
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION timebank_transfer_balances();

ALTER TABLE timebank_day_totals ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebank_day_totals FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebank_day_totals_tenant ON timebank_day_totals TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebank_day_totals_platform ON timebank_day_totals TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE timebank_days_counted ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE timebank_days_counted FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY timebank_days_counted_tenant ON timebank_days_counted TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
CREATE POLICY timebank_days_counted_platform ON timebank_days_counted TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
-- What the new columns say about exchanges already in the ledger.
UPDATE timebank_exchanges e SET reversed_at = r.created_at
  FROM timebank_transfers t JOIN timebank_transfers r ON r.reverses_id = t.id WHERE t.exchange_id = e.id AND t.kind IN ('exchange', 'group');
--> statement-breakpoint
UPDATE timebank_accounts a SET last_exchanged_on = x.last
  FROM (SELECT p.account_id, max(e.occurred_on) AS last FROM timebank_exchange_parties p JOIN timebank_exchanges e ON e.id = p.exchange_id WHERE e.status = 'confirmed' GROUP BY p.account_id) x
  WHERE x.account_id = a.id;

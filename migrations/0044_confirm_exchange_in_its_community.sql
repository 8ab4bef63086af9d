-- Confirming an exchange changes only an exchange of the community it was asked in. Row-level
-- security already held the application to its community; the function now says so itself too,
-- as every other statement in the ledger does, so that an owner's call (a job, a repair) with
-- the wrong community changes nothing. The rest of the function is as 0037 made it.
CREATE OR REPLACE FUNCTION timebank_confirm_exchange(in_community uuid, exchange uuid, by_actor uuid, actor_record uuid,
    by_staff boolean, as_asked boolean, today date)
  RETURNS SETOF timebank_exchanges LANGUAGE plpgsql AS $$
DECLARE
  bank timebanks;
  found_exchange timebank_exchanges;
  claimed timebank_exchanges;
BEGIN
  IF as_asked THEN
    SELECT * INTO found_exchange FROM timebank_exchanges e WHERE e.community_id = in_community AND e.id = exchange;
    IF NOT FOUND THEN
      PERFORM timebank_refuse('not-found');
    END IF;
    -- Anyone but a side of it or staff is told it does not exist.
    IF NOT by_staff AND NOT EXISTS (
        SELECT 1 FROM timebank_exchange_parties p JOIN timebank_accounts a ON a.id = p.account_id
        WHERE p.exchange_id = exchange AND a.person_record_id = actor_record) THEN
      PERFORM timebank_refuse('not-found');
    END IF;
    IF found_exchange.status = 'confirmed' THEN
      RETURN NEXT found_exchange;
      RETURN;
    END IF;
    IF found_exchange.status = 'cancelled' THEN
      PERFORM timebank_refuse('timebank-exchange-cancelled');
    END IF;
    IF NOT by_staff THEN
      IF found_exchange.status = 'disputed' THEN
        PERFORM timebank_refuse('timebank-exchange-disputed');
      END IF;
      -- The side asked: the one that did not record it (either side, when a coordinator recorded it).
      IF actor_record IS NULL OR NOT EXISTS (
          SELECT 1 FROM timebank_exchange_parties p JOIN timebank_accounts a ON a.id = p.account_id
          WHERE p.exchange_id = exchange AND a.person_record_id = actor_record
            AND p.account_id IS DISTINCT FROM found_exchange.recorded_for) THEN
        PERFORM timebank_refuse('timebank-confirm-other-side');
      END IF;
    END IF;
  END IF;
  SELECT * INTO bank FROM timebanks WHERE community_id = in_community;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  UPDATE timebank_exchanges e SET status = 'confirmed', decided_by = by_actor, decided_at = now()
    WHERE e.community_id = in_community AND e.id = exchange AND e.status IN ('pending', 'disputed')
    RETURNING * INTO claimed;
  IF NOT FOUND THEN
    -- Confirmed (or cancelled) by someone else meanwhile: as it is now.
    SELECT * INTO found_exchange FROM timebank_exchanges e WHERE e.community_id = in_community AND e.id = exchange;
    IF NOT FOUND THEN
      PERFORM timebank_refuse('not-found');
    END IF;
    RETURN NEXT found_exchange;
    RETURN;
  END IF;
  PERFORM timebank_post_exchange(claimed, by_actor, bank.minimum_balance, today);
  RETURN NEXT claimed;
END $$;

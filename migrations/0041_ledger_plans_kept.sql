-- The accounts a transfer moves are locked and updated one by one, by key, instead of through one
-- statement over the arrays. PostgreSQL planned those two statements again on every exchange
-- (a plan for an array of unknown length costs more than one for the two accounts at hand, so it
-- never kept the general plan), about 0.2 ms of each exchange and a lock on every index of the
-- accounts. A statement by key is planned once per connection. The rules are unchanged: the
-- accounts are still locked in the order of their ids (so two transfers cannot deadlock), before
-- any limit is checked or any row written.
CREATE OR REPLACE FUNCTION timebank_post_transfer(in_community uuid, transfer_kind text, transfer_day date,
    account_ids uuid[], account_minutes int[], minimum_balance int,
    for_exchange uuid, transfer_category uuid, transfer_note text, by_actor uuid)
  RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  net_ids uuid[];
  net_minutes int[];
  afters int[] := '{}';
  by_id uuid[];
  locked_ids uuid[] := '{}';
  locked_kinds text[] := '{}';
  locked_balances int[] := '{}';
  locked_kind text;
  locked_balance int;
  found_at int;
  would_be int;
  transfer uuid;
BEGIN
  SELECT coalesce(array_agg(moved.account_id ORDER BY moved.first), '{}'), coalesce(array_agg(moved.total ORDER BY moved.first), '{}')
    INTO net_ids, net_minutes
    FROM (SELECT x.account_id, sum(x.minutes)::int AS total, min(x.ord) AS first
          FROM unnest(account_ids, account_minutes) WITH ORDINALITY AS x(account_id, minutes, ord)
          GROUP BY x.account_id) moved
    WHERE moved.total <> 0;
  IF coalesce((SELECT sum(m) FROM unnest(net_minutes) m), 0) <> 0 THEN
    RAISE EXCEPTION 'a transfer whose movements do not sum to zero';
  END IF;
  by_id := ARRAY(SELECT x FROM unnest(net_ids) x ORDER BY x);
  FOR i IN 1 .. coalesce(array_length(by_id, 1), 0) LOOP
    SELECT a.kind, a.balance INTO locked_kind, locked_balance FROM timebank_accounts a
      WHERE a.id = by_id[i] AND a.closed_at IS NULL FOR NO KEY UPDATE;
    IF FOUND THEN
      locked_ids := locked_ids || by_id[i];
      locked_kinds := locked_kinds || locked_kind;
      locked_balances := locked_balances || locked_balance;
    END IF;
  END LOOP;
  FOR i IN 1 .. coalesce(array_length(net_ids, 1), 0) LOOP
    found_at := array_position(locked_ids, net_ids[i]);
    IF found_at IS NULL THEN
      PERFORM timebank_refuse('not-found');
    END IF;
    would_be := locked_balances[found_at] + net_minutes[i];
    IF net_minutes[i] < 0 AND locked_kinds[found_at] <> 'pot' AND would_be < minimum_balance THEN
      PERFORM timebank_refuse('timebank-below-limit',
        jsonb_build_object('accountId', net_ids[i], 'wouldBe', would_be, 'minimumBalance', minimum_balance));
    END IF;
    afters := afters || would_be;
  END LOOP;
  INSERT INTO timebank_transfers (community_id, kind, occurred_on, exchange_id, reverses_id, category_id, note, recorded_by)
    VALUES (in_community, transfer_kind, transfer_day, for_exchange, NULL, transfer_category, coalesce(transfer_note, ''), by_actor)
    RETURNING id INTO transfer;
  IF array_length(net_ids, 1) > 0 THEN
    INSERT INTO timebank_movements (community_id, transfer_id, account_id, minutes, balance_after, occurred_on)
      SELECT in_community, transfer, x.account_id, x.minutes, x.balance_after, transfer_day
      FROM unnest(net_ids, net_minutes, afters) WITH ORDINALITY AS x(account_id, minutes, balance_after, ord)
      ORDER BY x.ord;
    -- An exchange also marks the day its accounts last took part (reports: who is active).
    FOR i IN 1 .. array_length(net_ids, 1) LOOP
      UPDATE timebank_accounts a SET balance = afters[i],
          last_exchanged_on = CASE WHEN transfer_kind IN ('exchange', 'group') AND a.kind <> 'pot'
            THEN greatest(coalesce(a.last_exchanged_on, transfer_day), transfer_day) ELSE a.last_exchanged_on END
        WHERE a.id = net_ids[i];
    END LOOP;
  END IF;
  RETURN transfer;
END $$;

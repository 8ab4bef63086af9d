-- The ledger in one call: recording an exchange (confirmed at once by a coordinator, or waiting
-- for the other side) and confirming one are each a single statement from the application,
-- which checks, writes and posts here. The rules are those the service kept before (see
-- src/modules/timebank/exchanges.ts, ledger.ts and checks.ts): who may exchange, the category,
-- the post, the background check, the balance limit (only the pot may go below it; an account
-- already below may still receive), the accounts locked in id order so that two transfers never
-- wait on each other in a circle, the balances and the day each account last exchanged, the
-- day totals of a finished day forgotten, the audit rows and the sides' journey steps.
--
-- SECURITY INVOKER (the default): they run as coproduce_app, so row-level security shows and
-- accepts only the community of `app.community_id`, which the caller's transaction has set; a
-- row of another community is not found, and writing one fails the policies' checks.
--
-- A refusal is raised with SQLSTATE TB000: its message names the refusal, its detail is JSON
-- with what the service needs to build the same DomainError (exchanges-store.ts). Every refusal
-- is raised before anything is written, or undoes what the statement wrote.

-- The refusal every function below raises.
CREATE FUNCTION timebank_refuse(refusal text, detail jsonb DEFAULT '{}') RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'TB000', MESSAGE = refusal, DETAIL = detail::text;
END $$;
--> statement-breakpoint
-- Writes a transfer and its movements and moves the balances, or refuses. Movements on the same
-- account become one and movements of nothing go; the accounts are locked in id order (FOR NO
-- KEY UPDATE: an exchange's parties hold a key-share lock on their accounts, and FOR UPDATE
-- would wait on those in a circle). Returns the transfer's id.
CREATE FUNCTION timebank_post_transfer(in_community uuid, transfer_kind text, transfer_day date,
    account_ids uuid[], account_minutes int[], minimum_balance int,
    for_exchange uuid, transfer_category uuid, transfer_note text, by_actor uuid)
  RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  net_ids uuid[];
  net_minutes int[];
  afters int[] := '{}';
  locked_ids uuid[];
  locked_kinds text[];
  locked_balances int[];
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
  SELECT array_agg(l.id), array_agg(l.kind), array_agg(l.balance) INTO locked_ids, locked_kinds, locked_balances
    FROM (SELECT a.id, a.kind, a.balance FROM timebank_accounts a
          WHERE a.id = ANY (net_ids) AND a.closed_at IS NULL ORDER BY a.id FOR NO KEY UPDATE) l;
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
    UPDATE timebank_accounts a SET balance = x.balance_after,
        last_exchanged_on = CASE WHEN transfer_kind IN ('exchange', 'group') AND a.kind <> 'pot'
          THEN greatest(coalesce(a.last_exchanged_on, transfer_day), transfer_day) ELSE a.last_exchanged_on END
      FROM unnest(net_ids, afters) AS x(account_id, balance_after)
      WHERE a.id = x.account_id;
  END IF;
  RETURN transfer;
END $$;
--> statement-breakpoint
-- Posts an exchange just marked confirmed: its transfer (givers earn; receivers pay unless the
-- pot pays for them; in a group the pot takes or gives the difference), a finished day's totals
-- forgotten so the next report adds it up again, the audit row, and each member's journey step
-- (the first time they gave or received is kept once).
CREATE FUNCTION timebank_post_exchange(confirmed timebank_exchanges, by_actor uuid, minimum_balance int, today date)
  RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
  sides text[];
  minutes int[];
  records uuid[];
  movements int[];
  pot uuid;
BEGIN
  -- The sides in the order a page lists them: givers, then receivers, by name.
  SELECT array_agg(p.account_id ORDER BY p.side, lower(coalesce(r.list_name, a.name))),
         array_agg(p.side ORDER BY p.side, lower(coalesce(r.list_name, a.name))),
         array_agg(p.minutes ORDER BY p.side, lower(coalesce(r.list_name, a.name))),
         array_agg(a.person_record_id ORDER BY p.side, lower(coalesce(r.list_name, a.name)))
    INTO ids, sides, minutes, records
    FROM timebank_exchange_parties p
    JOIN timebank_accounts a ON a.id = p.account_id
    LEFT JOIN person_records r ON r.id = a.person_record_id
    WHERE p.exchange_id = confirmed.id;
  movements := ARRAY(SELECT CASE WHEN x.side = 'giver' THEN x.minutes WHEN confirmed.pot_pays_receivers THEN 0 ELSE -x.minutes END
                     FROM unnest(sides, minutes) WITH ORDINALITY AS x(side, minutes, ord) ORDER BY x.ord);
  IF confirmed.is_group THEN
    SELECT a.id INTO pot FROM timebank_accounts a WHERE a.community_id = confirmed.community_id AND a.kind = 'pot';
    IF pot IS NULL THEN
      RAISE EXCEPTION 'a time bank without a pot';
    END IF;
    movements := movements || -(SELECT coalesce(sum(m), 0)::int FROM unnest(movements) m);
    PERFORM timebank_post_transfer(confirmed.community_id, 'group', confirmed.occurred_on, ids || pot, movements,
      minimum_balance, confirmed.id, confirmed.category_id, confirmed.note, by_actor);
  ELSE
    PERFORM timebank_post_transfer(confirmed.community_id, 'exchange', confirmed.occurred_on, ids, movements,
      minimum_balance, confirmed.id, confirmed.category_id, confirmed.note, by_actor);
  END IF;
  IF confirmed.occurred_on < today THEN
    DELETE FROM timebank_days_counted WHERE community_id = confirmed.community_id AND day = confirmed.occurred_on;
    DELETE FROM timebank_day_totals WHERE community_id = confirmed.community_id AND day = confirmed.occurred_on;
  END IF;
  INSERT INTO audit_events (community_id, actor_id, action, subject_type, subject_id, reason, detail)
    VALUES (confirmed.community_id, by_actor, 'timebank.exchange_confirmed', 'timebank_exchange', confirmed.id::text, NULL, '{}');
  INSERT INTO milestones (community_id, person_record_id, kind, at, programme_id, source_type, source_id, detail, once_key, recorded_by)
    SELECT confirmed.community_id, x.person_record_id, CASE WHEN x.side = 'giver' THEN 'hours_given' ELSE 'hours_received' END,
      now(), NULL, 'timebank_exchange', confirmed.id::text, jsonb_build_object('minutes', x.minutes), 'timebank:first_' || x.side, by_actor
    FROM unnest(records, sides, minutes) WITH ORDINALITY AS x(person_record_id, side, minutes, ord)
    WHERE x.person_record_id IS NOT NULL
    ORDER BY x.ord
    ON CONFLICT DO NOTHING;
END $$;
--> statement-breakpoint
-- Records an exchange between two members (person records), by either side or by a coordinator
-- (`recorded_by_side`: which side recorded it, NULL when a coordinator recorded it for them),
-- waiting for the other side or confirmed and posted at once (`confirm_now`, coordinators only:
-- the service checks who may). Returns the exchange; no row when the community has no time bank
-- yet (the service sets it up and asks again).
CREATE FUNCTION timebank_record_exchange(in_community uuid, by_actor uuid, giver_record uuid, receiver_record uuid,
    exchange_minutes int, exchange_day date, exchange_category uuid, exchange_post uuid, exchange_note text,
    recorded_by_side text, confirm_now boolean, today date)
  RETURNS SETOF timebank_exchanges LANGUAGE plpgsql AS $$
DECLARE
  bank timebanks;
  giver_account uuid;
  giver_onboarded boolean;
  receiver_account uuid;
  receiver_balance int;
  receiver_onboarded boolean;
  needed text;
  post_found boolean;
  errors jsonb := '[]';
  levels CONSTANT text[] := ARRAY['none', 'basic', 'enhanced', 'enhanced_barred'];
  made timebank_exchanges;
BEGIN
  SELECT * INTO bank FROM timebanks WHERE community_id = in_community;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  -- In one query: the two sides (time bank members able to exchange: active records of this
  -- community with an open account), the category (not archived) and the post, if any.
  SELECT (array_agg(a.id) FILTER (WHERE r.id = giver_record))[1],
         bool_or(m.onboarded_at IS NOT NULL) FILTER (WHERE r.id = giver_record),
         (array_agg(a.id) FILTER (WHERE r.id = receiver_record))[1],
         (array_agg(a.balance) FILTER (WHERE r.id = receiver_record))[1],
         bool_or(m.onboarded_at IS NOT NULL) FILTER (WHERE r.id = receiver_record),
         (SELECT c.check_level FROM timebank_categories c
           WHERE c.community_id = in_community AND c.id = exchange_category AND NOT c.archived),
         exchange_post IS NULL OR EXISTS (SELECT 1 FROM timebank_posts p WHERE p.id = exchange_post AND p.community_id = in_community)
    INTO giver_account, giver_onboarded, receiver_account, receiver_balance, receiver_onboarded, needed, post_found
    FROM person_records r
    JOIN timebank_members m ON m.person_record_id = r.id AND m.left_at IS NULL
    JOIN timebank_accounts a ON a.person_record_id = r.id AND a.closed_at IS NULL
    WHERE r.id IN (giver_record, receiver_record) AND r.community_id = in_community AND r.status = 'active';
  IF giver_account IS NULL OR receiver_account IS NULL THEN
    PERFORM timebank_refuse('not-found');
  END IF;
  IF NOT giver_onboarded THEN
    errors := errors || jsonb_build_object('field', 'giver', 'code', 'errors.timebank.notOnboarded');
  END IF;
  IF NOT receiver_onboarded THEN
    errors := errors || jsonb_build_object('field', 'receiver', 'code', 'errors.timebank.notOnboarded');
  END IF;
  IF needed IS NULL THEN
    errors := errors || jsonb_build_object('field', 'categoryId', 'code', 'errors.timebank.category.missing');
  END IF;
  IF NOT post_found THEN
    errors := errors || jsonb_build_object('field', 'postId', 'code', 'errors.timebank.post.missing');
  END IF;
  IF jsonb_array_length(errors) > 0 THEN
    PERFORM timebank_refuse('validation-failed', jsonb_build_object('errors', errors));
  END IF;
  -- Whoever gives help that needs a background check must have a current one of that level or higher.
  IF needed <> 'none' AND NOT EXISTS (
      SELECT 1 FROM timebank_checks k
      WHERE k.person_record_id = giver_record AND k.expires_on >= today
        AND array_position(levels, k.level) >= array_position(levels, needed)) THEN
    PERFORM timebank_refuse('timebank-check-needed', jsonb_build_object('field', 'giver', 'checkLevel', needed));
  END IF;
  -- Said early, so nobody waits on a confirmation the ledger would refuse.
  IF receiver_balance - exchange_minutes < bank.minimum_balance THEN
    PERFORM timebank_refuse('timebank-below-limit', jsonb_build_object('minimumBalance', bank.minimum_balance));
  END IF;
  INSERT INTO timebank_exchanges (community_id, occurred_on, category_id, post_id, note, recorded_by, recorded_for, on_behalf,
      confirms_on, status, decided_by, decided_at)
    VALUES (in_community, exchange_day, exchange_category, exchange_post, coalesce(exchange_note, ''), by_actor,
      CASE recorded_by_side WHEN 'giver' THEN giver_account WHEN 'receiver' THEN receiver_account END,
      recorded_by_side IS NULL, today + bank.auto_confirm_days,
      CASE WHEN confirm_now THEN 'confirmed' ELSE 'pending' END,
      CASE WHEN confirm_now THEN by_actor END,
      CASE WHEN confirm_now THEN now() END)
    RETURNING * INTO made;
  INSERT INTO timebank_exchange_parties (community_id, exchange_id, account_id, side, minutes)
    VALUES (in_community, made.id, giver_account, 'giver', exchange_minutes),
           (in_community, made.id, receiver_account, 'receiver', exchange_minutes);
  INSERT INTO audit_events (community_id, actor_id, action, subject_type, subject_id, reason, detail)
    VALUES (in_community, by_actor, 'timebank.exchange_recorded', 'timebank_exchange', made.id::text, NULL,
      jsonb_build_object('minutes', exchange_minutes, 'onBehalf', made.on_behalf));
  IF confirm_now THEN
    PERFORM timebank_post_exchange(made, by_actor, bank.minimum_balance, today);
  END IF;
  RETURN NEXT made;
END $$;
--> statement-breakpoint
-- Confirms an exchange and posts it, in one step: if the ledger refuses, it stays as it was;
-- confirming twice posts once (the second is told it as it is). `as_asked`: checked as the
-- person asking may (a side of it who sees it, the side asked to confirm, or staff, who may also
-- confirm a disputed one); without it (a group recorded by a coordinator, the nightly
-- confirmation) it is confirmed if still pending or disputed. Returns the exchange; no row when
-- the community has no time bank yet (the service sets it up and asks again).
CREATE FUNCTION timebank_confirm_exchange(in_community uuid, exchange uuid, by_actor uuid, actor_record uuid,
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
    WHERE e.id = exchange AND e.status IN ('pending', 'disputed')
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
--> statement-breakpoint
REVOKE ALL ON FUNCTION timebank_refuse(text, jsonb) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION timebank_refuse(text, jsonb) TO coproduce_app;
--> statement-breakpoint
REVOKE ALL ON FUNCTION timebank_post_transfer(uuid, text, date, uuid[], int[], int, uuid, uuid, text, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION timebank_post_transfer(uuid, text, date, uuid[], int[], int, uuid, uuid, text, uuid) TO coproduce_app;
--> statement-breakpoint
REVOKE ALL ON FUNCTION timebank_post_exchange(timebank_exchanges, uuid, int, date) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION timebank_post_exchange(timebank_exchanges, uuid, int, date) TO coproduce_app;
--> statement-breakpoint
REVOKE ALL ON FUNCTION timebank_record_exchange(uuid, uuid, uuid, uuid, int, date, uuid, uuid, text, text, boolean, date) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION timebank_record_exchange(uuid, uuid, uuid, uuid, int, date, uuid, uuid, text, text, boolean, date) TO coproduce_app;
--> statement-breakpoint
REVOKE ALL ON FUNCTION timebank_confirm_exchange(uuid, uuid, uuid, uuid, boolean, boolean, date) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION timebank_confirm_exchange(uuid, uuid, uuid, uuid, boolean, boolean, date) TO coproduce_app;

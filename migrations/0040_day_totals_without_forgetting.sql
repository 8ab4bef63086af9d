-- A finished day is no longer forgotten when an exchange of that day posts (or is reversed, or
-- imported): the transfer's trigger (timebank_keep_day_totals) already adds its row, or its
-- negated row, to that day's kept totals. Forgetting the day also deleted that row, and raced
-- with a report adding the day up at the same moment: the report, which could not yet see the
-- exchange, then marked the day counted without it, for good. Adding a day up replaces its rows
-- in one snapshot, so an exchange posted meanwhile keeps its own row and is counted once.
-- (`today` stays in the signature so that callers do not change.)
CREATE OR REPLACE FUNCTION timebank_post_exchange(confirmed timebank_exchanges, by_actor uuid, minimum_balance int, today date)
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

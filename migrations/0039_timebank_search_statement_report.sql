-- Search ranks only the newest matches. Ranking every match of a common word (one post in six
-- says "café" in a time bank of 100,000 members) read and ranked thousands of posts for a page of
-- twenty. Now the newest `ranked` matches come best match first, and any older ones follow,
-- newest first (their rank is -1, so a cursor says which part it is in). Each page walks the
-- posts newest first by index and stops when it has enough; for a rare word PostgreSQL reads the
-- few matches from the full-text index instead. It chooses with the words' real frequencies:
-- the function is PL/pgSQL planned for each call's values (a SQL function is planned blind).
DROP FUNCTION timebank_search(text, text, uuid, text, text, boolean, date, float8, timestamptz, uuid, int);
--> statement-breakpoint
CREATE INDEX timebank_posts_newest ON timebank_posts USING btree (community_id, created_at, id);
--> statement-breakpoint
CREATE FUNCTION timebank_search(words text, post_kind text, post_category uuid, post_place text, post_neighbourhood text, include_closed boolean, today date,
    after_rank float8, after_created timestamptz, after_id uuid, max_rows int, ranked int)
  RETURNS TABLE (id uuid, rank float8, created_at timestamptz)
  LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 25
  SET search_path = public SET plan_cache_mode = force_custom_plan AS
$$
#variable_conflict use_column
DECLARE
  q tsquery := websearch_to_tsquery('coproduce_search', words);
  community uuid := app_community_id();
  ids uuid[];
  ranks float8[];
  instants timestamptz[];
  shown int := 0;
  older_created timestamptz := after_created;
  older_id uuid := after_id;
BEGIN
  IF after_rank IS NULL OR after_rank >= 0 THEN
    -- The newest matches, ranked.
    SELECT array_agg(w.id ORDER BY w.created_at DESC, w.id DESC), array_agg(round(ts_rank(w.search, q)::numeric, 6)::float8 ORDER BY w.created_at DESC, w.id DESC),
        array_agg(w.created_at ORDER BY w.created_at DESC, w.id DESC)
      INTO ids, ranks, instants
      FROM (
        SELECT p.id, p.created_at, p.search FROM timebank_posts p
        WHERE p.community_id = community AND p.search @@ q
          AND (include_closed OR (p.closed_at IS NULL AND p.ends_on >= today))
          AND (post_kind IS NULL OR p.kind = post_kind)
          AND (post_category IS NULL OR p.category_id = post_category)
          AND (post_place IS NULL OR p.place = post_place)
          AND (post_neighbourhood IS NULL OR lower(p.neighbourhood) = lower(post_neighbourhood))
        ORDER BY p.created_at DESC, p.id DESC
        LIMIT ranked
      ) w;
    RETURN QUERY
      SELECT n.id, n.rank, n.created_at FROM unnest(ids, ranks, instants) AS n(id, rank, created_at)
      WHERE after_id IS NULL OR (n.rank, n.created_at, n.id) < (after_rank, after_created, after_id)
      ORDER BY n.rank DESC, n.created_at DESC, n.id DESC
      LIMIT max_rows;
    GET DIAGNOSTICS shown = ROW_COUNT;
    -- Fewer matches than the ranked ones: there are no older ones.
    IF shown >= max_rows OR coalesce(cardinality(ids), 0) < ranked THEN
      RETURN;
    END IF;
    older_created := instants[ranked];
    older_id := ids[ranked];
  END IF;
  -- Older matches, newest first.
  RETURN QUERY
    SELECT p.id, -1::float8, p.created_at FROM timebank_posts p
    WHERE p.community_id = community AND p.search @@ q
      AND (include_closed OR (p.closed_at IS NULL AND p.ends_on >= today))
      AND (post_kind IS NULL OR p.kind = post_kind)
      AND (post_category IS NULL OR p.category_id = post_category)
      AND (post_place IS NULL OR p.place = post_place)
      AND (post_neighbourhood IS NULL OR lower(p.neighbourhood) = lower(post_neighbourhood))
      AND (p.created_at, p.id) < (older_created, older_id)
    ORDER BY p.created_at DESC, p.id DESC
    LIMIT max_rows - shown;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION timebank_search(text, text, uuid, text, text, boolean, date, float8, timestamptz, uuid, int, int) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION timebank_search(text, text, uuid, text, text, boolean, date, float8, timestamptz, uuid, int, int) TO coproduce_app;
--> statement-breakpoint
-- The day totals are kept as exchanges post. Each exchange's transfer adds a row of one exchange
-- to the totals of the day it happened (its kind of help, its first giver's neighbourhood, the
-- givers' minutes, a group's receivers), and the reversal of one adds the same row negated, so
-- today's totals are read, not added up from every exchange of the day (at 5,000,000 a year,
-- 13,700 a day, each found through its sides). When a day is added up from the exchanges (by
-- the nightly job, or by the first report that needs a finished day), its rows are replaced by
-- one per kind of help and neighbourhood; a day whose exchanges changed after that is forgotten
-- and added up again, as before.
CREATE FUNCTION timebank_keep_day_totals() RETURNS trigger LANGUAGE plpgsql AS
$$
DECLARE
  counted uuid;
  sign int := 1;
BEGIN
  IF NEW.kind IN ('exchange', 'group') THEN
    counted := NEW.exchange_id;
  ELSIF NEW.kind = 'reversal' THEN
    SELECT t.exchange_id INTO counted FROM timebank_transfers t WHERE t.id = NEW.reverses_id AND t.kind IN ('exchange', 'group');
    sign := -1;
  END IF;
  IF counted IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO timebank_day_totals (community_id, day, category_id, neighbourhood, exchanges, minutes, group_exchanges, group_receivers)
    SELECT e.community_id, e.occurred_on, e.category_id,
      coalesce((SELECT a.neighbourhood FROM timebank_exchange_parties p JOIN timebank_accounts a ON a.id = p.account_id
                WHERE p.exchange_id = e.id AND p.side = 'giver' ORDER BY p.account_id LIMIT 1), ''),
      sign, sign * coalesce((SELECT sum(p.minutes) FROM timebank_exchange_parties p WHERE p.exchange_id = e.id AND p.side = 'giver'), 0)::int,
      CASE WHEN e.is_group THEN sign ELSE 0 END,
      CASE WHEN e.is_group THEN sign * (SELECT count(*) FROM timebank_exchange_parties p WHERE p.exchange_id = e.id AND p.side = 'receiver')::int ELSE 0 END
    FROM timebank_exchanges e WHERE e.id = counted;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER timebank_transfers_day_totals AFTER INSERT ON timebank_transfers
  FOR EACH ROW EXECUTE FUNCTION timebank_keep_day_totals();
--> statement-breakpoint
-- Today's exchanges already in the ledger, as the trigger would have kept them (one row per kind
-- of help and neighbourhood, which sums the same).
INSERT INTO timebank_day_totals (community_id, day, category_id, neighbourhood, exchanges, minutes, group_exchanges, group_receivers)
  SELECT x.community_id, x.day, x.category_id, x.neighbourhood, count(*)::int, sum(x.minutes)::int,
    (count(*) FILTER (WHERE x.is_group))::int, coalesce(sum(x.receivers) FILTER (WHERE x.is_group), 0)::int
  FROM (
    SELECT e.community_id, e.occurred_on AS day, e.category_id, e.is_group,
      coalesce((SELECT a.neighbourhood FROM timebank_exchange_parties p JOIN timebank_accounts a ON a.id = p.account_id
                WHERE p.exchange_id = e.id AND p.side = 'giver' ORDER BY p.account_id LIMIT 1), '') AS neighbourhood,
      (SELECT sum(p.minutes) FROM timebank_exchange_parties p WHERE p.exchange_id = e.id AND p.side = 'giver') AS minutes,
      (SELECT count(*) FROM timebank_exchange_parties p WHERE p.exchange_id = e.id AND p.side = 'receiver') AS receivers
    FROM timebank_exchanges e
    WHERE e.status = 'confirmed' AND e.reversed_at IS NULL AND e.occurred_on = (now() AT TIME ZONE 'Europe/London')::date
      AND NOT EXISTS (SELECT 1 FROM timebank_days_counted d WHERE d.community_id = e.community_id AND d.day = e.occurred_on)
  ) x
  GROUP BY x.community_id, x.day, x.category_id, x.neighbourhood;
--> statement-breakpoint
-- The few accounts closed when two people's records were merged: a report finds them without
-- reading every account again.
CREATE INDEX timebank_accounts_closed ON timebank_accounts USING btree (community_id) WHERE closed_at IS NOT NULL;
--> statement-breakpoint
-- Unmet need reads the range's requests, not every post.
CREATE INDEX timebank_posts_requests ON timebank_posts USING btree (community_id, created_at) WHERE kind = 'request';

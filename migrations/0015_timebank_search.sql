-- Row-level security keeps the full-text index from being used: the match operator is not
-- "leakproof", so PostgreSQL must filter every row by community first. This function searches
-- the current community's posts (app_community_id(), as the policies do) with the index, and
-- returns only ids and ranks; the caller reads the posts themselves under row-level security.
CREATE FUNCTION timebank_search(words text, post_kind text, post_category uuid, post_place text, post_neighbourhood text, include_closed boolean, today date,
    after_rank float8, after_created timestamptz, after_id uuid, max_rows int)
  RETURNS TABLE (id uuid, rank float8, created_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
  SELECT p.id, round(ts_rank(p.search, q)::numeric, 6)::float8 AS rank, p.created_at
  FROM timebank_posts p, websearch_to_tsquery('coproduce_search', words) q
  WHERE p.community_id = app_community_id() AND p.search @@ q
    AND (include_closed OR (p.closed_at IS NULL AND p.ends_on >= today))
    AND (post_kind IS NULL OR p.kind = post_kind)
    AND (post_category IS NULL OR p.category_id = post_category)
    AND (post_place IS NULL OR p.place = post_place)
    AND (post_neighbourhood IS NULL OR lower(p.neighbourhood) = lower(post_neighbourhood))
    AND (after_id IS NULL OR (round(ts_rank(p.search, q)::numeric, 6)::float8, p.created_at, p.id) < (after_rank, after_created, after_id))
  ORDER BY 2 DESC, p.created_at DESC, p.id DESC
  LIMIT max_rows
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION timebank_search(text, text, uuid, text, text, boolean, date, float8, timestamptz, uuid, int) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION timebank_search(text, text, uuid, text, text, boolean, date, float8, timestamptz, uuid, int) TO coproduce_app;

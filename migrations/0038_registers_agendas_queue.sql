-- The triage queue's urgent referrals, oldest first: the queue reads its page of them in this
-- order instead of walking every open referral to find the urgent ones.
CREATE INDEX "referrals_urgent_queue" ON "referrals" USING btree ("community_id","created_at","id") WHERE "referrals"."status" in ('new', 'contacting') and "referrals"."urgency" = 'urgent';
--> statement-breakpoint
-- A review meeting's agenda counts (people in all, and people for each reason), kept on the
-- meeting whenever its agenda changes, so that reading the meeting counts nothing.
ALTER TABLE "review_meetings" ADD COLUMN "agenda_counts" jsonb DEFAULT '{"total": 0, "byReason": {}}'::jsonb NOT NULL;
--> statement-breakpoint
-- The counts of one meeting's agenda: a person there for two reasons counts once in the total
-- and once under each reason. SECURITY INVOKER: row-level security applies as to the caller.
CREATE FUNCTION review_agenda_counts(meeting uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'total', (SELECT count(*)::int FROM review_items WHERE meeting_id = meeting),
    'byReason', coalesce((SELECT jsonb_object_agg(reason, people) FROM (
      SELECT reason, count(*)::int AS people FROM review_items i, unnest(i.reasons) AS reason
      WHERE i.meeting_id = meeting GROUP BY reason) counted), '{}'::jsonb))
$$;
--> statement-breakpoint
-- Whatever writes agenda items (building the agenda, adding someone, merging two records, the
-- data generator), the meetings they belong to get their counts again, once per statement.
CREATE FUNCTION review_items_keep_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE review_meetings m SET agenda_counts = review_agenda_counts(m.id)
      WHERE m.id IN (SELECT meeting_id FROM added_items);
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE review_meetings m SET agenda_counts = review_agenda_counts(m.id)
      WHERE m.id IN (SELECT meeting_id FROM removed_items);
  ELSE
    -- Only a change of reasons or of meeting changes the counts (not a discussion recorded).
    UPDATE review_meetings m SET agenda_counts = review_agenda_counts(m.id)
      WHERE m.id IN (
        SELECT b.meeting_id FROM removed_items b JOIN added_items a ON a.id = b.id
          WHERE a.reasons IS DISTINCT FROM b.reasons OR a.meeting_id <> b.meeting_id
        UNION
        SELECT a.meeting_id FROM removed_items b JOIN added_items a ON a.id = b.id
          WHERE a.reasons IS DISTINCT FROM b.reasons OR a.meeting_id <> b.meeting_id);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER review_items_counted_on_insert AFTER INSERT ON review_items
  REFERENCING NEW TABLE AS added_items FOR EACH STATEMENT EXECUTE FUNCTION review_items_keep_counts();
--> statement-breakpoint
CREATE TRIGGER review_items_counted_on_update AFTER UPDATE ON review_items
  REFERENCING OLD TABLE AS removed_items NEW TABLE AS added_items FOR EACH STATEMENT EXECUTE FUNCTION review_items_keep_counts();
--> statement-breakpoint
CREATE TRIGGER review_items_counted_on_delete AFTER DELETE ON review_items
  REFERENCING OLD TABLE AS removed_items FOR EACH STATEMENT EXECUTE FUNCTION review_items_keep_counts();
--> statement-breakpoint
UPDATE review_meetings SET agenda_counts = review_agenda_counts(id);

-- A merge moves a member's pauses and returns to the network membership that stays; nothing
-- else about a recorded change can be altered, and none can be deleted.
GRANT UPDATE (member_id) ON peer_membership_changes TO coproduce_app;
--> statement-breakpoint
-- The ledger is append-only, but a transfer's note is what someone wrote: erasure may empty it,
-- and nothing else about a transfer can change.
GRANT UPDATE (note) ON timebank_transfers TO coproduce_app;
--> statement-breakpoint
CREATE FUNCTION timebank_transfers_note_only_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.note <> '' AND NEW.note IS DISTINCT FROM OLD.note THEN
    RAISE EXCEPTION 'a transfer''s note can only be emptied';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER timebank_transfers_note_only_emptied BEFORE UPDATE ON timebank_transfers
  FOR EACH ROW EXECUTE FUNCTION timebank_transfers_note_only_emptied();
--> statement-breakpoint
-- Erasure empties the messages the community sent to the person's address.
CREATE POLICY outbox_erase ON outbox FOR UPDATE TO coproduce_app
  USING (community_id = app_community_id()) WITH CHECK (community_id = app_community_id());
--> statement-breakpoint
-- Messages outside any community (confirming an address, resetting a password) sent to an
-- account that has been forgotten: only once no live account has the address.
CREATE FUNCTION forget_platform_messages(address text) RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  WITH emptied AS (
    UPDATE outbox SET recipient = 'forgotten', subject = '', body = ''
    WHERE community_id IS NULL AND lower(recipient) = lower(address)
      AND NOT EXISTS (SELECT 1 FROM people WHERE lower(email) = lower(address) AND erased_at IS NULL)
    RETURNING 1
  )
  SELECT count(*)::integer FROM emptied
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION forget_platform_messages(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION forget_platform_messages(text) TO coproduce_app;

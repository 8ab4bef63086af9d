-- timebank_search returns at most a page of posts: said to the planner, it joins them to their
-- details by key instead of reading every person's record (measured at 100,000 members).
ALTER FUNCTION timebank_search(text, text, uuid, text, text, boolean, date, float8, timestamptz, uuid, int) ROWS 25;

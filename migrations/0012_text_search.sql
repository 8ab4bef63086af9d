-- Searching people's words: English stemming ("gardening" finds "garden") with accents
-- ignored ("cafe" finds "café"). unaccent is a trusted extension: a database owner may add it.
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION coproduce_search (COPY = english);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION coproduce_search ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;

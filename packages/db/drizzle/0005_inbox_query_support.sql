-- What the inbox queries need besides indexes (0006; crm conversations.ts): search that ignores accents
-- and case in both directions (conversations.list `q`), and what the planner must know to read pages.
CREATE EXTENSION IF NOT EXISTS unaccent;--> statement-breakpoint

-- unaccent() is only STABLE (it finds its dictionary through search_path), and generated columns and
-- index expressions need IMMUTABLE functions: this wrapper names the dictionary by schema. Changing it
-- means recomputing contacts.search_text.
CREATE FUNCTION alfred_unaccent(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN public.unaccent('public.unaccent'::regdictionary, $1);--> statement-breakpoint

-- Message words: customers write Portuguese and English, so no stemming and no stop words (a search
-- for "não" finds "não"); accents are folded before the words are indexed.
CREATE TEXT SEARCH CONFIGURATION alfred_search (COPY = simple);--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION alfred_search ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;--> statement-breakpoint

-- Inbox reads of conversations are short index walks that stop at a page: a parallel plan only adds
-- worker start-up (a search for a mid-frequency word took 95-125 ms in parallel, 30-40 ms without, on
-- 100k conversations on a busy 2-core machine).
ALTER TABLE conversations SET (parallel_workers = 0);--> statement-breakpoint

-- An assignee, a channel or a conversation belongs to one tenant: without these the planner multiplies
-- "tenant = X" by "assignee = Y" as if independent, underestimates a filtered list several times over
-- and walks thousands of rows it expected to skip. Extended statistics cost nothing on writes.
CREATE STATISTICS conversations_tenant_dependencies (dependencies) ON tenant_id, assignee_id, channel_id FROM conversations;--> statement-breakpoint
CREATE STATISTICS messages_tenant_dependencies (dependencies) ON tenant_id, conversation_id FROM messages;

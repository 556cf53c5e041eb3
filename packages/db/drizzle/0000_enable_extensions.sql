-- Trigram search on contacts and message text (conversation search `q`).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

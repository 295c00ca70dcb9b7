-- add created_at to notes
--
-- Revision ID: 2b3c4d5e6f70
-- Revises: 1a2b3c4d5e6f
-- Branch Labels:
-- Depends On:
-- Create Date: 2026-12-06 13:05:00.000000

-- migrate:upgrade
ALTER TABLE notes ADD COLUMN created_at text;
CREATE INDEX notes_created_at ON notes (created_at);

-- migrate:downgrade
DROP INDEX notes_created_at;
ALTER TABLE notes DROP COLUMN created_at;

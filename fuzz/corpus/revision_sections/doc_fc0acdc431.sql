-- Add full_name to users            <- message (first line = the doc)
--
-- Revision ID: 2b3c4d5e6f70         <- required; no '@', '-', '+', ':', spaces, ','
-- Revises: 1a2b3c4d5e6f             <- parents, comma-separated; empty for a base
-- Branch Labels: auth               <- optional labels
-- Depends On:                       <- cross-branch dependencies (ids or labels)
-- Create Date: 2026-11-21 10:00:00.000000
-- Transactional: false              <- optional: run outside a transaction

-- migrate:upgrade
ALTER TABLE users ADD COLUMN full_name varchar(255);

-- migrate:downgrade
ALTER TABLE users DROP COLUMN full_name;

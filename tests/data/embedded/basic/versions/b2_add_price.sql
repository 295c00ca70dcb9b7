-- add price
--
-- Revision ID: b2b2b2b2b2b2
-- Revises: a1a1a1a1a1a1
-- Branch Labels:
-- Depends On:
-- Create Date: 2026-12-06 13:01:00.000000

-- migrate:upgrade
ALTER TABLE items ADD COLUMN price integer;

-- migrate:downgrade
ALTER TABLE items DROP COLUMN price;

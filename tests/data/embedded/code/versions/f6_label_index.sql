-- index the labels
--
-- Revision ID: f6f6f6f6f6f6
-- Revises: e5e5e5e5e5e5
-- Branch Labels:
-- Depends On:
-- Create Date: 2026-12-06 16:32:00.000000

-- migrate:upgrade
CREATE INDEX prices_label ON prices (label);

-- migrate:downgrade
DROP INDEX prices_label;

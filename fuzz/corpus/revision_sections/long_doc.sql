
-- Add full_name to users
--
-- A longer description
-- over two lines.
--
-- Revision ID: 2b3c4d5e6f70
-- Revises: 1a2b3c4d5e6f
-- Branch Labels:
-- Depends On:
-- Create Date: 2026-11-21 10:00:00.000000
-- migrate:upgrade
ALTER TABLE users ADD COLUMN full_name varchar(255);
-- migrate:downgrade
ALTER TABLE users DROP COLUMN full_name;

-- create items
--
-- Revision ID: a1a1a1a1a1a1
-- Revises:
-- Branch Labels:
-- Depends On:
-- Create Date: 2026-12-06 13:00:00.000000

-- migrate:upgrade
CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL);
CREATE INDEX items_name ON items (name);

-- migrate:downgrade
DROP INDEX items_name;
DROP TABLE items;

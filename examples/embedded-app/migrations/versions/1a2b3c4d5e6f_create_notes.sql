-- create notes
--
-- Revision ID: 1a2b3c4d5e6f
-- Revises:
-- Branch Labels:
-- Depends On:
-- Create Date: 2026-12-06 13:00:00.000000

-- migrate:upgrade
CREATE TABLE notes (
    id integer PRIMARY KEY,
    body text NOT NULL
);

-- migrate:downgrade
DROP TABLE notes;

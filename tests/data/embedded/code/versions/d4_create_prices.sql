-- create prices
--
-- Revision ID: d4d4d4d4d4d4
-- Revises:
-- Branch Labels:
-- Depends On:
-- Create Date: 2026-12-06 16:30:00.000000

-- migrate:upgrade
CREATE TABLE prices (id integer PRIMARY KEY, cents integer NOT NULL);
INSERT INTO prices (id, cents) VALUES (1, 150), (2, 2599), (3, 7);

-- migrate:downgrade
DROP TABLE prices;

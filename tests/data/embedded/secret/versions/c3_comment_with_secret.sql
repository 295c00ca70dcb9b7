-- a statement holding a secret placeholder
--
-- Revision ID: c3c3c3c3c3c3
-- Revises:
-- Branch Labels:
-- Depends On:
-- Create Date: 2026-12-06 13:02:00.000000

-- migrate:upgrade
CREATE TABLE vaulted (id integer);
COMMENT ON TABLE vaulted IS ${app_pw:literal};

-- migrate:downgrade
DROP TABLE vaulted;

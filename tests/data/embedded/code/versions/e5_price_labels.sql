-- price labels, formatted by the application
--
-- Revision ID: e5e5e5e5e5e5
-- Revises: d4d4d4d4d4d4
-- Branch Labels:
-- Depends On:
-- Create Date: 2026-12-06 16:31:00.000000

-- migrate:upgrade
-- retort: code

-- migrate:downgrade
ALTER TABLE prices DROP COLUMN label;

-- a revision that changes session settings (PostgreSQL)
--
-- Revision ID: c3c3c3c3c3c3
-- Revises:
-- Branch Labels:
-- Depends On:
-- Create Date: 2026-12-06 16:00:00.000000

-- migrate:upgrade
SET work_mem = '7MB';
SET datestyle = 'SQL, DMY';
CREATE TABLE public.session_probe (id integer PRIMARY KEY);

-- migrate:downgrade
DROP TABLE public.session_probe;

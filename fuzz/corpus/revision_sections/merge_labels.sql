-- merge auth and inventory
--
-- Revision ID: 3c4d5e6f7081
-- Revises: 1a2b3c4d5e6f, 2b3c4d5e6f70
-- Branch Labels: auth, billing
-- Depends On: 0f1e2d3c4b5a
-- Create Date: 2026-11-21 10:00:00.000000
-- Transactional: false

-- migrate:upgrade
-- retort: empty

-- migrate:downgrade
-- retort: empty

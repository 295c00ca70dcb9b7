-- Imported
--
-- Revision ID: ae1027a6acf
-- Revises:
-- Imported From: alembic/versions/ae1027a6acf_x.py
-- Import Checksum: sha256:9f2c000000000000000000000000000000000000000000000000000000000000

-- migrate:upgrade
SELECT 1;
-- migrate:downgrade

-- data migration
--
-- Revision ID: 4d5e6f708192
-- Revises: 3c4d5e6f7081

-- migrate:upgrade
-- retort: destructive
-- retort: blocks writes: rewrites the table
ALTER TABLE users ALTER COLUMN id TYPE bigint;
CREATE FUNCTION f() RETURNS text AS $body$
-- retort: TODO this is data, not a directive
SELECT '-- retort: empty';
$body$ LANGUAGE sql;
/* -- retort: step
*/
-- migrate:downgrade
-- retort: TODO convert this data migration by hand

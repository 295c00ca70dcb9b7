  -- migrate:upgrade
  CREATE SCHEMA IF NOT EXISTS auth;

  CREATE TABLE auth.users (...);

  -- migrate:downgrade
  -- retort: destructive
  DROP TABLE auth.users;

  -- DROP SCHEMA is left commented out so that a downgrade never drops a schema other revisions or data may still use; uncomment it to drop auth with everything in it:
  -- DROP SCHEMA IF EXISTS auth CASCADE;
  
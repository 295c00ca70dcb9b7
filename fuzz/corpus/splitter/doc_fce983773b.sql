-- users is rebuilt (new table, rows copied, old table dropped, new one renamed; its indexes and triggers recreated):
--   column age changes: age TEXT -> age INTEGER
--   column created is added
-- retort: destructive
CREATE TABLE new_users (id INTEGER PRIMARY KEY, email TEXT, age INTEGER, created TEXT DEFAULT '2020-01-01');
INSERT INTO new_users (id, email, age)
  SELECT id, email, age FROM users;
DROP TABLE users;
PRAGMA legacy_alter_table = ON;
ALTER TABLE new_users RENAME TO users;
PRAGMA legacy_alter_table = OFF;
CREATE UNIQUE INDEX users_email ON users (email);

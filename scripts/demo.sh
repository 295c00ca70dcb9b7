#!/usr/bin/env bash
# End-to-end demo of retort's main job on the embedded default (SQLite):
# create a project, write revisions, look at the graph, migrate up and down,
# and print the SQL a DBA would review.
set -euo pipefail
RETORT=$(realpath "${1:-build/retort}")
work=$(mktemp -d -t retort-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

# Puts SQL under a section marker of a revision file (what a user would type).
fill() {  # file upgrade_sql downgrade_sql
  python3 - "$1" "$2" "$3" <<'PY'
import sys
path, up, down = sys.argv[1:]
text = open(path).read()
text = text.replace("-- migrate:upgrade\n\n", "-- migrate:upgrade\n" + up + "\n", 1)
text = text.replace("-- migrate:downgrade\n", "-- migrate:downgrade\n" + down, 1)
open(path, "w").write(text)
PY
}

step "$RETORT" init migrations
step "$RETORT" revision -m "create users" --rev-id 1a2b3c4d5e6f
fill migrations/versions/1a2b3c4d5e6f_create_users.sql \
  "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL UNIQUE);" \
  "DROP TABLE users;"
step "$RETORT" revision -m "add full_name to users" --rev-id 2b3c4d5e6f70
fill migrations/versions/2b3c4d5e6f70_add_full_name_to_users.sql \
  "ALTER TABLE users ADD COLUMN full_name varchar(255);" \
  "ALTER TABLE users DROP COLUMN full_name;"
step "$RETORT" revision -m "create orders" --rev-id 3c4d5e6f7081
fill migrations/versions/3c4d5e6f7081_create_orders.sql \
  "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES users(id));" \
  "DROP TABLE orders;"
step cat migrations/versions/3c4d5e6f7081_create_orders.sql
step "$RETORT" history
step "$RETORT" heads
step "$RETORT" show 2b3c
step "$RETORT" current
step "$RETORT" upgrade head
step "$RETORT" current
step "$RETORT" history --indicate-current
step "$RETORT" downgrade -1
step "$RETORT" current
step sqlite3 retort.db ".schema users" "SELECT revision, direction, applied_by FROM alembic_version_history ORDER BY id;"
step "$RETORT" upgrade head
step "$RETORT" upgrade 1a2b:head --sql
printf '\ndemo finished: project was in %s (removed)\n' "$work"

#!/usr/bin/env bash
# Draws the pictures shown in README.md and docs/pictures.md from a small
# example project: the revision graph (docs/images/revision-graph.svg) and
# the schema of its models (docs/images/schema-graph.svg), with Graphviz.
# The models load into a throwaway PostgreSQL cluster (--dev ephemeral).
#   scripts/pictures.sh build/retort
set -euo pipefail
retort=$(realpath "${1:-build/retort}")
out=$(realpath "$(dirname "$0")/../docs/images")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$retort" init migrations > /dev/null
cat > retort.toml <<'TOML'
script_location = "migrations"
url = "sqlite:///app.db"
TOML
rev() {  # id parents labels depends message
  cat > "migrations/versions/$1.sql" <<SQL
-- $5
--
-- Revision ID: $1
-- Revises: $2
-- Branch Labels: $3
-- Depends On: $4
-- Create Date: 2026-12-06 10:00:00.000000

-- migrate:upgrade
-- retort: empty

-- migrate:downgrade
-- retort: empty
SQL
}
rev 1975ea83b712 "" "" "" "create account"
rev 27c6a30d7c24 1975ea83b712 "" "" "add orders"
rev 3f1c0d2a9b7e 27c6a30d7c24 "" "" "add order lines"
rev 5c7d8e9f0a1b 1975ea83b712 auth "" "add users"
rev 8a9b0c1d2e3f 5c7d8e9f0a1b "" "" "add sessions"
rev e0b2a2c1d3f4 "3f1c0d2a9b7e, 8a9b0c1d2e3f" "" "" "merge auth and shop"
rev f4e5d6c7b8a9 e0b2a2c1d3f4 "" 5c7d8e9f0a1b "orders reference users"
"$retort" -q upgrade 3f1c0d2a9b7e
echo "== retort history --graph"
"$retort" history --graph
"$retort" graph | dot -Tsvg -o "$out/revision-graph.svg"
echo "== retort graph --format mermaid"
"$retort" graph --format mermaid

mkdir models
cat > models/app.sql <<'SQL'
CREATE SCHEMA auth;
CREATE SCHEMA shop;
CREATE TABLE auth.users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE auth.sessions (id uuid PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES auth.users, expires timestamptz);
CREATE TABLE shop.products (id bigint PRIMARY KEY, name text NOT NULL,
  price numeric(10,2));
CREATE TABLE shop.orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  buyer bigint NOT NULL REFERENCES auth.users, placed timestamptz NOT NULL);
CREATE TABLE shop.order_lines (order_id bigint REFERENCES shop.orders, n int,
  product_id bigint NOT NULL REFERENCES shop.products, qty int NOT NULL,
  PRIMARY KEY (order_id, n));
SQL
cat > retort.toml <<'TOML'
script_location = "migrations"
url = "postgresql://app@127.0.0.1:1/app"
models = ["models/*.sql"]
TOML
"$retort" -q schema-graph --dev ephemeral | dot -Tsvg -o "$out/schema-graph.svg"
echo "== retort schema-graph --format mermaid"
"$retort" -q schema-graph --dev ephemeral --format mermaid

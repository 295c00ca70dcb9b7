"""A Rails application's schema, as its db/structure.sql holds it: the
shapes `rails db:schema:dump` (structure format) writes for a PostgreSQL 15
database -- pg_dump --schema-only --no-privileges --no-owner output (the SET
preamble, bigserial keys as a sequence, OWNED BY and SET DEFAULT nextval,
keys and foreign keys added with ALTER TABLE ONLY, indexes USING btree,
varchar and timestamp(6) columns, jsonb/boolean/integer/string defaults, an
enum, partial unique indexes, a few views and SQL functions) followed by
Rails' own footer (SET search_path, INSERT INTO schema_migrations).

The tables are generated, not copied from a project: `sql(n)` is the DDL to
load with psql, and `structure(url)` dumps a database holding it with
pg_dump, so the file has exactly the text pg_dump writes."""
import subprocess


def sql(n, extra=False):
    out = ["CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', "
           "'cancelled');\n",
           "CREATE TABLE schema_migrations (version character varying NOT NULL "
           "PRIMARY KEY);\n",
           "CREATE TABLE ar_internal_metadata (key character varying NOT NULL "
           "PRIMARY KEY, value character varying, created_at timestamp(6) "
           "without time zone NOT NULL, updated_at timestamp(6) without time "
           "zone NOT NULL);\n"]
    for i in range(n):
        cols = ["id bigserial PRIMARY KEY"]
        if i > 0:
            cols.append(f"account_id bigint NOT NULL REFERENCES t{i // 8} (id)")
        cols += ["name character varying DEFAULT '' NOT NULL",
                 "settings jsonb DEFAULT '{}' NOT NULL",
                 "active boolean DEFAULT false NOT NULL",
                 "position integer DEFAULT 0",
                 "amount_cents bigint DEFAULT 0 NOT NULL",
                 "deleted_at timestamp(6) without time zone",
                 "created_at timestamp(6) without time zone NOT NULL",
                 "updated_at timestamp(6) without time zone NOT NULL"]
        if i % 5 == 0:
            cols.append("status order_status DEFAULT 'pending' NOT NULL")
        if extra and i == n - 1:
            cols.append("note text")
        out.append(f"CREATE TABLE t{i} ({', '.join(cols)});\n")
        if i > 0:
            out.append(f"CREATE INDEX index_t{i}_on_account_id ON t{i} "
                       f"(account_id);\n")
            out.append(f"CREATE UNIQUE INDEX index_t{i}_on_account_id_and_name "
                       f"ON t{i} (account_id, name) WHERE deleted_at IS NULL;\n")
        out.append(f"CREATE INDEX index_t{i}_on_created_at ON t{i} "
                   f"(created_at);\n")
    for v in range(min(3, n)):
        out.append(f"CREATE VIEW active_t{v} AS SELECT id, name FROM t{v} "
                   f"WHERE active AND deleted_at IS NULL;\n")
    for f in range(min(2, n)):
        out.append(f"CREATE FUNCTION t{f}_total(a bigint) RETURNS bigint "
                   f"LANGUAGE sql STABLE AS $$ SELECT sum(amount_cents)::bigint "
                   f"FROM public.t{f} WHERE id = a $$;\n")
    return "".join(out)


def structure(bindir, url, versions=300):
    dump = subprocess.run([f"{bindir}/pg_dump", "--schema-only",
                           "--no-privileges", "--no-owner", url],
                          check=True, capture_output=True, text=True).stdout
    # Rails drops pg_dump's comment lines and appends its footer.
    lines = [l for l in dump.splitlines() if not l.startswith("--")]
    body = "\n".join(lines).strip() + "\n\n"
    body += 'SET search_path TO "$user", public;\n\n'
    body += 'INSERT INTO "schema_migrations" (version) VALUES\n'
    body += ",\n".join(f"('2024{v:010d}')" for v in range(versions))
    return body + ";\n\n"

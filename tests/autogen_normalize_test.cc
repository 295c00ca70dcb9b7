// The plain-model normaliser (autogen/model_normalize.h) against the
// server: every shape it accepts is loaded into a fresh database and the
// two catalogs must be equal fact by fact. (What it must decline is in
// src/autogen/model_normalize_test.cc: no server needed.)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "autogen/autogen.h"
#include "autogen/model_normalize.h"
#include "autogen/model_scan.h"
#include "autogen/scratch.h"
#include "catalog/pg_introspect.h"
#include "dialect/url.h"
#include "normalize_check.h"
#include "pg_harness.h"

namespace retort {
namespace {

// Loads `sql` into a fresh database and requires the normaliser to accept
// it and to agree with the server.
void ExpectSameAsServer(const std::string& sql) {
  auto scan = ScanModels({ModelFile{"models.sql", sql}});
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  ASSERT_NE(scan->normalized, nullptr);
  ASSERT_TRUE(scan->normalized->catalog.has_value())
      << "declined: " << scan->normalized->declined << "\n"
      << sql;
  std::string url = testing::FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  auto conn = Connect(url);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  Status loaded = LoadModels(**conn, *scan);
  ASSERT_TRUE(loaded.ok()) << loaded.ToString() << "\n" << sql;
  const int before = testing::NormalizedComparisons();
  EXPECT_TRUE(testing::ExpectNormalizedMatches(sql, url));
  EXPECT_EQ(testing::NormalizedComparisons(), before + 1);
}

TEST(AutogenNormalize, EmptyModelsAreTheEmptyDatabase) {
  ExpectSameAsServer("");
  ExpectSameAsServer("-- nothing but a comment\n");
}

TEST(AutogenNormalize, TheBenchmarkSchema) {
  std::string sql;
  for (int i = 0; i < 30; ++i) {
    const std::string n = std::to_string(i), ref = std::to_string(i / 10);
    sql += "CREATE TABLE m_" + n +
           " (id integer PRIMARY KEY, name text NOT NULL, ref integer "
           "REFERENCES m_" +
           ref + " (id), created_at timestamptz DEFAULT now(), extra text);\n" +
           "CREATE INDEX ix_m_" + n + "_name ON m_" + n + " (name);\n";
  }
  sql += "COMMENT ON TABLE m_0 IS 'run 1';\n";
  ExpectSameAsServer(sql);
}

TEST(AutogenNormalize, EveryBuiltInType) {
  ExpectSameAsServer(
      "CREATE TABLE t (a integer, b int, c int4, d smallint, e int2, "
      "f bigint, g int8, h real, i float4, j double precision, k float8, "
      "l float, m numeric, n numeric(10), o numeric(10,2), p decimal(5,1), "
      "q text, r varchar, s varchar(20), u character varying(30), v char(3), "
      "w character(2), x char, y boolean, z bool, aa timestamp, "
      "ab timestamp(3), ac timestamptz, ad timestamp with time zone, "
      "ae timestamp(0) with time zone, af timestamp without time zone, "
      "ag date, ah uuid, ai jsonb, aj json, ak bytea, al inet, "
      "am pg_catalog.int4, an numeric(1000, 1000), ao float(10), "
      "ap timestamp(6))");
}

TEST(AutogenNormalize, Defaults) {
  ExpectSameAsServer(
      "CREATE TABLE t (a integer DEFAULT 0, b integer DEFAULT 42, "
      "c integer DEFAULT 007, d bigint DEFAULT 0, e smallint DEFAULT 3, "
      "f numeric(10,2) DEFAULT 0, g real DEFAULT 1, h double precision "
      "DEFAULT 2, i text DEFAULT 'x', j text DEFAULT 'it''s', "
      "k text DEFAULT '', l varchar(10) DEFAULT 'abc', m char(3) DEFAULT "
      "'ab', n boolean DEFAULT true, o boolean DEFAULT false, "
      "p timestamptz DEFAULT now(), q timestamp DEFAULT now(), "
      "r timestamptz DEFAULT CURRENT_TIMESTAMP, s timestamp DEFAULT "
      "CURRENT_TIMESTAMP, u date DEFAULT CURRENT_DATE, v uuid DEFAULT "
      "gen_random_uuid(), w integer DEFAULT NULL, x text NOT NULL DEFAULT "
      "'y', y integer NULL, z numeric DEFAULT 999999999, "
      "aa varchar DEFAULT 'v', ab bigint DEFAULT 123456789, "
      "ac text DEFAULT E'x', ad integer DEFAULT 0000, "
      "ae timestamp(3) DEFAULT now(), af timestamptz(0) DEFAULT "
      "CURRENT_TIMESTAMP, ag varchar(3) DEFAULT 'longer than 3')");
}

TEST(AutogenNormalize, KeysAndForeignKeys) {
  ExpectSameAsServer(
      "CREATE SCHEMA app;\n"
      "CREATE TABLE app.parent (id bigint PRIMARY KEY, code text UNIQUE, "
      "a integer, b integer, CONSTRAINT parent_ab UNIQUE (a, b));\n"
      "CREATE TABLE child (id integer, pid bigint REFERENCES app.parent, "
      "code text REFERENCES app.parent (code) ON DELETE CASCADE ON UPDATE "
      "SET NULL, x integer, y integer, PRIMARY KEY (id, x), "
      "FOREIGN KEY (y, x) REFERENCES app.parent (b, a) MATCH FULL "
      "DEFERRABLE INITIALLY DEFERRED, self integer, sx integer, "
      "CONSTRAINT child_self FOREIGN KEY (self, sx) REFERENCES child "
      "ON DELETE SET DEFAULT ON UPDATE RESTRICT DEFERRABLE);\n"
      "CREATE TABLE \"Order\" (\"Id\" integer CONSTRAINT \"Order PK\" "
      "PRIMARY KEY, \"select\" text, \"user\" integer UNIQUE);\n"
      "CREATE TABLE line (oid integer REFERENCES \"Order\" ON DELETE "
      "NO ACTION INITIALLY DEFERRED, n integer NOT NULL UNIQUE);\n"
      "CREATE TABLE later (id integer, pid bigint, code text);\n"
      "ALTER TABLE later ADD PRIMARY KEY (id);\n"
      "ALTER TABLE later ADD CONSTRAINT later_code UNIQUE (code), "
      "ADD FOREIGN KEY (pid) REFERENCES app.parent (id);\n"
      "CREATE UNLOGGED TABLE scratchpad (k text PRIMARY KEY);\n");
}

TEST(AutogenNormalize, SerialAndIdentityColumns) {
  ExpectSameAsServer(
      "CREATE SCHEMA app;\n"
      "CREATE TABLE app.a (id serial PRIMARY KEY, b bigserial, c "
      "smallserial, d serial4, e serial8, f serial2 NOT NULL);\n"
      "CREATE TABLE \"Order\" (id bigint GENERATED ALWAYS AS IDENTITY "
      "PRIMARY KEY, n integer GENERATED BY DEFAULT AS IDENTITY, s smallint "
      "NOT NULL GENERATED ALWAYS AS IDENTITY, \"K\" serial);\n"
      "CREATE TABLE ref (a_id integer REFERENCES app.a, o bigint REFERENCES "
      "\"Order\");\n"
      "COMMENT ON COLUMN app.a.id IS 'from a sequence';\n");
}

TEST(AutogenNormalize, Enums) {
  ExpectSameAsServer(
      "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n"
      "CREATE SCHEMA app;\n"
      "CREATE TYPE app.\"Status\" AS ENUM ('new', 'it''s done', 'with "
      "space');\n"
      "CREATE TYPE app.nothing AS ENUM ();\n"
      "CREATE TABLE t (m mood DEFAULT 'ok', s app.\"Status\" NOT NULL "
      "DEFAULT 'it''s done', k mood PRIMARY KEY, u app.\"Status\" UNIQUE, "
      "q public.mood);\n"
      "CREATE TABLE r (k mood REFERENCES t);\n"
      "CREATE INDEX t_ms ON t (m, s);\n"
      "COMMENT ON TYPE mood IS 'feelings';\n"
      "COMMENT ON TYPE app.\"Status\" IS 'x';\n");
}

// The normaliser's list of pg_catalog type names (an enum may not be named
// like one: unqualified, the built-in type would be found first) is the
// server's.
TEST(AutogenNormalize, BuiltinTypeNamesAreTheServers) {
  std::string url = testing::FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  auto conn = Connect(url);
  ASSERT_TRUE(conn.ok());
  auto names = (*conn)->Query(
      "SELECT typname FROM pg_type WHERE typnamespace = "
      "'pg_catalog'::regnamespace AND typname !~ '^(pg_|_)' ORDER BY 1");
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  ASSERT_GT(names->rows.size(), 90u);
  for (const Row& row : names->rows) {
    const std::string& name = *row[0];
    auto scan = ScanModels({ModelFile{
        "models.sql", "CREATE TYPE public.\"" + name + "\" AS ENUM ('a')"}});
    ASSERT_TRUE(scan.ok()) << scan.status().ToString();
    EXPECT_NE(scan->normalized->declined.find("built-in type"),
              std::string::npos)
        << name << ": " << scan->normalized->declined;
  }
}

// A unique index serves a foreign key as a unique constraint does (the
// constraint then depends on the index).
TEST(AutogenNormalize, ForeignKeysToUniqueIndexes) {
  ExpectSameAsServer(
      "CREATE TABLE p (a integer, b integer, c text);\n"
      "CREATE UNIQUE INDEX p_a_idx ON p (a);\n"
      "CREATE UNIQUE INDEX p_bc ON p (c, b) INCLUDE (a);\n"
      "CREATE TABLE r (x integer REFERENCES p (a), y integer, z text, "
      "FOREIGN KEY (y, z) REFERENCES p (b, c));\n");
}

TEST(AutogenNormalize, CheckConstraints) {
  ExpectSameAsServer(
      "CREATE TABLE c (a integer CHECK (a > 0), b bigint, s smallint CHECK "
      "(s <> 7), CHECK (a >= 1 AND (b < 5 OR b IS NOT NULL)), CONSTRAINT "
      "named CHECK (b = 3 OR b IS NULL), CONSTRAINT three CHECK (a <= 10 AND "
      "s >= 0 AND a < 100), t text CHECK (t IS NOT NULL), x integer CHECK (b "
      "> 2), \"Select\" integer CONSTRAINT sel CHECK (\"Select\" = 0 OR (a = 1 "
      "AND b = 2)));"
      "\n"
      "ALTER TABLE c ADD CONSTRAINT late CHECK (s < 1000), ADD CHECK (x IS "
      "NULL);\n"
      "COMMENT ON CONSTRAINT named ON c IS 'checked';\n");
}

TEST(AutogenNormalize, Indexes) {
  ExpectSameAsServer(
      "CREATE SCHEMA s;\n"
      "CREATE TABLE s.t (a integer, b text, c timestamptz, d uuid, e jsonb);\n"
      "CREATE INDEX t_a ON s.t (a);\n"
      "CREATE UNIQUE INDEX t_ab ON s.t USING btree (a, b);\n"
      "CREATE INDEX t_desc ON s.t (c DESC, a ASC NULLS FIRST, b DESC NULLS "
      "LAST, d NULLS LAST, e DESC NULLS FIRST);\n"
      "CREATE INDEX \"T Inc\" ON s.t (a) INCLUDE (b, c);\n"
      "CREATE INDEX t_twice ON s.t (a, a);\n");
}

TEST(AutogenNormalize, CommentsAndSchemas) {
  ExpectSameAsServer(
      "CREATE SCHEMA IF NOT EXISTS auth;\n"
      "CREATE SCHEMA IF NOT EXISTS auth;\n"
      "CREATE SCHEMA IF NOT EXISTS public;\n"
      "CREATE SCHEMA \"Quoted Schema\";\n"
      "CREATE TABLE auth.users (id integer PRIMARY KEY, email text);\n"
      "CREATE INDEX users_email ON auth.users (email);\n"
      "CREATE TABLE \"Quoted Schema\".t (id integer);\n"
      "COMMENT ON SCHEMA auth IS 'authentication';\n"
      "COMMENT ON SCHEMA public IS 'changed';\n"
      "COMMENT ON TABLE auth.users IS 'people';\n"
      "COMMENT ON COLUMN auth.users.email IS 'where to write';\n"
      "COMMENT ON INDEX auth.users_email IS 'lookups';\n"
      "COMMENT ON CONSTRAINT users_pkey ON auth.users IS 'the key';\n"
      "COMMENT ON TABLE \"Quoted Schema\".t IS 'x';\n"
      "COMMENT ON TABLE \"Quoted Schema\".t IS '';\n"
      "COMMENT ON COLUMN auth.users.id IS 'x';\n"
      "COMMENT ON COLUMN auth.users.id IS NULL;\n");
}

TEST(AutogenNormalize, LongNames) {
  const std::string t50(50, 't');
  const std::string c63(63, 'c');
  // Longer than 63 bytes: the parser truncates it, as the server does.
  ExpectSameAsServer("CREATE TABLE " + std::string(70, 'x') + " (" +
                     std::string(64, 'y') + " integer)");
  ExpectSameAsServer("CREATE TABLE " + t50 + " (id integer PRIMARY KEY, " +
                     "abc integer UNIQUE, " + c63 + " integer);\n" +
                     "CREATE INDEX " + c63 + " ON " + t50 + " (" + c63 +
                     ");\n");
}

// Views, materialized views and functions are loaded alone, with what
// they read, and merged: the merged catalog is the server's.
TEST(AutogenNormalize, ViewsAndFunctionsLoadedAloneAndMerged) {
  const int before = testing::ResidualComparisons();
  ExpectSameAsServer(
      "CREATE SCHEMA app;\n"
      "CREATE TYPE app.state AS ENUM ('open', 'closed');\n"
      "CREATE TABLE app.a (id integer PRIMARY KEY, s app.state NOT NULL "
      "DEFAULT 'open', note text);\n"
      "CREATE TABLE app.b (id bigint PRIMARY KEY, a_id integer REFERENCES "
      "app.a);\n"
      "CREATE TABLE c (id serial PRIMARY KEY, label varchar(20));\n"
      "CREATE INDEX c_label ON c (label);\n"
      "CREATE VIEW app.open_a AS SELECT id, note FROM app.a WHERE s = "
      "'open';\n"
      "CREATE VIEW app.open_b WITH (security_barrier) AS SELECT b.id FROM "
      "app.b JOIN app.open_a o ON o.id = b.a_id;\n"
      "COMMENT ON VIEW app.open_a IS 'open ones';\n"
      "COMMENT ON COLUMN app.open_a.note IS 'free text';\n"
      "CREATE MATERIALIZED VIEW app.counts AS SELECT a_id, count(*) AS n "
      "FROM app.b GROUP BY a_id;\n"
      "CREATE INDEX counts_a ON app.counts (a_id);\n"
      "CREATE FUNCTION app.label_of(i integer) RETURNS text LANGUAGE sql "
      "STABLE AS $$ SELECT label FROM public.c WHERE id = i $$;\n"
      "CREATE FUNCTION app.n() RETURNS bigint LANGUAGE sql BEGIN ATOMIC "
      "SELECT count(*) FROM app.a; END;\n"
      "CREATE PROCEDURE app.p() LANGUAGE plpgsql AS $$ BEGIN NULL; END "
      "$$;\n"
      "CREATE VIEW labels AS SELECT app.label_of(id) AS l FROM c;\n"
      "GRANT SELECT ON app.open_a, app.open_b TO PUBLIC;\n"
      "GRANT SELECT (a_id) ON app.counts TO PUBLIC;\n"
      "REVOKE EXECUTE ON FUNCTION app.n() FROM PUBLIC;\n"
      "COMMENT ON FUNCTION app.n() IS 'how many';\n"
      "ALTER VIEW app.open_a ALTER COLUMN note SET DEFAULT 'none';\n");
  EXPECT_EQ(testing::ResidualComparisons(), before + 1);
}

// A structure.sql as pg_dump --schema-only writes it (and Rails ends it):
// the SET preamble and empty search_path, sequences with OWNED BY and SET
// DEFAULT nextval, keys added with ALTER TABLE ONLY, indexes USING btree
// with predicates, constants cast to their column's type, the footer's
// search_path and rows; the extension, view and function go to a database.
constexpr char kPgDumpStructure[] =
    R"sql(SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

CREATE SCHEMA app;

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;

COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';

CREATE TYPE public.state AS ENUM (
    'new',
    'done'
);

CREATE FUNCTION public.user_count() RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT count(*) FROM public.users $$;

SET default_tablespace = '';

SET default_table_access_method = heap;

CREATE TABLE app.posts (
    id integer NOT NULL,
    user_id bigint,
    published boolean,
    title text
);

CREATE SEQUENCE app.posts_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE app.posts_id_seq OWNED BY app.posts.id;

CREATE SEQUENCE public.invoice_numbers
    START WITH 1000
    INCREMENT BY 5
    MINVALUE 10
    MAXVALUE 99999999999
    CACHE 20
    CYCLE;

CREATE TABLE public.schema_migrations (
    version character varying NOT NULL
);

CREATE TABLE public.users (
    id bigint NOT NULL,
    email character varying DEFAULT ''::character varying NOT NULL,
    name character varying(80) DEFAULT 'x'::character varying,
    settings jsonb DEFAULT '{}'::jsonb NOT NULL,
    tags jsonb DEFAULT '[]'::jsonb,
    admin boolean DEFAULT false NOT NULL,
    logins integer DEFAULT 0,
    state public.state DEFAULT 'new'::public.state NOT NULL,
    note text DEFAULT 'n/a'::text,
    deleted_at timestamp(6) without time zone,
    created_at timestamp(6) without time zone NOT NULL
);

CREATE VIEW public.active_users AS
 SELECT users.id,
    users.email
   FROM public.users
  WHERE (NOT users.admin);

CREATE SEQUENCE public.users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;

ALTER TABLE ONLY app.posts ALTER COLUMN id SET DEFAULT nextval('app.posts_id_seq'::regclass);

ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);

ALTER TABLE ONLY app.posts
    ADD CONSTRAINT posts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

CREATE INDEX index_posts_on_user_id ON app.posts USING btree (user_id) WHERE ((user_id IS NOT NULL) AND published);

CREATE INDEX index_posts_published ON app.posts USING btree (title) WHERE published;

CREATE INDEX index_posts_unpublished ON app.posts USING btree (id) WHERE (NOT published);

CREATE UNIQUE INDEX index_users_on_email ON public.users USING btree (email) WHERE (deleted_at IS NULL);

ALTER TABLE ONLY app.posts
    ADD CONSTRAINT fk_rails_5b5ddfd518 FOREIGN KEY (user_id) REFERENCES public.users(id);

SET search_path TO "$user", public;

INSERT INTO "schema_migrations" (version) VALUES
('20240101000000'),
('20240102000000');
)sql";

// A nextval() default written in CREATE TABLE makes the column depend on
// the sequence, as SET DEFAULT does.
TEST(AutogenNormalize, NextvalDefaultsInCreateTable) {
  ExpectSameAsServer(
      "CREATE SEQUENCE public.s START WITH 10;\n"
      "CREATE TABLE public.t (id bigint DEFAULT nextval('public.s'::regclass) "
      "NOT NULL, n integer DEFAULT nextval('s'::regclass));\n"
      "ALTER SEQUENCE public.s OWNED BY public.t.id;\n");
}

TEST(AutogenNormalize, PgDumpStructureSql) {
  const int before = testing::ResidualComparisons();
  ExpectSameAsServer(kPgDumpStructure);
  EXPECT_EQ(testing::ResidualComparisons(), before + 1);
  // Without the view, function and extension: nothing is left to a
  // database at all.
  std::string plain = kPgDumpStructure;
  for (const char* cut :
       {"CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;\n",
        "COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';\n"}) {
    plain.erase(plain.find(cut), std::string(cut).size());
  }
  plain.erase(plain.find("CREATE FUNCTION"),
              plain.find("SET default_tablespace") -
                  plain.find("CREATE FUNCTION"));
  plain.erase(plain.find("CREATE VIEW"),
              plain.find("CREATE SEQUENCE public.users_id_seq") -
                  plain.find("CREATE VIEW"));
  auto scan = ScanModels({ModelFile{"structure.sql", plain}});
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  ASSERT_TRUE(scan->normalized->catalog.has_value())
      << scan->normalized->declined;
  EXPECT_TRUE(scan->normalized->load.empty());
  ExpectSameAsServer(plain);
}

TEST(AutogenNormalize, FilteredLikeTheIntrospection) {
  const std::string sql =
      "CREATE SCHEMA auth;\nCREATE SCHEMA billing;\n"
      "CREATE TYPE auth.kind AS ENUM ('a', 'b');\n"
      "CREATE TABLE auth.users (id integer PRIMARY KEY, name text);\n"
      "CREATE INDEX users_name ON auth.users (name);\n"
      "CREATE TABLE billing.invoices (id integer PRIMARY KEY, uid integer "
      "REFERENCES auth.users);\n"
      "CREATE TABLE billing.audit_log (id serial, k auth.kind);\n"
      "CREATE TABLE alembic_version_auth (version_num varchar(32) NOT NULL "
      "PRIMARY KEY);\n";
  auto scan = ScanModels({ModelFile{"models.sql", sql}});
  ASSERT_TRUE(scan.ok());
  ASSERT_TRUE(scan->normalized->catalog.has_value())
      << scan->normalized->declined;
  std::string url = testing::FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  auto conn = Connect(url);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(LoadModels(**conn, *scan).ok());
  std::vector<IntrospectOptions> filters(4);
  filters[0].include_schemas = {"billing"};
  filters[1].exclude_schemas = {"auth"};
  filters[2].exclude_tables = {"audit_*", "auth.users"};
  filters[3].include_schemas = {"auth"};
  for (const IntrospectOptions& filter : filters) {
    auto server = IntrospectPostgres(**conn, filter);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    EXPECT_EQ(CatalogText(
                  FilterNormalizedCatalog(*scan->normalized->catalog, filter)),
              CatalogText(*server));
  }
}

}  // namespace
}  // namespace retort

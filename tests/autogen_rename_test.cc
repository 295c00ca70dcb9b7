// Constraints and indexes that differ only by their name are renamed, not
// dropped and created again (src/autogen/diff.cc, FindRenames): round trips
// against the harness PostgreSQL in the style of autogen_roundtrip_test.cc
// -- load A and B into two fresh databases, diff A toward B, apply the
// upgrade to A, check that a second diff is empty and that pg_dump of A
// equals B's; then the downgrade back to A, checked the same way -- plus the
// exact statements, and that a renamed object is the same object (its OID
// survives, so no index was rebuilt).
#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <string>
#include <vector>

#include "autogen/autogen.h"
#include "autogen/scratch.h"
#include "catalog/pg_introspect.h"
#include "dialect/url.h"
#include "pg_harness.h"

namespace retort {
namespace {

std::string PgDump() {
  const char* bindir = getenv("RETORT_PG_BINDIR");
  return std::string(bindir && *bindir ? bindir
                                       : "/usr/lib/postgresql/15/bin") +
         "/pg_dump";
}

// pg_dump --schema-only without comments, blank lines and SET noise, the
// lines inside each CREATE TABLE (...) sorted.
std::string Dump(const std::string& url) {
  std::string cmd = PgDump() + " --schema-only --no-owner '" + url + "' 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  std::string raw;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) raw.append(buf, n);
  if (pclose(pipe) != 0) return "pg_dump failed: " + raw;
  std::vector<std::string> out, block;
  bool in_block = false;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t eol = raw.find('\n', pos);
    if (eol == std::string::npos) eol = raw.size();
    std::string line = raw.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty() || line.starts_with("--") || line.starts_with("SET ") ||
        line.starts_with("SELECT pg_catalog.set_config") ||
        line.starts_with("\\restrict ") || line.starts_with("\\unrestrict ")) {
      continue;
    }
    if (in_block) {
      if (line.starts_with(")")) {
        std::sort(block.begin(), block.end());
        out.insert(out.end(), block.begin(), block.end());
        block.clear();
        in_block = false;
        out.push_back(line);
        continue;
      }
      if (!line.empty() && line.back() == ',') line.pop_back();
      block.push_back(line);
      continue;
    }
    out.push_back(line);
    if (line.ends_with("(") && line.starts_with("CREATE TABLE")) {
      in_block = true;
    }
  }
  std::string joined;
  for (const std::string& l : out) joined += l + "\n";
  return joined;
}

Catalog Read(const std::string& url) {
  auto conn = Connect(url);
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) return {};
  auto catalog = IntrospectPostgres(**conn, {});
  EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
  return catalog.ok() ? std::move(catalog).value() : Catalog{};
}

void Run(const std::string& url, const std::string& sql) {
  auto conn = Connect(url);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  Status st = LoadModels(**conn, {ModelFile{"script.sql", sql}});
  ASSERT_TRUE(st.ok()) << st.ToString() << "\n--- script:\n" << sql;
}

std::string Fresh(const std::string& sql) {
  std::string url = testing::FreshDatabaseUrl();
  if (url.empty()) return "";
  Run(url, sql);
  return url;
}

// The first cell of `sql` on `url`.
std::string Scalar(const std::string& url, const std::string& sql) {
  auto conn = Connect(url);
  if (!conn.ok()) return "connect failed";
  auto rows = (*conn)->Query(sql);
  if (!rows.ok() || rows->rows.empty()) return "query failed";
  return rows->rows[0][0].value_or("<NULL>");
}

struct Trip {
  AutogenResult diff;
  std::string a_url;  // A after the round trip
  std::string oids_before, oids_after_upgrade;
};

// The OIDs of every index, by name (a rename keeps them).
constexpr char kIndexOids[] =
    "SELECT string_agg(c.oid::text, ',' ORDER BY c.oid) FROM pg_class c JOIN "
    "pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('i', 'I') "
    "AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')";

// `renames_only`: the diff only renames (and comments), so no index may be
// rebuilt in either direction.
Trip RoundTrip(const std::string& a_sql, const std::string& b_sql,
               bool renames_only = true) {
  Trip trip;
  std::string a = Fresh(a_sql);
  std::string b = Fresh(b_sql);
  if (a.empty() || b.empty() || ::testing::Test::HasFatalFailure()) {
    return trip;
  }
  trip.a_url = a;
  Catalog cat_a = Read(a), cat_b = Read(b);
  std::string dump_a = Dump(a), dump_b = Dump(b);
  trip.diff = DiffCatalogs(cat_a, cat_b);
  const AutogenResult& d = trip.diff;
  EXPECT_FALSE(d.empty()) << "A and B should differ";
  EXPECT_FALSE(d.cycle) << d.upgrade_sql;
  trip.oids_before = Scalar(a, kIndexOids);
  Run(a, d.upgrade_sql);
  if (::testing::Test::HasFatalFailure()) return trip;
  trip.oids_after_upgrade = Scalar(a, kIndexOids);
  AutogenResult again = DiffCatalogs(Read(a), cat_b);
  EXPECT_TRUE(again.empty()) << "after upgrade:\n"
                             << d.upgrade_sql << "\nstill differs by:\n"
                             << again.upgrade_sql;
  EXPECT_EQ(Dump(a), dump_b) << "upgrade:\n" << d.upgrade_sql;
  Run(a, d.downgrade_sql);
  if (::testing::Test::HasFatalFailure()) return trip;
  AutogenResult back = DiffCatalogs(Read(a), cat_a);
  EXPECT_TRUE(back.empty()) << "after downgrade:\n"
                            << d.downgrade_sql << "\nstill differs by:\n"
                            << back.upgrade_sql;
  EXPECT_EQ(Dump(a), dump_a) << "downgrade:\n" << d.downgrade_sql;
  if (renames_only) {
    EXPECT_EQ(trip.oids_after_upgrade, trip.oids_before)
        << "the upgrade rebuilt an index:\n"
        << d.upgrade_sql;
    EXPECT_EQ(Scalar(a, kIndexOids), trip.oids_before)
        << "the downgrade rebuilt an index:\n"
        << d.downgrade_sql;
  }
  return trip;
}

TEST(AutogenRename, PrimaryKeyUnderAForeignKey) {
  Trip t = RoundTrip(
      "CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY, v int);\n"
      "CREATE TABLE c (t_id int CONSTRAINT c_t_fk REFERENCES t);",
      "CREATE TABLE t (id int CONSTRAINT pk_t PRIMARY KEY, v int);\n"
      "CREATE TABLE c (t_id int CONSTRAINT c_t_fk REFERENCES t);");
  // The foreign key on it is left alone: no drop, no add.
  EXPECT_EQ(t.diff.upgrade_sql,
            "ALTER TABLE public.t RENAME CONSTRAINT t_pkey TO pk_t;\n");
  EXPECT_EQ(t.diff.downgrade_sql,
            "ALTER TABLE public.t RENAME CONSTRAINT pk_t TO t_pkey;\n");
  EXPECT_EQ(t.oids_after_upgrade, t.oids_before);
  // The index followed its constraint.
  EXPECT_EQ(Scalar(t.a_url, "SELECT to_regclass('public.t_pkey') IS NOT NULL"),
            "t");
}

TEST(AutogenRename, ForeignKey) {
  Trip t = RoundTrip(
      "CREATE TABLE p (id int PRIMARY KEY);\n"
      "CREATE TABLE c (p_id int CONSTRAINT c_p_id_fkey REFERENCES p ON DELETE "
      "CASCADE);",
      "CREATE TABLE p (id int PRIMARY KEY);\n"
      "CREATE TABLE c (p_id int CONSTRAINT fk_c_p_id_p REFERENCES p ON DELETE "
      "CASCADE);");
  EXPECT_EQ(t.diff.upgrade_sql,
            "ALTER TABLE public.c RENAME CONSTRAINT c_p_id_fkey TO "
            "fk_c_p_id_p;\n");
  EXPECT_EQ(t.diff.downgrade_sql,
            "ALTER TABLE public.c RENAME CONSTRAINT fk_c_p_id_p TO "
            "c_p_id_fkey;\n");
}

TEST(AutogenRename, UniqueAndCheckInASchema) {
  Trip t = RoundTrip(
      "CREATE SCHEMA shop;\n"
      "CREATE TABLE shop.item (a int, b text, q int, UNIQUE (a, b), "
      "CHECK (q > 0));",
      "CREATE SCHEMA shop;\n"
      "CREATE TABLE shop.item (a int, b text, q int, CONSTRAINT uq_item_a "
      "UNIQUE (a, b), CONSTRAINT \"Item Q\" CHECK (q > 0));");
  EXPECT_EQ(t.diff.upgrade_sql,
            "ALTER TABLE shop.item RENAME CONSTRAINT item_a_b_key TO "
            "uq_item_a;\n\n"
            "ALTER TABLE shop.item RENAME CONSTRAINT item_q_check TO "
            "\"Item Q\";\n");
  EXPECT_EQ(t.oids_after_upgrade, t.oids_before);
}

TEST(AutogenRename, ExclusionConstraint) {
  Trip t = RoundTrip(
      "CREATE TABLE booking (during tstzrange, EXCLUDE USING gist (during "
      "WITH &&));",
      "CREATE TABLE booking (during tstzrange, CONSTRAINT no_overlap EXCLUDE "
      "USING gist (during WITH &&));");
  EXPECT_EQ(t.diff.upgrade_sql,
            "ALTER TABLE public.booking RENAME CONSTRAINT "
            "booking_during_excl TO no_overlap;\n");
}

TEST(AutogenRename, PlainUniquePartialAndExpressionIndexes) {
  Trip t = RoundTrip(
      "CREATE TABLE t (id int, email text, n int);\n"
      "CREATE INDEX t_n_idx ON t (n);\n"
      "CREATE UNIQUE INDEX t_id_idx ON t (id);\n"
      "CREATE INDEX t_open ON t (n) WHERE id > 0;\n"
      "CREATE UNIQUE INDEX t_lower_email ON t (lower(email));",
      "CREATE TABLE t (id int, email text, n int);\n"
      "CREATE INDEX ix_t_n ON t (n);\n"
      "CREATE UNIQUE INDEX uq_t_id ON t (id);\n"
      "CREATE INDEX ix_t_open_n ON t (n) WHERE id > 0;\n"
      "CREATE UNIQUE INDEX \"Lower Email\" ON t (lower(email));");
  const std::string& up = t.diff.upgrade_sql;
  for (const char* rename :
       {"ALTER INDEX public.t_n_idx RENAME TO ix_t_n;\n",
        "ALTER INDEX public.t_id_idx RENAME TO uq_t_id;\n",
        "ALTER INDEX public.t_open RENAME TO ix_t_open_n;\n",
        "ALTER INDEX public.t_lower_email RENAME TO \"Lower Email\";\n"}) {
    EXPECT_NE(up.find(rename), std::string::npos) << rename << "\n" << up;
  }
  EXPECT_EQ(up.find("CREATE"), std::string::npos) << up;
  EXPECT_EQ(up.find("DROP"), std::string::npos) << up;
  EXPECT_NE(t.diff.downgrade_sql.find(
                "ALTER INDEX public.\"Lower Email\" RENAME TO t_lower_email;"),
            std::string::npos)
      << t.diff.downgrade_sql;
  EXPECT_EQ(t.oids_after_upgrade, t.oids_before);
}

TEST(AutogenRename, RenameBesideRealChangesOnTheSameTable) {
  // A renamed unique key and index, an added column, a CHECK whose
  // definition changes under the same name, and an index on the new column.
  Trip t = RoundTrip(
      "CREATE TABLE t (id int, code text, q int CONSTRAINT q_pos CHECK (q > "
      "0), UNIQUE (code));\n"
      "CREATE INDEX t_q ON t (q);",
      "CREATE TABLE t (id int, code text, q int CONSTRAINT q_pos CHECK (q >= "
      "0), note text, CONSTRAINT uq_t_code UNIQUE (code));\n"
      "CREATE INDEX ix_t_q ON t (q);\n"
      "CREATE INDEX ix_t_note ON t (note);",
      /*renames_only=*/false);
  const std::string& up = t.diff.upgrade_sql;
  EXPECT_NE(up.find("ALTER TABLE public.t RENAME CONSTRAINT t_code_key TO "
                    "uq_t_code;"),
            std::string::npos)
      << up;
  EXPECT_NE(up.find("ALTER INDEX public.t_q RENAME TO ix_t_q;"),
            std::string::npos)
      << up;
  EXPECT_NE(up.find("ALTER TABLE public.t ADD COLUMN note text;"),
            std::string::npos)
      << up;
  EXPECT_NE(up.find("ALTER TABLE public.t DROP CONSTRAINT q_pos;"),
            std::string::npos)
      << up;
  EXPECT_NE(up.find("CREATE INDEX ix_t_note ON public.t USING btree (note);"),
            std::string::npos)
      << up;
  EXPECT_EQ(up.find("DROP CONSTRAINT t_code_key"), std::string::npos) << up;
}

TEST(AutogenRename, ColumnTypeChangeUnderARenamedKey) {
  // ALTER COLUMN TYPE rebuilds the key's index itself; the rename still
  // applies, before or after it.
  Trip t = RoundTrip(
      "CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY);\n"
      "CREATE INDEX t_id_desc ON t (id DESC);",
      "CREATE TABLE t (id bigint CONSTRAINT pk_t PRIMARY KEY);\n"
      "CREATE INDEX ix_t_id_desc ON t (id DESC);",
      /*renames_only=*/false);
  EXPECT_NE(t.diff.upgrade_sql.find(
                "ALTER TABLE public.t RENAME CONSTRAINT t_pkey TO pk_t;"),
            std::string::npos)
      << t.diff.upgrade_sql;
  EXPECT_NE(t.diff.upgrade_sql.find("TYPE bigint"), std::string::npos)
      << t.diff.upgrade_sql;
}

TEST(AutogenRename, CommentFollowsTheNewName) {
  Trip t = RoundTrip(
      "CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY, n int);\n"
      "CREATE INDEX t_n ON t (n);\n"
      "COMMENT ON INDEX t_n IS 'by n';\n"
      "COMMENT ON CONSTRAINT t_pkey ON t IS 'the key';",
      "CREATE TABLE t (id int CONSTRAINT pk_t PRIMARY KEY, n int);\n"
      "CREATE INDEX ix_t_n ON t (n);\n"
      "COMMENT ON INDEX ix_t_n IS 'by n, renamed';\n"
      "COMMENT ON CONSTRAINT pk_t ON t IS 'the key';");
  EXPECT_EQ(t.diff.upgrade_sql,
            "ALTER TABLE public.t RENAME CONSTRAINT t_pkey TO pk_t;\n\n"
            "ALTER INDEX public.t_n RENAME TO ix_t_n;\n\n"
            "COMMENT ON INDEX public.ix_t_n IS 'by n, renamed';\n");
  // The old comment goes back before the index gets its old name back.
  EXPECT_EQ(t.diff.downgrade_sql,
            "ALTER TABLE public.t RENAME CONSTRAINT pk_t TO t_pkey;\n\n"
            "COMMENT ON INDEX public.ix_t_n IS 'by n';\n\n"
            "ALTER INDEX public.ix_t_n RENAME TO t_n;\n");
}

TEST(AutogenRename, ANameOnBothSidesIsAChangeNotARename) {
  // Swapped index names: each name is on both sides with another
  // definition, so both indexes change (drop + create); nothing is renamed.
  Trip t = RoundTrip(
      "CREATE TABLE t (a int, b int);\n"
      "CREATE INDEX i1 ON t (a);\n"
      "CREATE INDEX i2 ON t (b);",
      "CREATE TABLE t (a int, b int);\n"
      "CREATE INDEX i2 ON t (a);\n"
      "CREATE INDEX i1 ON t (b);",
      /*renames_only=*/false);
  EXPECT_EQ(t.diff.upgrade_sql.find("RENAME"), std::string::npos)
      << t.diff.upgrade_sql;
}

TEST(AutogenRename, ARenameMayNotTakeANameAnotherRenameFrees) {
  // The primary key's index t_key is renamed away (to pk_t) while index ix
  // would be renamed to t_key: that one is dropped and created instead,
  // after the rename frees the name.
  Trip t = RoundTrip(
      "CREATE TABLE t (id int CONSTRAINT t_key PRIMARY KEY, n int);\n"
      "CREATE INDEX ix ON t (n);",
      "CREATE TABLE t (id int CONSTRAINT pk_t PRIMARY KEY, n int);\n"
      "CREATE INDEX t_key ON t (n);",
      /*renames_only=*/false);
  EXPECT_EQ(t.diff.upgrade_sql,
            "DROP INDEX public.ix;\n\n"
            "ALTER TABLE public.t RENAME CONSTRAINT t_key TO pk_t;\n\n"
            "CREATE INDEX t_key ON public.t USING btree (n);\n");
}

TEST(AutogenRename, AlikeChecksPairInNameOrder) {
  Trip t = RoundTrip(
      "CREATE TABLE t (q int, CONSTRAINT a1 CHECK (q > 0), CONSTRAINT a2 "
      "CHECK (q > 0));",
      "CREATE TABLE t (q int, CONSTRAINT b1 CHECK (q > 0), CONSTRAINT b2 "
      "CHECK (q > 0));");
  EXPECT_EQ(t.diff.upgrade_sql,
            "ALTER TABLE public.t RENAME CONSTRAINT a1 TO b1;\n\n"
            "ALTER TABLE public.t RENAME CONSTRAINT a2 TO b2;\n");
}

TEST(AutogenRename, KindOrTableMustMatch) {
  // A unique constraint and a unique index on the same column are not
  // renames of each other; nor are indexes of two tables.
  Trip t = RoundTrip(
      "CREATE TABLE t (a int CONSTRAINT t_a_key UNIQUE);\n"
      "CREATE TABLE u (a int);\n"
      "CREATE INDEX u_a ON u (a);",
      "CREATE TABLE t (a int);\n"
      "CREATE UNIQUE INDEX t_a_uq ON t (a);\n"
      "CREATE TABLE u (a int);\n"
      "CREATE INDEX u_a2 ON u (a DESC);",
      /*renames_only=*/false);
  EXPECT_EQ(t.diff.upgrade_sql.find("RENAME"), std::string::npos)
      << t.diff.upgrade_sql;
}

}  // namespace
}  // namespace retort

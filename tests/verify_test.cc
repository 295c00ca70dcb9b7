// `retort verify` end to end against the harness's PostgreSQL (and SQLite):
// edited, missing, unknown and unverified revisions with their exact
// messages and exit codes, line endings, JSON, --schema, and `upgrade`
// refusing to run over an edited applied file unless --allow-edited or
// on_edited = "warn"; `verify --live` listing drift between the live schema
// and the migrations replayed to the database's revisions.
#include <gtest/gtest.h>

#include "cli_util.h"
#include "dialect/dialect.h"
#include "dialect/url.h"
#include "pg_harness.h"
#include "runtime_util.h"
#include "script/checksum.h"

namespace retort::testing {
namespace {

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = FreshDatabaseUrl();
    ASSERT_FALSE(url_.empty());
    Config("");
    p_.WriteFile("migrations/script.sql.tmpl", "");
    for (int i = 1; i <= 3; ++i) Write(i);
  }

  void Config(const std::string& extra) {
    p_.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                    url_ + "\"\n" + extra);
  }

  static std::string Id(int i) {
    char id[13];
    snprintf(id, sizeof id, "%012x", i);
    return id;
  }
  std::string File(int i) const {
    return "migrations/versions/" + Id(i) + ".sql";
  }
  // The file as messages name it: the path retort read it from.
  std::string Shown(int i) const { return p_.Path(File(i)); }

  void Write(int i, const std::string& extra_sql = "") {
    WriteRevision(
        p_, Id(i), i > 1 ? Id(i - 1) : "", "", "",
        "CREATE TABLE t_" + std::to_string(i) + " (id int);" + extra_sql,
        "DROP TABLE t_" + std::to_string(i) + ";");
  }

  std::string Sum(int i) const {
    return TextChecksum(p_.ReadFile(File(i))).substr(0, 12);
  }

  std::string url_;
  TempProject p_;
};

TEST_F(VerifyTest, CleanThenEditedWithExactMessages) {
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  CliResult r = p_.Run({"verify"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "alembic_version: 3 of 3 applied revisions match their "
            "files\n");
  const std::string before = Sum(2);
  Write(2, "\n-- tuned later");
  const std::string after = Sum(2);
  r = p_.Run({"verify"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "edited: " + Shown(2) + ": " + Id(2) +
                       " was edited after it was applied (recorded sha256 " +
                       before + "..., file now " + after +
                       "...); restore the file as it was applied and put the "
                       "change in a new revision\n"
                       "alembic_version: 2 of 3 applied revisions match "
                       "their files\n");
  EXPECT_NE(r.err.find("error: verify found 1 problem in alembic_version; "
                       "each line above says what to do"),
            std::string::npos)
      << r.err;
}

TEST_F(VerifyTest, LineEndingsDoNotCount) {
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  std::string text = p_.ReadFile(File(1)), crlf;
  for (char c : text) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  p_.WriteFile(File(1), crlf);
  CliResult r = p_.Run({"verify"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(VerifyTest, UpgradeRefusesEditedAppliedFileUnlessAllowed) {
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  Write(1, "\nCREATE INDEX ON t_1 (id);");
  Write(4);
  CliResult r = p_.Run({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: " + Shown(1) + ": applied revision " + Id(1) +
                       " was edited after it was applied; restore the file "
                       "as it was applied and put the change in a new "
                       "revision, or run with --allow-edited (on_edited = "
                       "\"warn\" in retort.toml) to upgrade anyway (nothing "
                       "was run)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(VersionRows(url_), (std::vector<std::string>{Id(3)}));
  EXPECT_FALSE(TableExists(url_, "t_4"));
  // A downgrade is not refused: it undoes, it does not build on the file.
  r = p_.Run({"upgrade", "head", "--allow-edited"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: " + Shown(1) + ": applied revision " + Id(1) +
                       " was edited after it was applied; running on"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(VersionRows(url_), (std::vector<std::string>{Id(4)}));
  // on_edited = "warn" does the same from the config.
  Write(5);
  Config("on_edited = \"warn\"\n");
  r = p_.Run({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(VersionRows(url_), (std::vector<std::string>{Id(5)}));
  Config("on_edited = \"ignore\"\n");
  r = p_.Run({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("'on_edited' is \"ignore\"; use \"fail\" (refuse to "
                       "upgrade over an applied revision whose file was "
                       "edited) or \"warn\""),
            std::string::npos)
      << r.err;
}

TEST_F(VerifyTest, MissingUnknownAndUnverified) {
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  // The head's file is deleted: the history ran it.
  std::remove(p_.Path(File(3)).c_str());
  CliResult r = p_.Run({"verify"});
  EXPECT_EQ(r.exit_code, 1);
  std::string by = Scalar(url_,
                          "SELECT applied_by || ' at ' || "
                          "finished_at::text FROM "
                          "alembic_version_history WHERE revision = '" +
                              Id(3) + "'");
  EXPECT_EQ(r.out, "missing: " + Id(3) + " is applied (upgraded by " + by +
                       ") but no revision file declares it; restore its file "
                       "from version control\n"
                       "alembic_version: 0 of 0 applied revisions match "
                       "their files\n");
  // A version row retort never ran and no file declares.
  auto db = Open(url_);
  ASSERT_TRUE(db->Execute("UPDATE alembic_version SET version_num = "
                          "'abcdefabcdef'")
                  .ok());
  r = p_.Run({"verify"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("unknown: the version table holds abcdefabcdef, which "
                       "no revision file declares and retort never ran; "
                       "check out the branch that has its file, or `retort "
                       "stamp` the database to a revision you have\n"),
            std::string::npos)
      << r.out;
  // Stamped revisions have no checksum: unverified, and not a failure.
  Write(3);
  ASSERT_EQ(p_.Run({"stamp", "--purge", Id(3)}).exit_code, 0);
  ASSERT_TRUE(db->Execute("DELETE FROM alembic_version_history WHERE "
                          "revision = '" +
                          Id(1) + "'")
                  .ok());
  r = p_.Run({"verify"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "unverified: " + Shown(1) + ": " + Id(1) +
                       " is applied but no checksum was recorded (applied "
                       "before retort took over, or stamped); it cannot be "
                       "checked\n"
                       "alembic_version: 2 of 3 applied revisions match "
                       "their files\n");
}

TEST_F(VerifyTest, JsonAndSchema) {
  p_.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                  url_ + "\"\n[schemas.auth]\ncreate = true\n");
  ASSERT_EQ(p_.Run({"--schema", "auth", "upgrade", "head"}).exit_code, 0);
  Write(2, "\n-- edited");
  CliResult r = p_.Run({"--schema", "auth", "verify", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("\"version_table\": \"alembic_version_auth\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"kind\": \"edited\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"revision\": \"" + Id(2) + "\""), std::string::npos);
  EXPECT_NE(r.out.find("\"clean\": false"), std::string::npos);
  // A project of schemas has no default version table to check: verify
  // asks which, as the other commands do (verify has no --all-schemas).
  r = p_.Run({"verify"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("error: verify: this project keeps a version table "
                       "per schema (auth: the [schemas.*] sections of "
                       "retort.toml); name one with --schema auth (or -x "
                       "schema=auth)\n"),
            std::string::npos)
      << r.err;
}

// The scratch databases verify --live replays into, left on the server.
int ScratchDatabases(const std::string& url) {
  return std::stoi(Scalar(url,
                          "SELECT count(*) FROM pg_database WHERE datname "
                          "LIKE 'retort_scratch_%'"));
}

TEST_F(VerifyTest, LiveMatchesThenListsEachDrift) {
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  const int scratch_before = ScratchDatabases(url_);
  CliResult r = p_.Run({"verify", "--live"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "alembic_version: 3 of 3 applied revisions match their "
            "files\n"
            "live schema: matches the migrations at " +
                Id(3) + " (replayed into the server of " + RedactedUrl(url_) +
                ")\n");
  // What a hurried hotfix leaves behind.
  ASSERT_TRUE(Open(url_)
                  ->Execute("ALTER TABLE t_1 ADD COLUMN nickname text;"
                            "ALTER TABLE t_2 ALTER COLUMN id TYPE bigint;"
                            "CREATE INDEX ix_t2_id ON t_2 (id);"
                            "DROP TABLE t_3;"
                            "CREATE TABLE stray (x int);")
                  .ok());
  const std::string schema_before =
      Scalar(url_,
             "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class "
             "WHERE relnamespace = 'public'::regnamespace");
  r = p_.Run({"verify", "--live"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out,
            "alembic_version: 3 of 3 applied revisions match their files\n"
            "drift: index public.ix_t2_id is in the database but not in the "
            "migrations\n"
            "    DROP INDEX public.ix_t2_id;\n"
            "drift: column public.t_1.nickname is in the database but not in "
            "the migrations\n"
            "    ALTER TABLE public.t_1 DROP COLUMN nickname;\n"
            "drift: table public.stray is in the database but not in the "
            "migrations\n"
            "    DROP TABLE public.stray;\n"
            "drift: table public.t_3 is in the migrations but not in the "
            "database\n"
            "    CREATE TABLE public.t_3 (\n"
            "        id integer\n"
            "    );\n"
            "drift: column public.t_2.id differs from the migrations\n"
            "    ALTER TABLE public.t_2 ALTER COLUMN id TYPE integer USING "
            "id::integer;\n"
            "live schema: 5 differences from the migrations at " +
                Id(3) + " (replayed into the server of " + RedactedUrl(url_) +
                ")\n");
  EXPECT_NE(r.err.find("error: the live schema drifted from the migrations: "
                       "each 'drift:' line above shows the SQL that would "
                       "undo the difference; to keep a change instead, write "
                       "a revision that makes it\n"),
            std::string::npos)
      << r.err;
  // Read only: the database is as it was, and no scratch database is left.
  EXPECT_EQ(Scalar(url_,
                   "SELECT string_agg(relname, ',' ORDER BY relname) FROM "
                   "pg_class WHERE relnamespace = 'public'::regnamespace"),
            schema_before);
  EXPECT_EQ(VersionRows(url_), (std::vector<std::string>{Id(3)}));
  EXPECT_EQ(ScratchDatabases(url_), scratch_before);

  r = p_.Run({"verify", "--live", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("\"replayed_to\": [\n      \"" + Id(3) + "\"\n    ]"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"kind\": \"missing\",\n        \"object\": "
                       "\"table public.t_3\",\n        \"operation\": "
                       "\"create_table\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"clean\": false"), std::string::npos);
}

// The comparison is with the revisions the database is at, not the heads:
// a database one revision behind is not drift.
TEST_F(VerifyTest, LiveComparesWithTheDatabasesRevisions) {
  ASSERT_EQ(p_.Run({"upgrade", Id(2)}).exit_code, 0);
  CliResult r = p_.Run({"verify", "--live", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  // Nothing applied: the migrations at base are an empty schema.
  ASSERT_EQ(p_.Run({"downgrade", "base"}).exit_code, 0);
  ASSERT_TRUE(Open(url_)->Execute("CREATE TABLE t_1 (id int)").ok());
  r = p_.Run({"verify", "--live"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("drift: table public.t_1 is in the database but not "
                       "in the migrations\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("live schema: 1 difference from the migrations at "
                       "base (nothing applied)"),
            std::string::npos)
      << r.out;
}

// --schema S compares schema S only, at S's version table.
TEST_F(VerifyTest, LiveWithSchemaComparesThatSchema) {
  p_.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                  url_ + "\"\n[schemas.auth]\ncreate = true\n");
  WriteRevision(p_, Id(1), "", "", "", "CREATE TABLE ${schema}.t_1 (id int);",
                "DROP TABLE ${schema}.t_1;");
  WriteRevision(p_, Id(2), Id(1), "", "", "SELECT 1;", "SELECT 1;");
  WriteRevision(p_, Id(3), Id(2), "", "", "SELECT 1;", "SELECT 1;");
  ASSERT_EQ(p_.Run({"--schema", "auth", "upgrade", "head"}).exit_code, 0);
  ASSERT_TRUE(Open(url_)
                  ->Execute("CREATE TABLE public.elsewhere (x int);"
                            "CREATE INDEX ix_auth_t1 ON auth.t_1 (id)")
                  .ok());
  CliResult r = p_.Run({"--schema", "auth", "verify", "--live"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out.find("elsewhere"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("drift: index auth.ix_auth_t1 is in the database but "
                       "not in the migrations\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(
      r.out.find("live schema: 1 difference from the migrations at " + Id(3)),
      std::string::npos)
      << r.out;
}

// retort's own tables are never drift, whatever the version table is
// called (the history and meta tables follow its name).
TEST_F(VerifyTest, LiveSkipsRetortsOwnTables) {
  Config("version_table = \"schema_migrations\"\n");
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  ASSERT_TRUE(TableExists(url_, "schema_migrations_retort"));
  CliResult r = p_.Run({"verify", "--live"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("drift:"), std::string::npos) << r.out;
}

TEST_F(VerifyTest, DevNeedsLive) {
  CliResult r = p_.Run({"verify", "--dev", "ephemeral"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: --dev requires --live (see 'retort --help')\n");
}

TEST(VerifySqlite, LiveDriftOnSqlite) {
  TempProject p;
  p.WriteFile("retort.toml",
              "script_location = \"migrations\"\nurl = \"sqlite:///app.db\"\n");
  p.WriteFile("migrations/script.sql.tmpl", "");
  WriteRevision(p, "aaaaaaaaaaaa", "", "", "",
                "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n"
                "CREATE INDEX ix_users_name ON users (name);",
                "DROP TABLE users;");
  ASSERT_EQ(p.Run({"upgrade", "head"}).exit_code, 0);
  CliResult r = p.Run({"verify", "--live"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("live schema: matches the migrations at aaaaaaaaaaaa "
                       "(replayed into a temporary SQLite database file)\n"),
            std::string::npos)
      << r.out;
  ASSERT_TRUE(Open(SqliteUrl(p.dir(), "app.db"))
                  ->Execute("CREATE TABLE stray (x int)")
                  .ok());
  ASSERT_TRUE(Open(SqliteUrl(p.dir(), "app.db"))
                  ->Execute("ALTER TABLE users ADD COLUMN nickname TEXT")
                  .ok());
  r = p.Run({"verify", "--live"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("drift: table main.users differs from the migrations\n"
                       "    ALTER TABLE users DROP COLUMN nickname;\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("drift: table main.stray is in the database but not in "
                       "the migrations\n    DROP TABLE stray;\n"),
            std::string::npos)
      << r.out;
}

TEST(VerifySqlite, EditedFileOnSqlite) {
  TempProject p;
  p.WriteFile("retort.toml",
              "script_location = \"migrations\"\nurl = \"sqlite:///app.db\"\n");
  p.WriteFile("migrations/script.sql.tmpl", "");
  WriteRevision(p, "aaaaaaaaaaaa", "", "", "", "CREATE TABLE a (id int);",
                "DROP TABLE a;");
  ASSERT_EQ(p.Run({"upgrade", "head"}).exit_code, 0);
  EXPECT_EQ(p.Run({"verify"}).exit_code, 0);
  WriteRevision(p, "aaaaaaaaaaaa", "", "", "", "CREATE TABLE a (id integer);",
                "DROP TABLE a;");
  CliResult r = p.Run({"verify"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.substr(0, 8), "edited: ") << r.out;
}

}  // namespace
}  // namespace retort::testing

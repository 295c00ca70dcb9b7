// Unit tests of the lint rules: each rule fires where it should and stays
// quiet where PostgreSQL does no harm, with and without a (fake) catalog.
#include "lint/lint.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace retort {
namespace {

// A catalog answering from maps.
class FakeCatalog : public LintCatalog {
 public:
  int version = 150000;
  std::map<std::string, std::string> types;  // "table|column" -> type
  std::set<std::string> checks;              // "table|column"
  int server_version() const override { return version; }
  std::optional<std::string> ColumnType(const LintTable& t,
                                        const std::string& c) override {
    auto it = types.find(t.Display() + "|" + c);
    if (it == types.end()) return std::nullopt;
    return it->second;
  }
  bool HasNotNullCheck(const LintTable& t, const std::string& c) override {
    return checks.count(t.Display() + "|" + c) > 0;
  }
  std::map<std::string, LintTable> index_tables;  // index -> table
  std::optional<LintTable> IndexTable(const LintTable& index) override {
    auto it = index_tables.find(index.Display());
    if (it == index_tables.end()) return std::nullopt;
    return it->second;
  }
};

// The upgrade body starts on line 8 of this file.
std::string FileText(const std::string& up, const std::string& down) {
  return "-- m\n--\n-- Revision ID: a1\n-- Revises:\n-- Create Date: x\n\n"
         "-- migrate:upgrade\n" +
         up + "\n-- migrate:downgrade\n" + down + "\n";
}

struct Lint {
  Lint(std::string up_sql, std::string down_sql = "SELECT 1;",
       LintCatalog* live = nullptr, std::string timeout = "",
       bool in_transaction = true, LintState* carried = nullptr)
      : up(std::move(up_sql)),
        down(std::move(down_sql)),
        catalog(live),
        lock_timeout(std::move(timeout)),
        transactional(in_transaction),
        state(carried) {}
  std::string up;
  std::string down;
  LintCatalog* catalog;
  std::string lock_timeout;
  bool transactional;
  LintState* state;
  std::map<std::string, std::string> placeholders;
  std::string header_lock_timeout;  // the file's "Lock Timeout:"
  bool pending = false;
  int disabled = 0;

  Result<std::vector<LintFinding>> Findings() {
    auto sections = ParseRevisionSections(FileText(up, down), "v/a1.sql");
    if (!sections.ok()) return sections.status();
    LintFileInput in;
    in.revision = "a1";
    in.path = "v/a1.sql";
    in.sections = *sections;
    in.transactional = transactional;
    in.placeholders = placeholders;
    in.lock_timeout = header_lock_timeout;
    in.pending = pending;
    LintEnvironment env;
    env.lock_timeout = lock_timeout;
    env.catalog = catalog;
    LintState local;
    auto r = LintFile(in, env, state ? state : &local, &disabled);
    if (!r.ok()) return r.status();
    std::vector<LintFinding> out;
    for (auto& f : *r) out.push_back(f.finding);
    return out;
  }

  // "rule@line" of each finding.
  std::vector<std::string> Rules() {
    auto r = Findings();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (const auto& f : *r)
      out.push_back(f.rule + "@" + std::to_string(f.line));
    return out;
  }
};

using V = std::vector<std::string>;

TEST(LintTest, DropTableFiresWithLineLockAndMessage) {
  Lint run{"SELECT 1;\n\nDROP TABLE auth.users;"};
  auto r = run.Findings();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  const LintFinding& f = (*r)[0];
  EXPECT_EQ(f.rule, "drop-table");
  EXPECT_EQ(f.severity, LintSeverity::kError);
  EXPECT_EQ(f.line, 10);
  EXPECT_EQ(f.path, "v/a1.sql");
  EXPECT_EQ(f.revision, "a1");
  EXPECT_EQ(f.table, "auth.users");
  EXPECT_EQ(f.lock, "ACCESS EXCLUSIVE");
  EXPECT_EQ(f.statement, "DROP TABLE auth.users;");
  EXPECT_EQ(f.message, "drops table auth.users and its data");
}

TEST(LintTest, DropOfATableCreatedInTheSameRevisionDoesNotFire) {
  EXPECT_EQ((Lint{"CREATE TABLE t (a int);\nDROP TABLE t;"}.Rules()), V{});
  EXPECT_EQ((Lint{"DROP TABLE t;\nCREATE TABLE t (a int);"}.Rules()),
            V{"drop-table@8"});
}

TEST(LintTest, DestructiveStatements) {
  EXPECT_EQ((Lint{"ALTER TABLE users DROP COLUMN email;"}.Rules()),
            V{"drop-column@8"});
  EXPECT_EQ((Lint{"DROP SCHEMA billing CASCADE;"}.Rules()), V{"drop-schema@8"});
  EXPECT_EQ((Lint{"TRUNCATE users, orders;"}.Rules()),
            (V{"truncate@8", "truncate@8"}));
  EXPECT_EQ((Lint{"DROP TABLE a, b;"}.Rules()),
            (V{"drop-table@8", "drop-table@8"}));
  EXPECT_EQ((Lint{"DROP VIEW v;"}.Rules()), V{});
}

// An online type change swaps in a column the revision added and filled:
// the old one's drop and the new one's rename to its name lose nothing.
TEST(LintTest, ColumnSwapIsNotADropNorARename) {
  EXPECT_EQ((Lint{"ALTER TABLE t ADD COLUMN q_new bigint;\n"
                  "UPDATE t SET q_new = q;\n"
                  "ALTER TABLE t DROP COLUMN q;\n"
                  "ALTER TABLE t RENAME COLUMN q_new TO q;"}
                 .Rules()),
            V{});
  // A drop and a rename of a column that was there before are findings.
  EXPECT_EQ((Lint{"ALTER TABLE t DROP COLUMN q;\n"
                  "ALTER TABLE t RENAME COLUMN r TO q;"}
                 .Rules()),
            (V{"drop-column@8", "rename-column@9"}));
  // So is a swap on another table's column of that name.
  EXPECT_EQ((Lint{"ALTER TABLE t ADD COLUMN q_new bigint;\n"
                  "ALTER TABLE u DROP COLUMN q;\n"
                  "ALTER TABLE t RENAME COLUMN q_new TO q;\n"
                  "ALTER TABLE t DROP COLUMN r;"}
                 .Rules()),
            (V{"drop-column@9", "rename-column@10", "drop-column@11"}));
}

TEST(LintTest, DropIndexWithoutConcurrently) {
  auto r = Lint{"DROP INDEX ix_users_email;"}.Findings();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].rule, "drop-index-non-concurrent");
  EXPECT_EQ((*r)[0].severity, LintSeverity::kWarning);
  EXPECT_EQ((*r)[0].table, "");
  EXPECT_EQ((*r)[0].message,
            "drops index ix_users_email without CONCURRENTLY: ACCESS "
            "EXCLUSIVE on its table until it is done, and every query on the "
            "table queues behind it while it waits for that lock");
  EXPECT_EQ((Lint{"DROP INDEX CONCURRENTLY ix;"}.Rules()), V{});
  EXPECT_EQ((Lint{"DROP INDEX a.ix1, ix2;"}.Rules()),
            (V{"drop-index-non-concurrent@8", "drop-index-non-concurrent@8"}));
  // The table is known from the revisions read, or from the catalog.
  FakeCatalog live;
  live.index_tables["auth.ix"] = {"auth", "users"};
  r = Lint{"DROP INDEX auth.ix;", "SELECT 1;", &live}.Findings();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].table, "auth.users");
  EXPECT_EQ((*r)[0].lock, "ACCESS EXCLUSIVE");
  // An index of a table the revision creates is not flagged.
  EXPECT_EQ((Lint{"CREATE TABLE t (a int);\nCREATE INDEX ix ON t (a);\n"
                  "DROP INDEX ix;"}
                 .Rules()),
            V{});
  EXPECT_EQ((Lint{"CREATE INDEX CONCURRENTLY ix ON users (a);\n"
                  "DROP INDEX ix;"}
                 .Rules()),
            V{"drop-index-non-concurrent@9"});
}

TEST(LintTest, UniqueAndPrimaryKeyBuildTheirIndexUnderTheLock) {
  auto r =
      Lint{
          "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE "
          "(email);"}
          .Findings();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].rule, "add-unique-without-index");
  EXPECT_EQ((*r)[0].severity, LintSeverity::kError);
  EXPECT_EQ((*r)[0].message,
            "adds unique constraint \"users_email_key\" to users, building "
            "its unique index under ACCESS EXCLUSIVE: reads and writes wait "
            "for the whole build");
  EXPECT_EQ((Lint{"ALTER TABLE users ADD PRIMARY KEY (id);"}.Rules()),
            V{"add-unique-without-index@8"});
  EXPECT_EQ((Lint{"ALTER TABLE users ADD COLUMN code text UNIQUE;"}.Rules()),
            V{"add-unique-without-index@8"});
  // USING INDEX attaches an index built concurrently: the safe path.
  EXPECT_EQ((Lint{"ALTER TABLE users ADD CONSTRAINT k UNIQUE USING INDEX "
                  "users_email_key;"}
                 .Rules()),
            V{});
  EXPECT_EQ((Lint{"ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY "
                  "USING INDEX users_id_idx;"}
                 .Rules()),
            V{});
  EXPECT_EQ((Lint{"CREATE TABLE t (a int);\n"
                  "ALTER TABLE t ADD CONSTRAINT k UNIQUE (a);"}
                 .Rules()),
            V{});
}

// A table created by an earlier pending revision of the run is as new as one
// the file creates; one created by a revision the database may have applied
// (not known pending) is not.
TEST(LintTest, TablesOfEarlierPendingRevisionsAreNew) {
  LintState state;
  Lint first{"CREATE TABLE orders (id int);"};
  first.state = &state;
  first.pending = true;
  EXPECT_EQ(first.Rules(), V{});
  Lint second{
      "CREATE INDEX ix ON orders (id);\n"
      "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (id) "
      "REFERENCES users (id);\n"
      "ALTER TABLE orders DROP COLUMN id;"};
  second.state = &state;
  EXPECT_EQ(second.Rules(), V{});

  LintState applied;
  Lint earlier{"CREATE TABLE orders (id int);"};
  earlier.state = &applied;
  EXPECT_EQ(earlier.Rules(), V{});
  Lint later{"CREATE INDEX ix ON orders (id);"};
  later.state = &applied;
  EXPECT_EQ(later.Rules(), V{"create-index-non-concurrent@8"});
}

TEST(LintTest, StatementsInsideDollarQuotedBodiesAreNotRead) {
  Lint run{
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $body$\n"
      "BEGIN\n"
      "  DROP TABLE users;\n"
      "  ALTER TABLE users DROP COLUMN email;\n"
      "  CREATE INDEX ix ON users (a);\n"
      "END $body$;\n"
      "DO $$ BEGIN EXECUTE 'TRUNCATE users'; ALTER TABLE t RENAME TO u; "
      "END $$;\n"
      "SELECT 'DROP TABLE x;';"};
  EXPECT_EQ(run.Rules(), V{});
}

TEST(LintTest, AlterColumnTypeKnowsBinaryCoercibleChanges) {
  LintState state;
  EXPECT_EQ((Lint{"CREATE TABLE t (a varchar(20), b int, c numeric(10,2), "
                  "d timestamp(3), e text, f char(5));",
                  "SELECT 1;", nullptr, "", true, &state}
                 .Rules()),
            V{});
  auto rules = [&](const std::string& sql) {
    LintState copy = state;
    return Lint{sql, "SELECT 1;", nullptr, "", true, &copy}.Rules();
  };
  // No rewrite.
  EXPECT_EQ(rules("ALTER TABLE t ALTER COLUMN a TYPE text;"), V{});
  EXPECT_EQ(rules("ALTER TABLE t ALTER COLUMN a TYPE varchar(50);"), V{});
  EXPECT_EQ(rules("ALTER TABLE t ALTER COLUMN a TYPE varchar;"), V{});
  EXPECT_EQ(rules("ALTER TABLE t ALTER COLUMN a TYPE character varying(20);"),
            V{});
  EXPECT_EQ(rules("ALTER TABLE t ALTER COLUMN c TYPE numeric(12,2);"), V{});
  EXPECT_EQ(rules("ALTER TABLE t ALTER COLUMN c TYPE numeric;"), V{});
  EXPECT_EQ(rules("ALTER TABLE t ALTER COLUMN d TYPE timestamp(6);"), V{});
  EXPECT_EQ(rules("ALTER TABLE t ALTER COLUMN e TYPE varchar;"), V{});
  // Rewrites.
  EXPECT_EQ(rules("ALTER TABLE t ALTER COLUMN a TYPE varchar(10);"),
            V{"alter-column-type@8"});
  EXPECT_EQ(rules("ALTER TABLE t ALTER COLUMN b TYPE bigint;"),
            V{"alter-column-type@8"});
  EXPECT_EQ(rules("ALTER TABLE t ALTER COLUMN c TYPE numeric(12,3);"),
            V{"alter-column-type@8"});
  EXPECT_EQ(rules("ALTER TABLE t ALTER COLUMN e TYPE varchar(10);"),
            V{"alter-column-type@8"});
  EXPECT_EQ(rules("ALTER TABLE t ALTER COLUMN f TYPE text;"),
            V{"alter-column-type@8"});
  EXPECT_EQ(rules("ALTER TABLE t ALTER COLUMN a TYPE text USING a || '';"),
            V{"alter-column-type@8"});
  // A column lint knows nothing about may rewrite.
  EXPECT_EQ(rules("ALTER TABLE t ALTER COLUMN zz TYPE text;"),
            V{"alter-column-type@8"});
  // The new type is remembered: varchar(10) -> text after a narrowing.
  EXPECT_EQ(rules("ALTER TABLE t ALTER COLUMN b TYPE bigint;\n"
                  "ALTER TABLE t ALTER COLUMN b TYPE int8;"),
            V{"alter-column-type@8"});
}

TEST(LintTest, AlterColumnTypeMessageNamesBothTypes) {
  FakeCatalog catalog;
  catalog.types["users|name"] = "character varying(20)";
  Lint run{"ALTER TABLE users ALTER COLUMN name TYPE varchar(10);"};
  run.catalog = &catalog;
  auto r = run.Findings();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].message,
            "changes the type of users.name to varchar(10): character "
            "varying(20) is not binary-coercible to varchar(10); the table is "
            "rewritten under ACCESS EXCLUSIVE");
  Lint ok{"ALTER TABLE users ALTER COLUMN name TYPE text;"};
  ok.catalog = &catalog;
  EXPECT_EQ(ok.Rules(), V{});
}

TEST(LintTest, TypeChangeRewrites) {
  EXPECT_FALSE(TypeChangeRewrites("character varying(20)", "text"));
  EXPECT_FALSE(TypeChangeRewrites("character varying(20)", "varchar(21)"));
  EXPECT_TRUE(TypeChangeRewrites("character varying(20)", "varchar(19)"));
  EXPECT_FALSE(TypeChangeRewrites("text", "character varying"));
  EXPECT_TRUE(TypeChangeRewrites("text", "varchar(255)"));
  EXPECT_FALSE(TypeChangeRewrites("cidr", "inet"));
  EXPECT_TRUE(TypeChangeRewrites("inet", "cidr"));
  EXPECT_TRUE(TypeChangeRewrites("integer", "bigint"));
  EXPECT_FALSE(TypeChangeRewrites("integer", "int4"));
  EXPECT_TRUE(TypeChangeRewrites("timestamp without time zone",
                                 "timestamp with time zone"));
  EXPECT_FALSE(
      TypeChangeRewrites("timestamp(3) with time zone", "timestamptz"));
  EXPECT_TRUE(TypeChangeRewrites("text[]", "varchar"));
  EXPECT_FALSE(TypeChangeRewrites("character varying(5)[]", "text[]"));
  EXPECT_TRUE(TypeChangeRewrites("not a type ((", "text"));
}

TEST(LintTest, AddColumnWithVolatileDefault) {
  EXPECT_EQ((Lint{"ALTER TABLE t ADD COLUMN id uuid DEFAULT gen_random_uuid();"}
                 .Rules()),
            V{"add-column-volatile-default@8"});
  EXPECT_EQ((Lint{"ALTER TABLE t ADD COLUMN n bigserial;"}.Rules()),
            V{"add-column-volatile-default@8"});
  EXPECT_EQ((Lint{"ALTER TABLE t ADD COLUMN n int GENERATED ALWAYS AS (a * 2) "
                  "STORED;"}
                 .Rules()),
            V{"add-column-volatile-default@8"});
  EXPECT_EQ((Lint{"ALTER TABLE t ADD COLUMN r float8 DEFAULT (random() * "
                  "10);"}
                 .Rules()),
            V{"add-column-volatile-default@8"});
  // Constant and stable defaults are stored once (PostgreSQL 11+).
  EXPECT_EQ((Lint{"ALTER TABLE t ADD COLUMN c int DEFAULT 0, ADD COLUMN d "
                  "timestamptz DEFAULT now() NOT NULL;"}
                 .Rules()),
            V{});
  FakeCatalog pg10;
  pg10.version = 100012;
  Lint old{"ALTER TABLE t ADD COLUMN c int DEFAULT 0;"};
  old.catalog = &pg10;
  auto r = old.Findings();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].message,
            "adds column \"c\" to t: PostgreSQL 10 writes any default into "
            "every row, rewriting the table under ACCESS EXCLUSIVE");
  EXPECT_EQ((Lint{"CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN id uuid "
                  "DEFAULT gen_random_uuid();"}
                 .Rules()),
            V{});
}

TEST(LintTest, SetNotNullNeedsAValidatedCheck) {
  EXPECT_EQ((Lint{"ALTER TABLE t ALTER COLUMN a SET NOT NULL;"}.Rules()),
            V{"set-not-null@8"});
  // Added NOT VALID and validated: the scan is skipped.
  EXPECT_EQ((Lint{"ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT "
                  "VALID;\n"
                  "ALTER TABLE t VALIDATE CONSTRAINT a_nn;\n"
                  "ALTER TABLE t ALTER COLUMN a SET NOT NULL;"}
                 .Rules()),
            V{});
  // Added NOT VALID but never validated: still a scan.
  EXPECT_EQ((Lint{"ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT "
                  "VALID;\n"
                  "ALTER TABLE t ALTER COLUMN a SET NOT NULL;"}
                 .Rules()),
            V{"set-not-null@9"});
  // A check on another column does not help.
  EXPECT_EQ((Lint{"ALTER TABLE t ADD CONSTRAINT b_nn CHECK (b IS NOT NULL) NOT "
                  "VALID;\nALTER TABLE t VALIDATE CONSTRAINT b_nn;\n"
                  "ALTER TABLE t ALTER COLUMN a SET NOT NULL;"}
                 .Rules()),
            V{"set-not-null@10"});
  FakeCatalog catalog;
  catalog.checks.insert("t|a");
  Lint live{"ALTER TABLE t ALTER COLUMN a SET NOT NULL;"};
  live.catalog = &catalog;
  EXPECT_EQ(live.Rules(), V{});
}

TEST(LintTest, CreateIndexWithoutConcurrently) {
  EXPECT_EQ((Lint{"CREATE INDEX ix ON users (email);"}.Rules()),
            V{"create-index-non-concurrent@8"});
  EXPECT_EQ((Lint{"CREATE UNIQUE INDEX ix ON users (email);"}.Rules()),
            V{"create-index-non-concurrent@8"});
  EXPECT_EQ((Lint{"CREATE INDEX CONCURRENTLY ix ON users (email);"}.Rules()),
            V{});
  EXPECT_EQ((Lint{"CREATE TABLE users (email text);\n"
                  "CREATE INDEX ix ON users (email);"}
                 .Rules()),
            V{});
  auto r = Lint{"CREATE INDEX ix ON users (email);"}.Findings();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].lock, "SHARE");
}

TEST(LintTest, ConstraintsWithoutNotValid) {
  EXPECT_EQ((Lint{"ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES "
                  "users (id);"}
                 .Rules()),
            V{"constraint-without-not-valid@8"});
  EXPECT_EQ((Lint{"ALTER TABLE o ADD CONSTRAINT c CHECK (n > 0);"}.Rules()),
            V{"constraint-without-not-valid@8"});
  EXPECT_EQ((Lint{"ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES "
                  "users (id) NOT VALID;\n"
                  "ALTER TABLE o ADD CONSTRAINT c CHECK (n > 0) NOT VALID;\n"
                  "ALTER TABLE o VALIDATE CONSTRAINT c;"}
                 .Rules()),
            V{});
  auto r =
      Lint{
          "ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES "
          "users (id);"}
          .Findings();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].lock, "SHARE ROW EXCLUSIVE");
  EXPECT_EQ((*r)[0].message,
            "adds foreign key \"fk\" without NOT VALID: every row of o is "
            "checked under SHARE ROW EXCLUSIVE");
  EXPECT_EQ((Lint{"CREATE TABLE o (u int);\nALTER TABLE o ADD CONSTRAINT fk "
                  "FOREIGN KEY (u) REFERENCES users (id);"}
                 .Rules()),
            V{});
}

TEST(LintTest, Renames) {
  EXPECT_EQ((Lint{"ALTER TABLE users RENAME TO accounts;"}.Rules()),
            V{"rename-table@8"});
  EXPECT_EQ(
      (Lint{"ALTER TABLE users RENAME COLUMN name TO full_name;"}.Rules()),
      V{"rename-column@8"});
  EXPECT_EQ((Lint{"ALTER TABLE users RENAME CONSTRAINT a TO b;"}.Rules()), V{});
  auto r =
      Lint{"ALTER TABLE users RENAME COLUMN name TO full_name;"}.Findings();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].severity, LintSeverity::kWarning);
  EXPECT_EQ((*r)[0].message,
            "renames column \"name\" of users to \"full_name\"");
}

TEST(LintTest, EnumAddValueInATransaction) {
  EXPECT_EQ((Lint{"ALTER TYPE mood ADD VALUE 'meh';"}.Rules()),
            V{"enum-add-value-in-transaction@8"});
  Lint outside{"ALTER TYPE mood ADD VALUE 'meh';"};
  outside.transactional = false;
  EXPECT_EQ(outside.Rules(), V{});
  FakeCatalog pg15, pg11;
  pg11.version = 110020;
  Lint modern{"ALTER TYPE mood ADD VALUE 'meh';"};
  modern.catalog = &pg15;
  EXPECT_EQ(modern.Rules(), V{});
  Lint old{"ALTER TYPE mood ADD VALUE 'meh';"};
  old.catalog = &pg11;
  auto r = old.Findings();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].message,
            "adds value 'meh' to type mood inside the revision's transaction, "
            "which PostgreSQL 11 refuses");
  EXPECT_EQ((Lint{"ALTER TYPE mood RENAME VALUE 'a' TO 'b';"}.Rules()), V{});
}

TEST(LintTest, LockTimeoutDisabled) {
  EXPECT_TRUE(LockTimeoutDisabled("0"));
  EXPECT_TRUE(LockTimeoutDisabled("0s"));
  EXPECT_TRUE(LockTimeoutDisabled(" 00ms"));
  EXPECT_TRUE(LockTimeoutDisabled("0.0s"));
  EXPECT_FALSE(LockTimeoutDisabled(""));
  EXPECT_FALSE(LockTimeoutDisabled("5s"));
  EXPECT_FALSE(LockTimeoutDisabled("10"));
  EXPECT_FALSE(LockTimeoutDisabled("0x"));
  // Configured to 0: the first statement locking an existing table, once.
  Lint config{
      "CREATE TABLE n (a int);\nCREATE INDEX i ON n (a);\n"
      "ALTER TABLE users ADD COLUMN b int;\n"
      "ALTER TABLE users ADD COLUMN c int;"};
  config.lock_timeout = "0";
  auto r = config.Findings();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].rule, "lock-timeout-disabled");
  EXPECT_EQ((*r)[0].line, 10);
  EXPECT_EQ((*r)[0].message,
            "lock_timeout = \"0\" in retort.toml: waiting for ACCESS "
            "EXCLUSIVE on users has no limit");
  Lint five{"ALTER TABLE users ADD COLUMN b int;"};
  five.lock_timeout = "5s";
  EXPECT_EQ(five.Rules(), V{});
  EXPECT_EQ((Lint{"SET lock_timeout = 0;\nALTER TABLE users ADD COLUMN b int;"}
                 .Rules()),
            V{"lock-timeout-disabled@8"});
  EXPECT_EQ((Lint{"SET LOCAL lock_timeout TO '0';"}.Rules()),
            V{"lock-timeout-disabled@8"});
  EXPECT_EQ((Lint{"SET lock_timeout = '2s';"}.Rules()), V{});
  // The file's "Lock Timeout:" header replaces the configured value, both
  // ways.
  Lint header{"ALTER TABLE users ADD COLUMN b int;"};
  header.header_lock_timeout = "0";
  r = header.Findings();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].message,
            "\"Lock Timeout: 0\" in the file's header: waiting for ACCESS "
            "EXCLUSIVE on users has no limit");
  Lint overridden{"ALTER TABLE users ADD COLUMN b int;"};
  overridden.lock_timeout = "0";
  overridden.header_lock_timeout = "2s";
  EXPECT_EQ(overridden.Rules(), V{});
}

TEST(LintTest, IrreversibleDowngrade) {
  Lint empty{"CREATE TABLE t (a int);", ""};
  EXPECT_EQ(empty.Rules(), V{"irreversible-downgrade@9"});
  Lint comment{"CREATE TABLE t (a int);", "-- nothing here"};
  EXPECT_EQ(comment.Rules(), V{"irreversible-downgrade@9"});
  Lint marked{"CREATE TABLE t (a int);", "-- retort: empty"};
  EXPECT_EQ(marked.Rules(), V{});
  Lint code{"CREATE TABLE t (a int);", "-- retort: code"};
  EXPECT_EQ(code.Rules(), V{});
}

TEST(LintTest, UnparsedStatementIsAWarningNotSilence) {
  auto r = Lint{"ALTER TABLE t FROB x;"}.Findings();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].rule, "unparsed-statement");
  EXPECT_EQ((*r)[0].message, "not checked: syntax error at or near \"FROB\"");
}

TEST(LintTest, PlaceholdersAreSubstitutedAndTheFileTextShown) {
  Lint run{"DROP TABLE ${schema}.users;"};
  run.placeholders = {{"schema", "auth"}};
  auto r = run.Findings();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].table, "auth.users");
  EXPECT_EQ((*r)[0].statement, "DROP TABLE ${schema}.users;");
  Lint missing{"DROP TABLE ${schema}.users;"};
  EXPECT_FALSE(missing.Findings().ok());
}

TEST(LintTest, DisableDirectiveSilencesRulesForTheWholeFile) {
  Lint run{
      "-- retort: lint disable=drop-table, rename-column\n"
      "DROP TABLE a;\nALTER TABLE b RENAME COLUMN x TO y;\n"
      "ALTER TABLE b DROP COLUMN z;",
      "-- retort: lint disable=irreversible-downgrade"};
  EXPECT_EQ(run.Rules(), V{"drop-column@11"});
  EXPECT_EQ(run.disabled, 3);  // the empty downgrade too
}

TEST(LintTest, DisableDirectiveNamingNoRuleIsAnError) {
  Lint run{"-- retort: lint disable=drop-tabel\nDROP TABLE a;"};
  auto r = run.Findings();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "v/a1.sql:8: unknown lint rule \"drop-tabel\" in \"-- retort: "
            "lint disable=drop-tabel\"; did you mean 'drop-table'? (see "
            "'retort lint --rules' for the rules)");
}

TEST(LintTest, DisableDirectiveSyntax) {
  for (const char* bad :
       {"-- retort: lint", "-- retort: lint disable=", "-- retort: lint on",
        "-- retort: lint disable=a,,b", "-- retort: lint disable=Drop_Table"}) {
    auto r = ParseRevisionSections(
        FileText(std::string(bad) + "\nSELECT 1;", "SELECT 1;"), "v/a1.sql");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(),
              "v/a1.sql:8: \"-- retort: lint\" takes \"disable=\" and rule ids "
              "separated by commas, e.g. \"-- retort: lint "
              "disable=drop-column,rename-table\" (see 'retort lint --rules')")
        << bad;
  }
  auto ok = ParseRevisionSections(
      FileText("-- retort: lint disable=drop-table,truncate\nSELECT 1;",
               "SELECT 1;"),
      "v/a1.sql");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->upgrade_directives.all.size(), 1u);
  EXPECT_EQ(ok->upgrade_directives.all[0].kind, Directive::Kind::kLintDisable);
  EXPECT_EQ(ok->upgrade_directives.all[0].argument, "drop-table,truncate");
}

TEST(LintTest, SqliteRevisionsGetOnlyTheFileLevelRule) {
  auto sections = ParseRevisionSections(
      FileText("DROP TABLE t;\nCREATE INDEX i ON t (a);", ""), "v/a1.sql");
  ASSERT_TRUE(sections.ok());
  LintFileInput in;
  in.revision = "a1";
  in.path = "v/a1.sql";
  in.sections = *sections;
  in.dialect = Dialect::kSqlite;
  LintState state;
  auto r = LintFile(in, {}, &state, nullptr);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].finding.rule, "irreversible-downgrade");
}

// docs/lint.md's rule table is the same as LintRules(): id and severity.
TEST(LintTest, DocsListEveryRuleWithItsSeverity) {
  std::ifstream in(std::string(RETORT_SOURCE_DIR) + "/docs/lint.md");
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  for (const LintRuleInfo& rule : LintRules()) {
    std::string row =
        "| `" + rule.id + "` | " + LintSeverityName(rule.severity) + " |";
    EXPECT_NE(text.str().find(row), std::string::npos) << row;
  }
}

}  // namespace
}  // namespace retort

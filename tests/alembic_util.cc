// Helpers shared by the tests that run retort beside Alembic; see
// alembic_util.h.
#include "alembic_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "runtime_util.h"

namespace retort::testing {

namespace fs = std::filesystem;

std::string AlembicFixture(const std::string& name) {
  return std::string(RETORT_SOURCE_DIR) + "/tests/data/alembic/" + name;
}

// The SQLAlchemy URL of a libpq one.
std::string SaUrl(const std::string& url) {
  return "postgresql+psycopg2" + url.substr(url.find("://"));
}

ImportProject::ImportProject(const std::string& fixture, const std::string& url,
                             const std::string& extra_config) {
  if (!fixture.empty()) {
    fs::copy(AlembicFixture(fixture), p_.Path("alembic"),
             fs::copy_options::recursive);
  }
  p_.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                  url + "\"\npython = \"" + kPython + "\"\n" +
                                  extra_config);
  fs::create_directories(p_.Path("migrations/versions"));
}

std::string ImportProject::Alembic(const std::string& args,
                                   const std::string& env) const {
  std::string out;
  int rc = Shell("cd " + p_.Path("alembic") + " && " + env + " " + kPython +
                     " -m alembic " + args + " 2>&1",
                 &out);
  EXPECT_EQ(rc, 0) << "alembic " << args << ":\n" << out;
  return out;
}

void ImportProject::SetAlembicUrl(const std::string& url) const {
  std::string text = File("alembic/alembic.ini");
  size_t at = text.find("sqlalchemy.url = ");
  ASSERT_NE(at, std::string::npos);
  p_.WriteFile("alembic/alembic.ini", text.substr(0, at) +
                                          "sqlalchemy.url = " + SaUrl(url) +
                                          text.substr(text.find('\n', at)));
}

std::string ImportProject::VersionFile(const std::string& id) const {
  for (const std::string& name : p_.List("migrations/versions")) {
    if (name.rfind(id, 0) == 0) return "migrations/versions/" + name;
  }
  ADD_FAILURE() << "no file for " << id;
  return "";
}

// Ids in the order `history` prints them, from retort's or Alembic's
// output ("a -> b (head), msg" lines).
std::vector<std::string> HistoryIds(const std::string& text) {
  std::vector<std::string> ids;
  std::regex line(R"(-> ([0-9a-f]+)[ ,])");
  for (std::sregex_iterator it(text.begin(), text.end(), line), end; it != end;
       ++it) {
    ids.push_back((*it)[1]);
  }
  return ids;
}

// Tables, columns, constraints and indexes of `schemas`, one fact per row,
// sorted: two databases built by different tools compare equal when their
// schemas do.
std::vector<std::string> Fingerprint(const std::string& url,
                                     const std::string& schemas) {
  const std::string in = "IN (" + schemas + ")";
  std::vector<std::string> out;
  for (const std::string& sql : {
           "SELECT table_schema || '.' || table_name || '.' || column_name || "
           "' ' || data_type || ' ' || is_nullable || ' ' || "
           "coalesce(column_default, '-') FROM information_schema.columns "
           "WHERE table_schema " +
               in + " AND table_name NOT LIKE 'alembic_version%'",
           "SELECT n.nspname || '.' || t.relname || ' ' || c.conname || ' ' "
           "|| pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class "
           "t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = "
           "t.relnamespace WHERE n.nspname " +
               in + " AND t.relname NOT LIKE 'alembic_version%'",
           "SELECT indexdef FROM pg_indexes WHERE schemaname " + in +
               " AND tablename NOT LIKE 'alembic_version%'",
           "SELECT n.nspname || '.' || t.typname || ' ' || (SELECT "
           "string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM "
           "pg_enum e WHERE e.enumtypid = t.oid) FROM pg_type t JOIN "
           "pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'e' "
           "AND n.nspname " +
               in,
       }) {
    for (std::string& row : Rows(url, sql)) out.push_back(std::move(row));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Replaces the upgrade section of a retort file (a human converting a
// TODO by hand).
void RewriteUpgrade(const TempProject& p, const std::string& rel,
                    const std::string& sql) {
  std::string text = p.ReadFile(rel);
  size_t up = text.find("-- migrate:upgrade\n");
  size_t down = text.find("-- migrate:downgrade\n");
  ASSERT_NE(up, std::string::npos);
  ASSERT_NE(down, std::string::npos);
  p.WriteFile(rel, text.substr(0, up) + "-- migrate:upgrade\n" + sql + "\n\n" +
                       text.substr(down));
}

}  // namespace retort::testing

// Helpers for the runtime integration tests; see runtime_util.h.
#include "runtime_util.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "dialect/url.h"

namespace retort::testing {

namespace fs = std::filesystem;

MigrationProject::MigrationProject() {
  std::string tmpl =
      (fs::temp_directory_path() / "retort-runtime-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  dir_ = made ? made : "";
  fs::create_directories(dir_ + "/migrations/versions");
}

MigrationProject::~MigrationProject() {
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

namespace {

// A section the test leaves empty runs as doing nothing: it says so, as an
// empty section without "-- retort: empty" is refused as irreversible.
std::string SectionBody(const std::string& sql) {
  return sql.find_first_not_of(" \t\r\n") == std::string::npos
             ? "-- retort: empty"
             : sql;
}

}  // namespace

std::string MigrationProject::Add(const RevisionSpec& spec) {
  std::string path = dir_ + "/migrations/versions/" + spec.id + "_rev.sql";
  std::ofstream out(path, std::ios::binary);
  out << "-- " << (spec.message.empty() ? "rev " + spec.id : spec.message)
      << "\n--\n"
      << "-- Revision ID: " << spec.id << "\n"
      << "-- Revises: " << spec.revises << "\n"
      << "-- Branch Labels: " << spec.branch_labels << "\n"
      << "-- Depends On: " << spec.depends_on << "\n"
      << "-- Create Date: 2026-01-01 00:00:00.000000\n"
      << spec.extra_header << "\n"
      << "-- migrate:upgrade\n"
      << SectionBody(spec.upgrade) << "\n\n"
      << "-- migrate:downgrade\n"
      << SectionBody(spec.downgrade) << "\n";
  return path;
}

std::string ChainId(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%012x", i + 1);
  return buf;
}

void MigrationProject::AddChain(int n, bool portable) {
  for (int i = 0; i < n; ++i) {
    RevisionSpec spec;
    spec.id = ChainId(i);
    spec.revises = i == 0 ? "" : ChainId(i - 1);
    // The statement gen_alembic.py's revisions execute, so offline output
    // can be compared with Alembic's byte for byte.
    spec.upgrade = "CREATE TABLE t_" + std::to_string(i) +
                   " (id integer PRIMARY KEY, name text NOT NULL" +
                   (portable ? ")" : ", created_at timestamptz DEFAULT now())");
    spec.downgrade = "DROP TABLE t_" + std::to_string(i);
    spec.message = "rev " + std::to_string(i);
    Add(spec);
  }
}

bool MigrationProject::Load() {
  ScriptDirectoryOptions options;
  options.script_location = dir_ + "/migrations";
  auto scripts = ScriptDirectory::Open(options);
  EXPECT_TRUE(scripts.ok()) << scripts.status().ToString();
  if (!scripts.ok()) return false;
  scripts_ = std::make_unique<ScriptDirectory>(std::move(scripts).value());
  Status loaded = scripts_->Load();
  EXPECT_TRUE(loaded.ok()) << loaded.ToString();
  if (!loaded.ok()) return false;
  auto map = RevisionMap::Build(scripts_->Revisions());
  EXPECT_TRUE(map.ok()) << map.status().ToString();
  if (!map.ok()) return false;
  map_ = std::move(map).value();
  return true;
}

std::string MigrationProject::PathOf(const std::string& id) const {
  const RevisionFile* file = scripts_ ? scripts_->Find(id) : nullptr;
  return file ? file->revision.path : "<no file for " + id + ">";
}

Result<RunReport> MigrationProject::Run(const RunTarget& target,
                                        RunRequest::Command command,
                                        std::vector<std::string> targets,
                                        const RunSettings& settings, bool purge,
                                        bool offline) const {
  RunRequest request;
  request.command = command;
  request.targets = std::move(targets);
  request.purge = purge;
  request.offline = offline;
  return retort::Run(*scripts_, map_, target, settings, request);
}

std::string SqliteUrl(const std::string& dir, const std::string& name) {
  return "sqlite:///" + dir + "/" + name;
}

std::unique_ptr<Connection> Open(const std::string& url) {
  auto db = Connect(url);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

std::vector<std::string> Rows(const std::string& url, const std::string& sql) {
  std::vector<std::string> out;
  auto db = Open(url);
  if (!db) return out;
  auto result = db->Query(sql);
  EXPECT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
  if (!result.ok()) return out;
  for (const Row& row : result->rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) line += "|";
      line += row[i].value_or("<NULL>");
    }
    out.push_back(line);
  }
  return out;
}

std::string Scalar(const std::string& url, const std::string& sql) {
  auto rows = Rows(url, sql);
  if (rows.empty()) return "<none>";
  return rows[0].substr(0, rows[0].find('|'));
}

std::vector<std::string> VersionRows(const std::string& url,
                                     const std::string& table) {
  auto rows = Rows(url, "SELECT version_num FROM " + table);
  std::sort(rows.begin(), rows.end());
  return rows;
}

bool TableExists(const std::string& url, const std::string& name) {
  if (url.rfind("sqlite", 0) == 0) {
    return Scalar(url,
                  "SELECT count(*) FROM sqlite_master WHERE type = "
                  "'table' AND name = '" +
                      name + "'") == "1";
  }
  return Scalar(url, "SELECT to_regclass('" + name + "') IS NOT NULL") == "t";
}

int Shell(const std::string& command, std::string* output) {
  output->clear();
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) {
    output->append(buf.data(), n);
  }
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

RunSettings CollectingSettings(std::vector<std::string>* lines,
                               LogLevel level) {
  RunSettings settings;
  settings.log_level = level;
  settings.log = [lines](LogLevel l, std::string_view text) {
    static const char* kNames[] = {"D", "I", "W", "E"};
    lines->push_back(std::string(kNames[static_cast<int>(l)]) + ": " +
                     std::string(text));
  };
  return settings;
}

std::string GenAlembicScript() {
  if (const char* env = std::getenv("RETORT_GEN_ALEMBIC"); env && *env)
    return env;
  return (std::filesystem::path(RETORT_SOURCE_DIR) / "tests" / "tools" /
          "gen_alembic.py")
      .lexically_normal()
      .string();
}

}  // namespace retort::testing

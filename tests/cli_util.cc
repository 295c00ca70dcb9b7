// Running the retort binary from tests.
#include "cli_util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace retort::testing {

namespace fs = std::filesystem;

TempProject::TempProject() {
  std::string tmpl = (fs::temp_directory_path() / "retort-cli-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  dir_ = made ? made : "";
}

TempProject::~TempProject() {
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int TempProject::Spawn(const std::vector<std::string>& args, int index,
                       const std::map<std::string, std::string>& env) const {
  std::string out_path = dir_ + "/.stdout" + std::to_string(index);
  std::string err_path = dir_ + "/.stderr" + std::to_string(index);
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(dir_.c_str()) != 0) _exit(127);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    FILE* o = freopen(out_path.c_str(), "w", stdout);
    FILE* e = freopen(err_path.c_str(), "w", stderr);
    if (!o || !e) _exit(127);
    std::vector<char*> argv;
    std::string bin = RETORT_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

CliResult TempProject::Wait(int pid, int index) const {
  CliResult r;
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::string out_path = dir_ + "/.stdout" + std::to_string(index);
  std::string err_path = dir_ + "/.stderr" + std::to_string(index);
  r.out = Slurp(out_path);
  r.err = Slurp(err_path);
  fs::remove(out_path);
  fs::remove(err_path);
  return r;
}

CliResult TempProject::Run(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env) const {
  return Wait(Spawn(args, 0, env), 0);
}

void TempProject::WriteFile(const std::string& rel,
                            const std::string& text) const {
  fs::path p = fs::path(dir_) / rel;
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

std::string TempProject::ReadFile(const std::string& rel) const {
  return Slurp(dir_ + "/" + rel);
}

std::vector<std::string> TempProject::List(const std::string& rel) const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(dir_) / rel, ec))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
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

void WriteRevision(const TempProject& p, const std::string& id,
                   const std::string& revises, const std::string& labels,
                   const std::string& depends_on, const std::string& upgrade,
                   const std::string& downgrade, const std::string& message) {
  p.WriteFile("migrations/versions/" + id + ".sql",
              "-- " + (message.empty() ? "rev " + id : message) +
                  "\n--\n-- Revision ID: " + id + "\n-- Revises: " + revises +
                  "\n-- Branch Labels: " + labels +
                  "\n-- Depends On: " + depends_on +
                  "\n-- Create Date: 2026-11-21 10:00:00.000000\n\n"
                  "-- migrate:upgrade\n" +
                  SectionBody(upgrade) + "\n\n-- migrate:downgrade\n" +
                  SectionBody(downgrade) + "\n");
}

}  // namespace retort::testing

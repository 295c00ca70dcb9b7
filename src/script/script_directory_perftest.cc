// Micro-benchmark for ScriptDirectory::Load(): writes N revision files to a
// temporary folder and times listing + header reading with 1, 2 and 4
// threads. Not part of any CMake target (the globs skip *_perftest.cc);
// build and run it by hand from the repository root:
//   g++ -std=c++20 -O2 -Iinclude -Isrc src/script/*.cc src/status.cc
//       -lpthread -o /tmp/script_perftest   (leaving out src/script/*_test.cc)
//   /tmp/script_perftest 10000
// It prints wall time and the CPU time of all threads; on a loaded machine
// only the CPU time is comparable between runs.
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "script/script_directory.h"

namespace {

std::string Id(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%012x", 0x100000 + i * 7919);
  return buf;
}

void WriteFiles(const std::string& versions, int n) {
  std::filesystem::create_directories(versions);
  for (int i = 0; i < n; ++i) {
    std::string id = Id(i);
    std::string parent = i == 0 ? "" : Id(i - 1);
    std::ofstream out(versions + "/" + id + "_add_column_" + std::to_string(i) +
                      ".sql");
    out << "-- Add column " << i << " to users\n--\n-- Revision ID: " << id
        << "\n-- Revises: " << parent
        << "\n-- Branch Labels:\n-- Depends On:\n"
           "-- Create Date: 2026-11-21 10:00:00.000000\n\n"
           "-- migrate:upgrade\nALTER TABLE auth.users ADD COLUMN c"
        << i << " varchar(255);\nCREATE INDEX users_c" << i
        << "_idx ON auth.users (c" << i
        << ");\n\n-- migrate:downgrade\nDROP INDEX auth.users_c" << i
        << "_idx;\nALTER TABLE auth.users DROP COLUMN c" << i << ";\n";
  }
}

// User + system CPU time of the whole process: unlike wall time, it is not
// inflated when other processes share the cores.
double CpuMillis() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval& tv) {
    return tv.tv_sec * 1000.0 + tv.tv_usec / 1000.0;
  };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  char tmpl[] = "/tmp/retort_script_perf_XXXXXX";
  std::string root = mkdtemp(tmpl);
  WriteFiles(root + "/versions", n);
  std::printf("%d revision files in %s\n", n, root.c_str());
  for (int threads : {1, 2, 4}) {
    std::vector<double> total, list, read, cpu;
    for (int rep = 0; rep < 7; ++rep) {
      retort::ScriptDirectoryOptions options;
      options.script_location = root;
      options.threads = threads;
      auto dir = retort::ScriptDirectory::Open(options);
      auto start = std::chrono::steady_clock::now();
      const double cpu_start = CpuMillis();
      retort::Status st = dir->Load();
      cpu.push_back(CpuMillis() - cpu_start);
      double ms = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - start)
                      .count();
      if (!st.ok()) {
        std::printf("error: %s\n", st.ToString().c_str());
        return 1;
      }
      total.push_back(ms);
      list.push_back(dir->stats().list_ms);
      read.push_back(dir->stats().read_ms);
    }
    std::sort(total.begin(), total.end());
    std::sort(list.begin(), list.end());
    std::sort(read.begin(), read.end());
    std::sort(cpu.begin(), cpu.end());
    std::printf(
        "threads=%d  Load(): min %.2f ms, median %.2f ms  (list %.2f ms, "
        "read+parse %.2f ms, CPU of all threads %.2f ms, medians)\n",
        threads, total.front(), total[total.size() / 2], list[list.size() / 2],
        read[read.size() / 2], cpu[cpu.size() / 2]);
  }
  std::filesystem::remove_all(root);
  return 0;
}

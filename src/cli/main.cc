// The retort program: runs the command table (cli/command.h) over the
// public Migrator API. Nothing here touches files or databases directly.
#include <malloc.h>

#include <iostream>

#include "cli/command.h"

int main(int argc, char** argv) {
  // The default build links jemalloc (CMakeLists.txt), which keeps freed
  // pages for seconds by itself. Without it: a command lives for
  // milliseconds to seconds, and glibc's default of giving freed memory
  // back to the kernel (trimming the heap above 128 KB free, mmap() for
  // blocks of 128 KB and more) only makes it fault the same pages in again.
  // Keep it, and grow the heap 16 MB at a time. On a 10,000-revision
  // `heads`: about 1,000 page faults and 10% of the time fewer. (The
  // library leaves the allocator alone; this is the program's choice.)
#ifndef RETORT_JEMALLOC
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
#endif
  // Deliberately never deleted (see CliContext); still reachable, so leak
  // checkers stay quiet. Migrator holds no connection between calls.
  static retort::CliContext* ctx =
      new retort::CliContext(&std::cout, &std::cerr);
  try {
    return retort::RunCommandLine(argc, argv, *ctx);
  } catch (const std::exception& e) {
    // Errors travel as Status values; an exception reaching here (from a
    // library) is a bug, reported rather than aborting with a core dump.
    std::cerr << "error: internal error: " << e.what()
              << "; please report it with the command that caused it\n";
    return retort::kExitFailed;
  }
}

// PythonWorker against Debian's /usr/bin/python3 with tiny scripts: the
// JSON-lines round trip, arguments, PYTHONPATH, and every way a worker can
// fail (not found, exit, garbage, timeout), each with its message.
#include "python/python_worker.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "util/temp_dir.h"

namespace retort {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kEcho = R"(
import json, sys
for line in sys.stdin:
    req = json.loads(line)
    if req.get("op") == "die":
        print("Traceback: boom", file=sys.stderr)
        sys.exit(7)
    if req.get("op") == "garbage":
        print("not json", flush=True)
        continue
    if req.get("op") == "sleep":
        import time; time.sleep(30)
    print(json.dumps({"ok": True, "echo": req, "argv": sys.argv[1:]}), flush=True)
)";

PythonCommand Debian() {
  PythonCommand c;
  c.interpreter = "/usr/bin/python3";
  c.origin = "the test";
  return c;
}

TEST(PythonWorker, RoundTripsRequestsInOrder) {
  auto w = PythonWorker::Start(Debian(), kEcho, {"a", "b c"});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  for (int i = 0; i < 50; ++i) {
    auto r = (*w)->Call({{"op", "x"}, {"i", i}}, 10s);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ((*r)["echo"]["i"], i);
    EXPECT_EQ((*r)["argv"], nlohmann::json::array({"a", "b c"}));
  }
  EXPECT_TRUE((*w)->Finish().ok());
}

TEST(PythonWorker, PythonPathComesFirst) {
  auto dir = TempDir::Create("retort-py-");
  ASSERT_TRUE(dir.ok());
  std::ofstream((*dir)->path() + "/retort_probe_mod.py") << "VALUE = 42\n";
  PythonCommand c = Debian();
  c.python_path = {(*dir)->path()};
  auto w = PythonWorker::Start(
      c,
      "import json, sys, retort_probe_mod\n"
      "for line in sys.stdin:\n"
      "    print(json.dumps({'v': retort_probe_mod.VALUE, 'bc': "
      "sys.dont_write_bytecode}), flush=True)\n");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto r = (*w)->Call({{"op", "x"}}, 10s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["v"], 42);
  EXPECT_EQ((*r)["bc"], true);  // PYTHONDONTWRITEBYTECODE
}

TEST(PythonWorker, InterpreterNotFound) {
  PythonCommand c;
  c.interpreter = "retort-no-such-python3";
  c.origin = "the 'python' setting in retort.toml";
  auto w = PythonWorker::Start(c, kEcho);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().message(),
            "retort-no-such-python3 (the 'python' setting in retort.toml): "
            "not found on PATH; install Python 3 (apt-get install python3) "
            "or set python = \"/path/to/python3\" in retort.toml");
}

TEST(PythonWorker, ExitIsReportedWithTheLastStderrLine) {
  auto w = PythonWorker::Start(Debian(), kEcho);
  ASSERT_TRUE(w.ok());
  auto r = (*w)->Call({{"op", "die"}}, 10s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "/usr/bin/python3 (the test) exited with status 7: Traceback: "
            "boom");
  auto again = (*w)->Call({{"op", "x"}}, 10s);
  EXPECT_EQ(again.status().message(),
            "/usr/bin/python3 (the test) is no longer running");
}

TEST(PythonWorker, GarbageAndTimeout) {
  auto w = PythonWorker::Start(Debian(), kEcho);
  ASSERT_TRUE(w.ok());
  auto r = (*w)->Call({{"op", "garbage"}}, 10s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "/usr/bin/python3 (the test) answered something that is not a "
            "JSON object: not json");
  auto w2 = PythonWorker::Start(Debian(), kEcho);
  ASSERT_TRUE(w2.ok());
  auto slow = (*w2)->Call({{"op", "sleep"}}, 300ms);
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().message(),
            "/usr/bin/python3 (the test) did not answer within 300 ms and was "
            "stopped");
}

TEST(PythonWorker, MissingModuleMessage) {
  PythonCommand c;
  c.origin = "the default";
  EXPECT_EQ(PythonMissingModule(c, "alembic", "python3-alembic",
                                "No module named 'alembic'")
                .message(),
            "python3 (the default) cannot import alembic (No module named "
            "'alembic'): install Debian's python3-alembic (apt-get install "
            "python3-alembic), or pip install alembic into that "
            "interpreter's environment, or set python = \"/path/to/python3\" "
            "in retort.toml to an interpreter that has it");
}

}  // namespace
}  // namespace retort

// PythonWorker against Debian's /usr/bin/python3 with tiny scripts: the
// JSON-lines round trip, arguments, PYTHONPATH, and every way a worker can
// fail (not found, exit, garbage, timeout), each with its message.
#include "python/python_worker.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "util/clock.h"
#include "util/scoped_env.h"
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

TEST(PythonWorker, NonUtf8RequestIsAnErrorAndTheWorkerLivesOn) {
  auto w = PythonWorker::Start(Debian(), kEcho);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto bad = (*w)->Call({{"op", "x"}, {"path", "models/caf\xe9.sql"}}, 10s);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "cannot pass a name that is not valid UTF-8 to /usr/bin/python3 "
            "(the test): {\"op\":\"x\",\"path\":\"models/caf\xef\xbf\xbd.sql\"}; "
            "rename it to UTF-8");
  auto good = (*w)->Call({{"op", "x"}, {"i", 1}}, 10s);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ((*good)["echo"]["i"], 1);
  EXPECT_TRUE((*w)->Finish().ok());
}

TEST(PythonWorker, PythonPathComesFirst) {
  // Two folders hold a module of the same name: python_path's and the one
  // already on $PYTHONPATH. python_path's wins; the old entry stays, after.
  auto dir = TempDir::Create("retort-py-");
  ASSERT_TRUE(dir.ok());
  const std::string ours = (*dir)->path() + "/ours";
  const std::string theirs = (*dir)->path() + "/theirs";
  std::filesystem::create_directories(ours);
  std::filesystem::create_directories(theirs);
  std::ofstream(ours + "/retort_probe_mod.py") << "VALUE = 42\n";
  std::ofstream(theirs + "/retort_probe_mod.py") << "VALUE = 1\n";
  ScopedEnv env("PYTHONPATH", theirs);
  PythonCommand c = Debian();
  c.python_path = {ours};
  auto w = PythonWorker::Start(
      c,
      "import json, sys, retort_probe_mod\n"
      "for line in sys.stdin:\n"
      "    print(json.dumps({'v': retort_probe_mod.VALUE, 'bc': "
      "sys.dont_write_bytecode, 'path': sys.path}), flush=True)\n");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto r = (*w)->Call({{"op", "x"}}, 10s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["v"], 42);
  EXPECT_EQ((*r)["bc"], true);  // PYTHONDONTWRITEBYTECODE
  std::vector<std::string> path = (*r)["path"];
  auto at_ours = std::find(path.begin(), path.end(), ours);
  auto at_theirs = std::find(path.begin(), path.end(), theirs);
  ASSERT_NE(at_ours, path.end()) << (*r)["path"].dump();
  ASSERT_NE(at_theirs, path.end()) << (*r)["path"].dump();
  EXPECT_LT(at_ours, at_theirs) << (*r)["path"].dump();
  EXPECT_TRUE((*w)->Finish().ok());
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

TEST(PythonWorker, InterpreterPathNotFound) {
  PythonCommand c = Debian();
  c.interpreter = "/usr/bin/retort-no-such-python3";
  auto w = PythonWorker::Start(c, kEcho);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(w.status().message(),
            "/usr/bin/retort-no-such-python3 (the test): no such file; "
            "install Python 3 (apt-get install python3) or set python = "
            "\"/path/to/python3\" in retort.toml");
}

TEST(PythonWorker, InterpreterNotExecutable) {
  auto dir = TempDir::Create("retort-py-");
  ASSERT_TRUE(dir.ok());
  const std::string fake = (*dir)->path() + "/python3";
  std::ofstream(fake) << "#!/bin/sh\n";
  ASSERT_EQ(chmod(fake.c_str(), 0644), 0);
  PythonCommand c = Debian();
  c.interpreter = fake;
  auto w = PythonWorker::Start(c, kEcho);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().message(),
            fake +
                " (the test): not executable (permission denied); make it "
                "executable (chmod +x " +
                fake + ") or set python = \"/path/to/python3\" in retort.toml");
}

TEST(PythonWorker, MissingWorkingFolderIsNamed) {
  auto dir = TempDir::Create("retort-py-");
  ASSERT_TRUE(dir.ok());
  PythonCommand c = Debian();
  c.cwd = (*dir)->path() + "/gone";
  auto w = PythonWorker::Start(c, kEcho);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(w.status().message(),
            "/usr/bin/python3 (the test): cannot start it in the folder " +
                c.cwd +
                ": no such folder; the interpreter runs in the project's "
                "folder: check that it exists and is the one meant");
  // A folder that exists is used.
  c.cwd = (*dir)->path();
  auto ok = PythonWorker::Start(
      c,
      "import json, os, sys\nfor line in sys.stdin:\n"
      "    print(json.dumps({'cwd': os.getcwd()}), flush=True)\n");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  auto r = (*ok)->Call({{"op", "x"}}, 10s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["cwd"], std::filesystem::canonical(c.cwd).string());
}

// A script that, like code leaving a non-daemon thread behind, keeps
// running after its input ends; with `close_output`, it first closes its
// stdin and stdout, so that the reader sees the end of the stream.
std::string LingeringScript(bool close_output) {
  return std::string(
             "import json, os, sys, threading, time\n"
             "threading.Thread(target=time.sleep, args=(60,)).start()\n") +
         (close_output ? "os.close(0)\nos.close(1)\n"
                       : "for line in sys.stdin:\n"
                         "    print(json.dumps({'ok': True}), flush=True)\n");
}

TEST(PythonWorker, FinishDoesNotWaitForeverForALingeringInterpreter) {
  PythonCommand c = Debian();
  c.exit_wait = 300ms;
  auto w = PythonWorker::Start(c, LingeringScript(false));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto r = (*w)->Call({{"op", "x"}}, 10s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto start = std::chrono::steady_clock::now();
  Status st = (*w)->Finish();
  EXPECT_LT(SecondsSince(start), 10.0);
  EXPECT_EQ(st.message(),
            "/usr/bin/python3 (the test) did not exit within 300 ms of the "
            "end of its input and was killed: a thread that is not a daemon "
            "thread keeps Python running (start such threads with "
            "daemon=True, or join them before the code returns)");
  EXPECT_TRUE((*w)->Finish().ok());  // nothing left to wait for
}

TEST(PythonWorker, EndOfStreamDoesNotWaitForeverForALingeringInterpreter) {
  PythonCommand c = Debian();
  c.exit_wait = 300ms;
  auto w = PythonWorker::Start(c, LingeringScript(true));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  const auto start = std::chrono::steady_clock::now();
  auto r = (*w)->Call({{"op", "x"}}, 10s);
  EXPECT_LT(SecondsSince(start), 10.0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "/usr/bin/python3 (the test) closed its output but did not exit "
            "within 300 ms and was killed: a thread that is not a daemon "
            "thread keeps Python running (start such threads with "
            "daemon=True, or join them before the code returns)");
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

#include "cli/run_progress.h"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>

namespace retort {
namespace {

using std::chrono::milliseconds;

TEST(RunProgressLine, CountsBarStatementAndTimes) {
  RunProgressState s;
  s.done = 3;
  s.steps = 10;
  s.revision = "1a2b3c4d";
  s.statement = "CREATE INDEX i ON t (c)";
  EXPECT_EQ(RunProgressLine("upgrade", s, milliseconds(6000), 120),
            "upgrade 3/10 [######--------------] 1a2b3c4d: CREATE INDEX i ON "
            "t (c) 0:06, ETA 0:14");
}

TEST(RunProgressLine, NoEtaBeforeTheFirstStepAndStatementShortened) {
  RunProgressState s;
  s.done = 0;
  s.steps = 2;
  s.revision = "ae1027a6acf";
  s.statement = std::string(200, 'x');
  std::string line = RunProgressLine("downgrade", s, milliseconds(61000), 80);
  EXPECT_EQ(line.size(), 79u);
  EXPECT_EQ(line.substr(0, 48),
            "downgrade 0/2 [--------------------] ae1027a6acf");
  EXPECT_EQ(line.substr(line.size() - 17), "xx... 1:01, ETA -");
}

TEST(RunProgressBar, DrawsOnlyAfterTheDelayAndErasesAtTheEnd) {
  std::ostringstream out;
  {
    RunProgressBar quick(true, "upgrade", &out, milliseconds(10000));
    Progress p;
    p.event = Progress::Event::kStepStarted;
    p.step = 1;
    p.steps = 1;
    p.revision = "a";
    quick.Update(p);
    quick.Finish();
  }
  EXPECT_EQ(out.str(), "");  // a quick run draws nothing

  RunProgressBar slow(true, "upgrade", &out, milliseconds(0));
  Progress p;
  p.event = Progress::Event::kStepStarted;
  p.step = 1;
  p.steps = 2;
  p.revision = "abc";
  slow.Update(p);
  for (int i = 0; i < 200 && out.str().empty(); ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  slow.Above([&] { out << "log line\n"; });
  slow.Finish();
  std::string text = out.str();
  EXPECT_EQ(text.rfind("\r\033[Kupgrade 0/2 [--------------------] abc 0:00, "
                       "ETA -",
                       0),
            0u)
      << text;
  // The log line is written on an erased line, and the bar is erased last.
  EXPECT_NE(text.find("\r\033[Klog line\n"), std::string::npos) << text;
  EXPECT_EQ(text.substr(text.size() - 4), "\r\033[K");
}

TEST(RunProgressBar, DisabledDoesNothing) {
  std::ostringstream out;
  RunProgressBar bar(false, "upgrade", &out, milliseconds(0));
  Progress p;
  p.steps = 1;
  bar.Update(p);
  bar.Above([&] { out << "x\n"; });
  bar.Finish();
  EXPECT_EQ(out.str(), "x\n");
}

}  // namespace
}  // namespace retort

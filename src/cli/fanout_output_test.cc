// The fan-out texts, exactly as the command line prints them.
#include "cli/fanout_output.h"

#include <gtest/gtest.h>

#include <sstream>

namespace retort {
namespace {

TEST(FanoutOutputTest, ProgressLine) {
  FanoutProgress p;
  p.total = 1000;
  p.migrated = 500;
  p.up_to_date = 20;
  p.failed = 3;
  p.running = 2;
  p.finished_by_workers = 503;
  p.elapsed_seconds = 10;
  EXPECT_EQ(ProgressLine(p, "tenants"),
            "tenants 523/1000 [##########----------] done 520, failed 3, "
            "remaining 477, 50.3/s, ETA 9s");
  p.canary_phase = true;
  EXPECT_EQ(ProgressLine(p, "tenants", 4).substr(0, 30),
            "canary tenants 523/1000 [##--]");
}

TEST(FanoutOutputTest, ProgressLineBeforeAnyUnitFinished) {
  FanoutProgress p;
  p.total = 3;
  p.running = 1;
  EXPECT_EQ(ProgressLine(p, "targets", 3),
            "targets 0/3 [---] done 0, failed 0, remaining 3, -/s, ETA -");
}

TEST(FanoutOutputTest, Eta) {
  EXPECT_EQ(FormatEta(0.4), "0s");
  EXPECT_EQ(FormatEta(59), "59s");
  EXPECT_EQ(FormatEta(185), "3m05s");
  EXPECT_EQ(FormatEta(3725), "1h02m");
}

FanoutResult Sample() {
  FanoutResult r;
  r.kind = FanoutKind::kTenants;
  r.jobs = 4;
  r.elapsed_ms = 1349;
  UnitResult a;
  a.schema = "t1";
  a.status = UnitStatus::kMigrated;
  a.heads_after = {"000000000002"};
  a.steps = 2;
  a.duration_ms = 31.6;
  UnitResult b;
  b.schema = "t2";
  b.status = UnitStatus::kUpToDate;
  b.heads_before = b.heads_after = {"000000000002"};
  UnitResult c;
  c.schema = "t3";
  c.status = UnitStatus::kFailed;
  c.error =
      "v/1.sql:10: upgrade  -> 000000000001 failed: ERROR 42P07: relation "
      "\"items\" already exists\nHINT: drop it";
  c.duration_ms = 4;
  r.units = {a, b, c};
  return r;
}

TEST(FanoutOutputTest, Summary) {
  EXPECT_EQ(FanoutSummary(Sample(), "upgrade head", false),
            "upgrade head: 3 tenants, 4 jobs, 1.3 s\n"
            "  migrated         1\n"
            "  up to date       1\n"
            "  failed           1\n"
            "  not started      0\n"
            "failed:\n"
            "  t3: v/1.sql:10: upgrade  -> 000000000001 failed: ERROR 42P07: "
            "relation \"items\" already exists\n"
            "    HINT: drop it\n");
}

TEST(FanoutOutputTest, VerboseSummaryHasARowPerUnit) {
  FanoutResult r = Sample();
  r.units.resize(2);
  EXPECT_EQ(FanoutSummary(r, "upgrade head", true),
            "upgrade head: 2 tenants, 4 jobs, 1.3 s\n"
            "  tenant  status      from          to            steps  time\n"
            "  t1      migrated    <base>        000000000002      2  32 ms\n"
            "  t2      up to date  000000000002  000000000002      0   0 ms\n"
            "  migrated         1\n"
            "  up to date       1\n"
            "  failed           0\n"
            "  not started      0\n");
}

TEST(FanoutOutputTest, CanaryFailureSaysWhatDidNotStart) {
  FanoutResult r = Sample();
  r.canary = 1;
  r.canary_failed = true;
  r.units[0].status = UnitStatus::kNotStarted;
  r.units[1].status = UnitStatus::kNotStarted;
  std::string text = FanoutSummary(r, "upgrade head", false);
  EXPECT_NE(text.find("canary failed: the first 1 tenant ran first and one "
                      "failed, so the other 2 did not start\n"),
            std::string::npos)
      << text;
}

TEST(FanoutOutputTest, Json) {
  auto j = FanoutJson(Sample(), "upgrade head");
  EXPECT_EQ(j["counts"]["failed"], 1);
  EXPECT_EQ(j["units"][2]["schema"], "t3");
  EXPECT_EQ(j["units"][2]["status"], "failed");
  EXPECT_TRUE(j["units"][0]["error"].is_null());
  EXPECT_EQ(j["units"][0]["heads_after"][0], "000000000002");
}

TEST(FanoutOutputTest, CurrentSummaryCountsPerRevision) {
  std::vector<UnitVersions> units(5);
  for (size_t i = 0; i < units.size(); ++i)
    units[i].schema = "t" + std::to_string(i + 1);
  units[0].heads = units[1].heads = units[2].heads = {"000000000003"};
  units[0].at_head = units[1].at_head = units[2].at_head = true;
  units[3].heads = {"000000000001"};
  units[4].error = "cannot connect to postgresql://db/x: refused";
  EXPECT_EQ(CurrentSummary(units, "tenants", false),
            "revision             tenants\n"
            "000000000003 (head)        3\n"
            "000000000001               1\n"
            "could not read 1 tenant:\n"
            "  t5: cannot connect to postgresql://db/x: refused\n");
  EXPECT_EQ(CurrentSummary({units[0], units[3]}, "tenants", true),
            "revision             tenants\n"
            "000000000003 (head)        1\n"
            "    t1\n"
            "000000000001               1\n"
            "    t4\n");
  units.pop_back();
  units.push_back(UnitVersions{});
  units.back().schema = "t6";
  EXPECT_EQ(CurrentPerUnit({units[0], units[3], units[4]}),
            "t1: 000000000003 (head)\nt4: 000000000001\nt6: (none)\n");
}

TEST(FanoutOutputTest, TtyProgressDisabledWritesNothing) {
  std::ostringstream out;
  TtyProgress bar(false, &out);
  FanoutProgress p;
  p.total = 1;
  bar.Update(p);
  bar.Clear();
  EXPECT_EQ(out.str(), "");
}

TEST(FanoutOutputTest, TtyProgressRedrawsInPlace) {
  std::ostringstream out;
  TtyProgress bar(true, &out);
  bar.set_kind("tenants");
  FanoutProgress p;
  p.total = 2;
  p.migrated = 2;
  bar.Update(p);
  bar.Clear();
  EXPECT_EQ(out.str(),
            "\r\033[Ktenants 2/2 [####################] done 2, failed 0, "
            "remaining 0, -/s, ETA -\r\033[K");
}

}  // namespace
}  // namespace retort

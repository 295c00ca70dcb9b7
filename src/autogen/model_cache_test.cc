// The model cache's files and connections without a database: the scan
// cache gives back exactly what ScanModels gives, recordings round-trip
// (NULLs, parameters, repeated queries), a replay refuses what it does not
// hold, keys change with everything they cover, and damaged or foreign
// files read as misses.
#include "autogen/model_cache.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace retort {
namespace {

namespace fs = std::filesystem;

class ModelCacheFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / "retort-model-cache-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  static void Write(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  }

  std::string dir_;
};

const std::vector<ModelFile> kFiles = {
    {"models/auth.sql",
     "-- users\nCREATE SCHEMA auth;\n\nCREATE TABLE auth.users (id int,\n"
     "  email text);\nCREATE INDEX users_email ON auth.users (email);\n"},
    {"models/app.sql",
     "SET search_path = app;\nCREATE TABLE items (id int REFERENCES "
     "auth.users);\nCREATE VIEW v AS SELECT * FROM billing.x;\n"},
};

void ExpectSameScan(const ModelScan& a, const ModelScan& b) {
  EXPECT_EQ(a.files, b.files);
  ASSERT_EQ(a.statements.size(), b.statements.size());
  for (size_t i = 0; i < a.statements.size(); ++i) {
    EXPECT_EQ(a.statements[i].path, b.statements[i].path) << i;
    EXPECT_EQ(a.statements[i].statement.text, b.statements[i].statement.text)
        << i;
    EXPECT_EQ(a.statements[i].statement.offset,
              b.statements[i].statement.offset)
        << i;
    EXPECT_EQ(a.statements[i].statement.line, b.statements[i].statement.line)
        << i;
  }
  ASSERT_EQ(a.schemas.size(), b.schemas.size());
  for (const auto& [name, s] : a.schemas) {
    ASSERT_EQ(b.schemas.count(name), 1u) << name;
    const ModelSchema& t = b.schemas.at(name);
    EXPECT_EQ(s.name, t.name);
    EXPECT_EQ(s.tables, t.tables) << name;
    EXPECT_EQ(s.objects, t.objects) << name;
    EXPECT_EQ(s.created, t.created) << name;
    EXPECT_EQ(s.files, t.files) << name;
  }
  EXPECT_EQ(a.creates, b.creates);
}

TEST_F(ModelCacheFiles, ScanRoundTrips) {
  auto scan = ScanModels(kFiles);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  ASSERT_EQ(scan->schemas.count("billing"), 1u);  // mentioned only
  std::string key = ScanKey(kFiles);
  ASSERT_TRUE(WriteScanCache(Path("s"), key, *scan).ok());
  auto cached = ReadScanCache(Path("s"), key, kFiles);
  ASSERT_TRUE(cached.has_value());
  ExpectSameScan(*scan, *cached);

  EXPECT_FALSE(ReadScanCache(Path("s"), ScanKey({kFiles[0]}), kFiles));
  EXPECT_FALSE(ReadScanCache(Path("missing"), key, kFiles));
  std::string bytes = Read(Path("s"));
  for (size_t at : {size_t{0}, size_t{5}, bytes.size() / 2, bytes.size() - 1}) {
    std::string broken = bytes;
    broken[at] ^= 0x01;
    Write(Path("s"), broken);
    EXPECT_FALSE(ReadScanCache(Path("s"), key, kFiles)) << "byte " << at;
  }
  Write(Path("s"), bytes.substr(0, bytes.size() - 9));
  EXPECT_FALSE(ReadScanCache(Path("s"), key, kFiles));
  Write(Path("s"), "");
  EXPECT_FALSE(ReadScanCache(Path("s"), key, kFiles));
}

TEST_F(ModelCacheFiles, ScanModelsCachedFollowsTheFiles) {
  setenv("RETORT_CACHE_DIR", dir_.c_str(), 1);
  auto first = ScanModelsCached(kFiles);
  ASSERT_TRUE(first.ok());
  auto paths = ModelCacheFor({kFiles[0].path, kFiles[1].path});
  ASSERT_TRUE(paths.has_value());
  EXPECT_TRUE(fs::exists(paths->scan));
  auto second = ScanModelsCached(kFiles);
  ASSERT_TRUE(second.ok());
  ExpectSameScan(*ScanModels(kFiles), *second);

  // Same paths, other bytes: scanned again, not served stale.
  std::vector<ModelFile> edited = kFiles;
  edited[1].text += "CREATE TABLE extra (id int);\n";
  auto third = ScanModelsCached(edited);
  ASSERT_TRUE(third.ok());
  ExpectSameScan(*ScanModels(edited), *third);
  EXPECT_EQ(third->creates, first->creates + 1);

  // Errors are ScanModels' and are not cached.
  std::vector<ModelFile> bad = {{"models/bad.sql", "CREATE TABLEE x ();\n"}};
  auto error = ScanModelsCached(bad);
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.status().message(),
            "models/bad.sql:1: syntax error at or near \"TABLEE\"");
  EXPECT_FALSE(fs::exists(ModelCacheFor({"models/bad.sql"})->scan));
  unsetenv("RETORT_CACHE_DIR");
}

TEST_F(ModelCacheFiles, ScansKeepTheLoadOrder) {
  setenv("RETORT_CACHE_DIR", dir_.c_str(), 1);
  // b_users.sql's table loads first (model_order.h): the cached scan
  // gives the statements back in that order.
  const std::vector<ModelFile> files = {
      {"models/a_orders.sql",
       "CREATE TABLE orders (u int REFERENCES users);\n"},
      {"models/b_users.sql", "CREATE TABLE users (id int PRIMARY KEY);\n"}};
  auto first = ScanModelsCached(files);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->statements.size(), 2u);
  EXPECT_EQ(first->statements[0].path, "models/b_users.sql");
  EXPECT_TRUE(fs::exists(ModelCacheFor({files[0].path, files[1].path})->scan));
  auto second = ScanModelsCached(files);
  ASSERT_TRUE(second.ok());
  ExpectSameScan(*first, *second);

  // A scan with order notes (a cycle) is never written: the notes are not
  // in the file, and must not be lost.
  const std::vector<ModelFile> cycle = {
      {"models/c1.sql", "CREATE VIEW a AS SELECT * FROM b;\n"},
      {"models/c2.sql", "CREATE VIEW b AS SELECT * FROM a;\n"}};
  auto noted = ScanModelsCached(cycle);
  ASSERT_TRUE(noted.ok());
  EXPECT_EQ(noted->order_notes.size(), 1u);
  EXPECT_FALSE(fs::exists(ModelCacheFor({cycle[0].path, cycle[1].path})->scan));
  EXPECT_FALSE(WriteScanCache(Path("n"), ScanKey(cycle), *noted).ok());
  EXPECT_EQ(ScanModelsCached(cycle)->order_notes, noted->order_notes);
  unsetenv("RETORT_CACHE_DIR");
}

IntrospectionRecording SampleRecording() {
  IntrospectionRecording rec;
  rec.server_version = 150004;
  QueryResult a;
  a.columns = {"oid", "name", "comment"};
  a.rows = {{"16384", "users", std::nullopt}, {"16390", "", "it's"}};
  a.affected_rows = 2;
  rec.queries.push_back({"SELECT a", {}, a});
  QueryResult b;
  b.columns = {"set_config"};
  b.rows = {{"public"}};
  rec.queries.push_back({"SELECT set_config($1)", {"public"}, b});
  rec.queries.push_back(
      {"SELECT set_config($1)", {std::nullopt}, QueryResult{}});
  QueryResult c;
  c.columns = {"n"};
  c.rows = {{"1"}};
  rec.queries.push_back({"SELECT a", {}, c});  // the same text again
  return rec;
}

TEST_F(ModelCacheFiles, RecordingRoundTripsAndReplays) {
  IntrospectionRecording rec = SampleRecording();
  ASSERT_TRUE(WriteIntrospectCache(Path("i"), "k1", rec).ok());
  EXPECT_FALSE(ReadIntrospectCache(Path("i"), "k2"));
  auto read = ReadIntrospectCache(Path("i"), "k1");
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->server_version, 150004);
  ASSERT_EQ(read->queries.size(), 4u);
  EXPECT_EQ(read->queries[0].result.rows, rec.queries[0].result.rows);
  EXPECT_EQ(read->queries[0].result.columns, rec.queries[0].result.columns);
  EXPECT_EQ(read->queries[0].result.affected_rows, 2);
  EXPECT_EQ(read->queries[2].params, Params{std::nullopt});

  ReplayConnection replay(*read);
  EXPECT_EQ(replay.ServerVersion(), 150004);
  EXPECT_EQ(replay.dialect(), Dialect::kPostgres);
  EXPECT_FALSE(replay.InTransaction());
  ASSERT_TRUE(replay.Begin().ok());
  EXPECT_TRUE(replay.InTransaction());
  EXPECT_TRUE(replay.Execute("SET TRANSACTION READ ONLY").ok());
  // Repeated texts come back in recording order; parameters must match.
  auto first = replay.Query("SELECT a");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->rows, rec.queries[0].result.rows);
  auto with_null = replay.Query("SELECT set_config($1)", {std::nullopt});
  ASSERT_TRUE(with_null.ok());
  EXPECT_TRUE(with_null->rows.empty());
  auto wrong_param = replay.Query("SELECT set_config($1)", {"other"});
  ASSERT_FALSE(wrong_param.ok());
  EXPECT_EQ(replay.last_error().sqlstate, "RTMC0");
  auto second = replay.Query("SELECT a");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->rows, rec.queries[3].result.rows);
  EXPECT_FALSE(replay.Query("SELECT a").ok());  // used up
  EXPECT_FALSE(replay.Query("SELECT b").ok());
  EXPECT_EQ(replay.misses(), 3);
  ASSERT_TRUE(replay.Commit().ok());
  EXPECT_FALSE(replay.InTransaction());

  std::string bytes = Read(Path("i"));
  Write(Path("i"), bytes.substr(0, bytes.size() / 2));
  EXPECT_FALSE(ReadIntrospectCache(Path("i"), "k1"));
  bytes[bytes.size() / 3] ^= 0x40;
  Write(Path("i"), bytes);
  EXPECT_FALSE(ReadIntrospectCache(Path("i"), "k1"));
  // A scan file is not a recording, even under the same key.
  auto scan = ScanModels(kFiles);
  ASSERT_TRUE(WriteScanCache(Path("i"), "k1", *scan).ok());
  EXPECT_FALSE(ReadIntrospectCache(Path("i"), "k1"));
}

TEST(ModelCacheKeys, IntrospectKeyCoversWhatTheServerRuns) {
  auto scan = ScanModels(kFiles);
  ASSERT_TRUE(scan.ok());
  std::string key = IntrospectKey(*scan, {}, "server 150004");
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(IntrospectKey(*scan, {}, "server 150004"), key);
  EXPECT_NE(IntrospectKey(*scan, {}, "server 150005"), key);
  EXPECT_NE(IntrospectKey(*scan, {"CREATE SCHEMA IF NOT EXISTS app"},
                          "server 150004"),
            key);
  ModelScan text = *scan;
  text.statements[1].statement.text += " ";
  EXPECT_NE(IntrospectKey(text, {}, "server 150004"), key);
  ModelScan line = *scan;
  ++line.statements[1].statement.line;
  EXPECT_NE(IntrospectKey(line, {}, "server 150004"), key);
  ModelScan order = *scan;
  std::swap(order.statements[0], order.statements[1]);
  EXPECT_NE(IntrospectKey(order, {}, "server 150004"), key);
  // Field boundaries are part of the hash: moving a character from the
  // identity into the setup does not collide.
  EXPECT_NE(IntrospectKey(*scan, {"ab"}, "c"),
            IntrospectKey(*scan, {"a"}, "bc"));

  std::vector<ModelFile> edited = kFiles;
  edited[0].text += "\n";
  EXPECT_NE(ScanKey(edited), ScanKey(kFiles));
  std::vector<ModelFile> renamed = kFiles;
  renamed[0].path = "models/auth2.sql";
  EXPECT_NE(ScanKey(renamed), ScanKey(kFiles));
}

TEST(ModelCacheKeys, SlotFollowsTheEnvironment) {
  setenv("RETORT_CACHE_DIR", "/tmp/retort-slot-test", 1);
  auto a = ModelCacheFor({"models/a.sql"});
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(a->scan.starts_with("/tmp/retort-slot-test/models-"));
  EXPECT_TRUE(a->scan.ends_with(".scan"));
  EXPECT_TRUE(a->introspect.ends_with(".introspect"));
  EXPECT_NE(ModelCacheFor({"models/b.sql"})->scan, a->scan);
  EXPECT_EQ(ModelCacheFor({"models/./a.sql"})->scan, a->scan);
  setenv("RETORT_CACHE", "off", 1);
  EXPECT_FALSE(ModelCacheFor({"models/a.sql"}).has_value());
  unsetenv("RETORT_CACHE");
  unsetenv("RETORT_CACHE_DIR");
}

}  // namespace
}  // namespace retort

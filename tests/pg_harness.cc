// The PostgreSQL test harness: a throwaway server (the core library's
// EphemeralPgCluster, whose cleanup also runs when the test binary is
// interrupted or crashes) and one template database copied per test.
#include "pg_harness.h"

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "dialect/url.h"

namespace retort::testing {

namespace {

constexpr char kTemplateDb[] = "retort_template";

// "t3_dialectpg_connects": readable in pg_stat_activity and server logs.
std::string MakeDbName(std::string_view prefix, int number,
                       std::string_view hint) {
  std::string base(hint);
  if (base.empty()) {
    const ::testing::TestInfo* info =
        ::testing::UnitTest::GetInstance()->current_test_info();
    base = info != nullptr
               ? std::string(info->test_suite_name()) + "_" + info->name()
               : "db";
  }
  std::string name = std::string(prefix) + "t" + std::to_string(number) + "_";
  for (char c : base) {
    unsigned char u = static_cast<unsigned char>(c);
    char out = std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
    if (out == '_' && !name.empty() && name.back() == '_') continue;
    name += out;
  }
  if (name.size() > 63) name.resize(63);  // NAMEDATALEN - 1
  return name;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

PgHarness* g_harness = nullptr;

}  // namespace

// ---------------------------------------------------------------------------
// PgCluster

Result<std::unique_ptr<PgCluster>> PgCluster::Start(
    const PgClusterOptions& options) {
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<PgCluster> cluster(new PgCluster());
  EphemeralPgClusterOptions server_options;
  server_options.bindir = options.bindir;
  server_options.settings = options.settings;
  server_options.start_attempts = options.start_attempts;
  std::string log;
  auto server = EphemeralPgCluster::Start(server_options, &log);
  if (!server.ok()) {
    return Status::IOError(
        "cannot start a PostgreSQL test server: " + server.status().message() +
        "\n---- harness and server log ----\n" + log + "---- end of log ----");
  }
  cluster->server_ = std::move(server).value();
  ConnectOptions connect;
  connect.application_name = "retort_test_harness";
  auto admin = PostgresConnection::Open(cluster->Url("postgres"), connect);
  if (!admin.ok()) {
    return admin.status().WithContext("connecting to " + cluster->Url());
  }
  cluster->admin_ = std::move(admin).value();
  cluster->server_version_ = cluster->admin_->ServerVersion();
  RETORT_RETURN_IF_ERROR(cluster->Prepare());
  cluster->startup_seconds_ = SecondsSince(start);
  return cluster;
}

Status PgCluster::Prepare() {
  // Tests copy this instead of template0/template1: it can later carry
  // whatever every test database should have, and nobody connects to it
  // (CREATE DATABASE ... TEMPLATE requires that).
  std::string sql = std::string("CREATE DATABASE ") + kTemplateDb +
                    " TEMPLATE template0 IS_TEMPLATE true";
  return admin_->Execute(sql).WithContext("preparing the template database");
}

PgCluster::~PgCluster() { Stop(); }

Status PgCluster::Stop() {
  admin_.reset();
  if (server_ == nullptr) return Status::OK();
  return server_->Stop();
}

std::string PgCluster::Url(std::string_view dbname) const {
  return server_->Url(dbname);
}

std::string PgCluster::ServerLog() const { return server_->ServerLog(); }

Result<std::string> PgCluster::CreateDatabase(std::string_view name_hint) {
  std::lock_guard<std::mutex> lock(mu_);
  if (admin_ == nullptr) {
    return Status::Internal("the PostgreSQL test server is not running");
  }
  std::string name = MakeDbName("", ++next_db_, name_hint);
  RETORT_RETURN_IF_ERROR(admin_
                             ->Execute("CREATE DATABASE " +
                                       QuoteSqlIdent(name) + " TEMPLATE " +
                                       kTemplateDb)
                             .WithContext("creating test database " + name));
  return Url(name);
}

// ---------------------------------------------------------------------------
// PgHarness

PgHarness::PgHarness() { g_harness = this; }

PgHarness::~PgHarness() {
  if (g_harness == this) g_harness = nullptr;
}

PgHarness* PgHarness::Get() { return g_harness; }

void PgHarness::SetUp() {
  if (const char* url = std::getenv("RETORT_TEST_PG_URL"); url && *url) {
    external_url_ = url;
    auto parsed = ParseDatabaseUrl(external_url_);
    Status st = parsed.status();
    if (parsed.ok()) {
      auto admin = PostgresConnection::Open(parsed->conninfo);
      if (admin.ok()) {
        external_admin_ = std::move(admin).value();
      } else {
        st = admin.status();
      }
    }
    if (!st.ok()) {
      std::fprintf(stderr,
                   "\n[pg_harness] FATAL: RETORT_TEST_PG_URL=%s is not usable: "
                   "%s\n\n",
                   RedactedUrl(external_url_).c_str(), st.message().c_str());
      setup_error_ = "RETORT_TEST_PG_URL is not usable: " + st.message();
      GTEST_FAIL() << "RETORT_TEST_PG_URL is not usable: " << st.message();
    }
    ready_ = true;
    std::fprintf(stderr, "[pg_harness] using PostgreSQL %d at %s\n",
                 external_admin_->ServerVersion(),
                 RedactedUrl(external_url_).c_str());
    return;
  }
  // No autovacuum: its workers commit transactions in the tests' databases
  // at moments of their own (an ANALYZE of each new table), which tests
  // that count a command's transactions would count too.
  PgClusterOptions options;
  options.settings = {"autovacuum=off"};
  auto cluster = PgCluster::Start(options);
  if (!cluster.ok()) {
    std::fprintf(stderr,
                 "\n[pg_harness] FATAL: the PostgreSQL test server did not "
                 "start; no integration test can run.\n%s\n\n",
                 cluster.status().message().c_str());
    setup_error_ = cluster.status().message();
    GTEST_FAIL() << cluster.status().message();
  }
  cluster_ = std::move(cluster).value();
  ready_ = true;
  std::fprintf(stderr,
               "[pg_harness] PostgreSQL %d on 127.0.0.1:%d (%s), started in "
               "%.2f s\n",
               cluster_->server_version(), cluster_->port(),
               cluster_->dir().c_str(), cluster_->startup_seconds());
}

void PgHarness::TearDown() {
  ready_ = false;
  if (external_admin_ != nullptr) {
    for (const std::string& name : external_dbs_) {
      Status st = external_admin_->Execute(
          "DROP DATABASE IF EXISTS " + QuoteSqlIdent(name) + " WITH (FORCE)");
      if (!st.ok()) {
        std::fprintf(stderr, "[pg_harness] cannot drop %s: %s\n", name.c_str(),
                     st.message().c_str());
      }
    }
    external_admin_.reset();
  }
  if (cluster_ != nullptr) {
    Status st = cluster_->Stop();
    if (!st.ok()) {
      std::fprintf(stderr, "[pg_harness] %s\n", st.message().c_str());
    }
    cluster_.reset();
  }
}

Result<std::string> PgHarness::CreateDatabase(std::string_view name_hint) {
  if (cluster_ != nullptr) return cluster_->CreateDatabase(name_hint);
  std::lock_guard<std::mutex> lock(mu_);
  if (external_admin_ == nullptr) {
    return Status::Internal("the PostgreSQL test harness is not running");
  }
  std::string prefix = "retort_" + std::to_string(getpid()) + "_";
  std::string name = MakeDbName(prefix, ++next_db_, name_hint);
  RETORT_RETURN_IF_ERROR(external_admin_
                             ->Execute("CREATE DATABASE " +
                                       QuoteSqlIdent(name) +
                                       " TEMPLATE template0")
                             .WithContext("creating test database " + name));
  external_dbs_.push_back(name);
  return WithDatabase(external_url_, name);
}

std::string PgHarness::AdminUrl() const {
  if (cluster_ != nullptr) return cluster_->Url("postgres");
  return external_url_;
}

Result<std::unique_ptr<PgCluster>> PgHarness::StartCluster(
    const PgClusterOptions& options) {
  return PgCluster::Start(options);
}

std::string FreshDatabaseUrl() {
  PgHarness* harness = PgHarness::Get();
  if (harness == nullptr || !harness->ready()) {
    ADD_FAILURE() << "the PostgreSQL test harness is not running";
    return "";
  }
  auto url = harness->CreateDatabase();
  if (!url.ok()) {
    ADD_FAILURE() << url.status().ToString();
    return "";
  }
  return std::move(url).value();
}

std::string WithDatabase(const std::string& url, std::string_view dbname) {
  size_t sep = url.find("://");
  if (sep == std::string::npos) {
    return url + " dbname=" + std::string(dbname);  // later keywords win
  }
  size_t authority_end = url.find_first_of("/?", sep + 3);
  std::string query;
  if (authority_end != std::string::npos) {
    size_t q = url.find('?', authority_end);
    if (q != std::string::npos) query = url.substr(q);
  }
  return url.substr(0, authority_end) + "/" + std::string(dbname) + query;
}

}  // namespace retort::testing

// SQLAlchemy models as a model source, end to end with the retort binary
// and Debian's /usr/bin/python3 (python3-sqlalchemy 1.4.46): model sets
// written like real applications (tests/data/sqlalchemy/: garage -- three
// schemas with cross-schema foreign keys and enums, a declarative Base split
// over modules; shop -- a naming convention, Identity, Computed, server
// defaults, expression and partial indexes, comments, a sequence; blog --
// Core tables on a plain MetaData, found through python_path, also on
// SQLite) are compared with databases made by SQLAlchemy's own
// metadata.create_all() (tests/data/sqlalchemy/create_all.py, through
// psycopg2), and must show no difference. Then: a model change is exactly
// that change, the DDL cache starts no Python when nothing changed (the
// interpreter is a wrapper that refuses to start twice), a changed or new
// module is picked up, errors' exact texts; and [naming] for SQL models:
// the shop as SQL without names equals the database SQLAlchemy made with
// the same convention.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_util.h"
#include "dialect/url.h"
#include "pg_harness.h"
#include "runtime_util.h"

namespace retort::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kPython[] = "/usr/bin/python3";

std::string DataDir() {
  return std::string(RETORT_SOURCE_DIR) + "/tests/data/sqlalchemy";
}

class SqlalchemyModelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(p_.Run({"init", "migrations"}).exit_code, 0);
    cache_ = p_.dir() + "-cache";
    fs::create_directories(cache_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(cache_, ec);
  }

  // Copies tests/data/sqlalchemy/<set> into the project.
  void Copy(const std::string& set) {
    std::error_code ec;
    fs::copy(DataDir() + "/" + set, p_.dir(),
             fs::copy_options::recursive | fs::copy_options::overwrite_existing,
             ec);
    ASSERT_FALSE(ec) << ec.message();
  }

  // A fresh database (or `url`) made by create_all() of `entry`.
  std::string CreateAll(const std::string& entry,
                        const std::vector<std::string>& roots,
                        std::string url = "") {
    if (url.empty()) url = FreshDatabaseUrl();
    std::string cmd = std::string(kPython) + " -B " + DataDir() +
                      "/create_all.py '" + url + "' " + entry;
    for (const std::string& r : roots) cmd += " '" + p_.Path(r) + "'";
    std::string output;
    EXPECT_EQ(Shell(cmd, &output), 0) << cmd << "\n" << output;
    return url;
  }

  void Config(const std::string& url, const std::string& models,
              const std::string& extra = "") {
    p_.WriteFile("retort.toml",
                 "script_location = \"migrations\"\n"
                 "python = \"" +
                     python_ + "\"\nurl = \"" + url + "\"\nmodels = " + models +
                     "\n" + extra);
  }

  CliResult Run(const std::vector<std::string>& args,
                std::map<std::string, std::string> env = {}) {
    env.emplace("RETORT_CACHE_DIR", cache_);
    return p_.Run(args, env);
  }

  // Expects `retort check` to find nothing.
  void ExpectClean() {
    CliResult r = Run({"check"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.out, "No new upgrade operations detected.\n") << r.err;
  }

  void Edit(const std::string& rel, const std::string& from,
            const std::string& to) {
    std::string text = p_.ReadFile(rel);
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    p_.WriteFile(rel, text);
  }

  // A shell script standing in for Python: `body` runs before it execs
  // /usr/bin/python3 with its arguments.
  std::string Wrapper(const std::string& name, const std::string& body) {
    std::string path = p_.Path(name);
    p_.WriteFile(name, "#!/bin/sh\n" + body + "exec " + kPython + " \"$@\"\n");
    chmod(path.c_str(), 0755);
    return path;
  }

  TempProject p_;
  std::string cache_;
  std::string python_ = kPython;
};

int Count(const std::string& url, const std::string& sql) {
  std::string v = Scalar(url, sql);
  return v.empty() || !isdigit(static_cast<unsigned char>(v[0])) ? -1
                                                                 : std::stoi(v);
}

// --- model sets against create_all() -----------------------------------------

TEST_F(SqlalchemyModelsTest, GarageSchemasEnumsAndSplitBaseAreClean) {
  Copy("garage");
  std::string url = CreateAll("app.schemas:Base.metadata", {"."});
  ASSERT_EQ(Count(url,
                  "SELECT count(*) FROM information_schema.tables WHERE "
                  "table_schema IN ('cars', 'participants', 'work_shop')"),
            6);
  Config(url, "[\"sqlalchemy:app.schemas:Base.metadata\"]");
  ExpectClean();
  // The schemas come from the DDL too.
  CliResult r = Run({"schemas"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "cars          2 tables\n"
            "participants  1 table\n"
            "public        0 tables\n"
            "work_shop     3 tables\n");
  // --schema, include_schemas and exclude_tables filter the SQLAlchemy
  // models like SQL ones: with cars.brand gone from the database, only
  // what takes cars in sees the difference.
  Scalar(url, "DROP TABLE cars.brand CASCADE");
  r = Run({"check"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("CREATE TABLE cars.brand"), std::string::npos) << r.out;
  r = Run({"check", "--schema", "cars"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  r = Run({"check", "--schema", "work_shop"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  Config(url, "[\"sqlalchemy:app.schemas:Base.metadata\"]",
         "include_schemas = [\"work_shop\", \"participants\"]\n");
  ExpectClean();
  Config(url, "[\"sqlalchemy:app.schemas:Base.metadata\"]",
         "exclude_tables = [\"cars.*\"]\n");
  ExpectClean();
  // No bytecode was written into the project.
  for (const auto& e : fs::recursive_directory_iterator(p_.dir())) {
    EXPECT_NE(e.path().filename(), "__pycache__") << e.path();
  }
}

TEST_F(SqlalchemyModelsTest, ShopNamingConventionIdentityComputedIsClean) {
  Copy("shop");
  std::string url = CreateAll("shop.models:Base.metadata", {"."});
  ASSERT_EQ(Count(url,
                  "SELECT count(*) FROM pg_constraint WHERE conname IN "
                  "('pk_order_line', 'ck_customer_country_code', "
                  "'fk_order_customer_id_customer', 'uq_customer_email')"),
            4);
  Config(url, "[\"sqlalchemy:shop.models:Base.metadata\"]");
  ExpectClean();
  CliResult r = Run({"diff", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["models"],
            nlohmann::json::array({"sqlalchemy:shop.models:Base.metadata"}));
  EXPECT_EQ(j["operations"], 0);
}

TEST_F(SqlalchemyModelsTest, EventsDefaultSchemaCompositeKeysAndTypesAreClean) {
  Copy("events");
  std::string url = CreateAll("events.model:Base.metadata", {"."});
  ASSERT_EQ(Count(url,
                  "SELECT count(*) FROM information_schema.tables WHERE "
                  "table_schema = 'events'"),
            5);
  Config(url, "[\"sqlalchemy:events.model:Base.metadata\"]");
  ExpectClean();
}

TEST_F(SqlalchemyModelsTest, InventoryNormalisedWithoutADatabaseIsClean) {
  Copy("inventory");
  std::string url = CreateAll("inv.tables:metadata", {"."});
  Config(url, "[\"sqlalchemy:inv.tables:metadata\"]");
  CliResult r = Run({"-v", "check"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("models: 9 statements normalised without a database"),
            std::string::npos)
      << r.err;
}

TEST_F(SqlalchemyModelsTest, BlogFoundThroughPythonPathIsClean) {
  Copy("blog");
  std::string url = CreateAll("blog.tables:metadata", {"src"});
  Config(url, "[\"sqlalchemy:blog.tables:metadata\"]",
         "python_path = [\"src\"]\n");
  ExpectClean();
}

TEST_F(SqlalchemyModelsTest, BlogOnSqliteIsClean) {
  Copy("blog");
  CreateAll("blog.tables:metadata", {"src"}, "sqlite:///" + p_.Path("app.db"));
  Config("sqlite:///app.db", "[\"sqlalchemy:blog.tables:metadata\"]",
         "python_path = [\"src\"]\n");
  ExpectClean();
  // A change is found, as with SQL models on SQLite.
  Edit("src/blog/tables.py", "    sa.Column(\"bio\", sa.Text),\n",
       "    sa.Column(\"bio\", sa.Text),\n"
       "    sa.Column(\"website\", sa.String(200)),\n");
  CliResult r = Run({"check"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out,
            "New upgrade operations detected:\n"
            "ALTER TABLE author ADD COLUMN website VARCHAR(200);\n")
      << r.err;
}

TEST_F(SqlalchemyModelsTest, MixedWithSqlFilesInSettingOrder) {
  // A view over SQLAlchemy's tables, in a SQL file listed after the entry:
  // it runs after the DDL.
  Copy("garage");
  std::string url = CreateAll("app.schemas:Base.metadata", {"."});
  const std::string view =
      "CREATE VIEW work_shop.open_repairs AS SELECT id, car_id FROM "
      "work_shop.repair WHERE finished_at IS NULL;\n";
  {
    auto conn = Connect(url);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Execute(view).ok());
  }
  p_.WriteFile("models/views.sql", view);
  Config(url, "[\"sqlalchemy:app.schemas:Base.metadata\", \"models/*.sql\"]");
  ExpectClean();
  CliResult r = Run({"diff", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["models"].size(), 2u) << r.out;
  EXPECT_EQ(j["models"][0], "sqlalchemy:app.schemas:Base.metadata");
  EXPECT_EQ(j["models"][1].get<std::string>().ends_with("models/views.sql"),
            true)
      << r.out;
}

// --- changes and the cache ---------------------------------------------------

TEST_F(SqlalchemyModelsTest, ChangedModelIsExactlyThatChange) {
  Copy("shop");
  std::string url = CreateAll("shop.models:Base.metadata", {"."});
  Config(url, "[\"sqlalchemy:shop.models:Base.metadata\"]");
  ExpectClean();
  Edit("shop/models.py",
       "    name = sa.Column(sa.Text, nullable=False, comment=\"display "
       "name\")\n",
       "    name = sa.Column(sa.Text, nullable=False, comment=\"display "
       "name\")\n"
       "    nickname = sa.Column(sa.String(50), index=True)\n");
  CliResult r = Run({"check"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out,
            "New upgrade operations detected:\n"
            "ALTER TABLE public.customer ADD COLUMN nickname character "
            "varying(50);\n\n"
            "CREATE INDEX ix_customer_nickname ON public.customer USING btree "
            "(nickname);\n")
      << r.err;
  // A revision of it applies, and then the two agree.
  r = Run({"revision", "--autogenerate", "-m", "nickname", "--rev-id",
           "aaaa00000001"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(Run({"upgrade", "head"}).exit_code, 0);
  ExpectClean();
}

TEST_F(SqlalchemyModelsTest, CacheHitStartsNoPython) {
  Copy("garage");
  std::string url = CreateAll("app.schemas:Base.metadata", {"."});
  // An interpreter that starts once: a second start fails loudly.
  python_ = Wrapper("once.sh",
                    "if [ -e \"$(dirname \"$0\")/started\" ]; then echo "
                    "\"python started again\" >&2; exit 3; fi\n"
                    "touch \"$(dirname \"$0\")/started\"\n");
  Config(url, "[\"sqlalchemy:app.schemas:Base.metadata\"]");
  ExpectClean();
  ASSERT_TRUE(fs::exists(p_.Path("started")));
  // Unchanged: served by the cache, Python never starts.
  CliResult r = Run({"-v", "check"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("sqlalchemy:app.schemas:Base.metadata: DDL from the "
                       "cache"),
            std::string::npos)
      << r.err;
  ExpectClean();
  // With the cache off, Python starts, and the wrapper refuses.
  r = Run({"check"}, {{"RETORT_CACHE", "off"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: " + python_ +
                       " (the 'python' setting, retort.toml:2) exited with "
                       "status 3: python started again\n");
  // A module that changes is emitted again (Python allowed once more)...
  fs::remove(p_.Path("started"));
  Edit("app/schemas/work_shop.py", "server_default=\"45.00\"",
       "server_default=\"50.00\"");
  const std::string change =
      "New upgrade operations detected:\n"
      "ALTER TABLE work_shop.mechanic ALTER COLUMN hourly_rate SET DEFAULT "
      "50.00;\n";
  r = Run({"check"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out, change) << r.err;
  ASSERT_TRUE(fs::exists(p_.Path("started")));
  // ... and cached again; the same bytes written again are still a hit.
  p_.WriteFile("app/schemas/work_shop.py",
               p_.ReadFile("app/schemas/work_shop.py"));
  r = Run({"check"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out, change) << r.err;
  // A changed interpreter is a miss: the wrapper, rewritten, starts again.
  python_ = Wrapper("once.sh",
                    "# another interpreter\n"
                    "if [ -e \"$(dirname \"$0\")/started\" ]; then echo "
                    "\"python started again\" >&2; exit 3; fi\n");
  r = Run({"check"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: " + python_ +
                       " (the 'python' setting, retort.toml:2) exited with "
                       "status 3: python started again\n");
}

TEST_F(SqlalchemyModelsTest, NewModuleFoundByItsPackageIsPickedUp) {
  // A package that imports every module of its folder: a new module is a
  // new table even though no imported file changed.
  p_.WriteFile("app/__init__.py", "");
  p_.WriteFile("app/models/__init__.py",
               "import importlib\nimport pkgutil\n\n"
               "from app.models.base import Base\n\n"
               "for _m in pkgutil.iter_modules(__path__):\n"
               "    importlib.import_module(__name__ + '.' + _m.name)\n");
  p_.WriteFile("app/models/base.py",
               "from sqlalchemy.orm import declarative_base\n"
               "Base = declarative_base()\n");
  p_.WriteFile("app/models/a.py",
               "import sqlalchemy as sa\nfrom app.models.base import Base\n\n"
               "class A(Base):\n    __tablename__ = 'a'\n"
               "    id = sa.Column(sa.Integer, primary_key=True)\n");
  std::string url = CreateAll("app.models:Base.metadata", {"."});
  Config(url, "[\"sqlalchemy:app.models:Base.metadata\"]");
  ExpectClean();
  p_.WriteFile("app/models/b.py",
               "import sqlalchemy as sa\nfrom app.models.base import Base\n\n"
               "class B(Base):\n    __tablename__ = 'b'\n"
               "    id = sa.Column(sa.Integer, primary_key=True)\n");
  CliResult r = Run({"check"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out,
            "New upgrade operations detected:\n"
            "CREATE SEQUENCE public.b_id_seq AS integer INCREMENT BY 1 "
            "MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1 NO CYCLE;\n\n"
            "CREATE TABLE public.b (\n"
            "    id integer DEFAULT nextval('public.b_id_seq'::regclass) NOT "
            "NULL,\n"
            "    CONSTRAINT b_pkey PRIMARY KEY (id)\n"
            ");\n\n"
            "ALTER SEQUENCE public.b_id_seq OWNED BY public.b.id;\n")
      << r.err;
}

// --- errors
// --------------------------------------------------------------------

class SqlalchemyErrorsTest : public SqlalchemyModelsTest {
 protected:
  void SetUp() override {
    SqlalchemyModelsTest::SetUp();
    Copy("garage");
    url_ = FreshDatabaseUrl();
  }
  // `retort check`'s error with models = [entry].
  std::string ErrorOf(const std::string& entry, const std::string& extra = "") {
    Config(url_, "[\"" + entry + "\"]", extra);
    CliResult r = Run({"check"});
    EXPECT_EQ(r.exit_code, 1) << r.out;
    return r.err;
  }
  std::string url_;
};

TEST_F(SqlalchemyErrorsTest, ProjectExceptionsNameTheFileAndLine) {
  Edit("app/schemas/cars.py",
       "    name = sa.Column(sa.String(100), nullable=False, unique=True)",
       "    name = sa.Column(sa.Strin(100), nullable=False, unique=True)");
  EXPECT_EQ(ErrorOf("sqlalchemy:app.schemas:Base.metadata"),
            "error: app/schemas/cars.py:21: AttributeError: module "
            "'sqlalchemy' has no attribute 'Strin'\n");
  Edit("app/schemas/cars.py", "sa.Strin(100)", "Strin(100)");
  EXPECT_EQ(ErrorOf("sqlalchemy:app.schemas:Base.metadata"),
            "error: app/schemas/cars.py:21: NameError: name 'Strin' is not "
            "defined\n");
  Edit("app/schemas/cars.py", "Strin(100)", "sa.String(100)");
  p_.WriteFile("app/schemas/enums.py",
               p_.ReadFile("app/schemas/enums.py") + "\ndef broken(:\n");
  EXPECT_EQ(ErrorOf("sqlalchemy:app.schemas:Base.metadata"),
            "error: app/schemas/enums.py:16: SyntaxError: invalid syntax\n");
}

TEST_F(SqlalchemyErrorsTest, MissingModulesAndAttributes) {
  EXPECT_EQ(ErrorOf("sqlalchemy:garage.models:Base.metadata",
                    "python_path = [\"src\", \"lib\"]\n"),
            "error: sqlalchemy:garage.models:Base.metadata: no module named "
            "'garage' (looked in " +
                p_.dir() + ", " + p_.dir() + "/src, " + p_.dir() +
                "/lib); set python_path in retort.toml\n");
  EXPECT_EQ(ErrorOf("sqlalchemy:app.nothing:Base.metadata"),
            "error: sqlalchemy:app.nothing:Base.metadata: no module named "
            "'app.nothing' (looked in " +
                p_.dir() + "); set python_path in retort.toml\n");
  EXPECT_EQ(ErrorOf("sqlalchemy:app.schemas:Bsae.metadata"),
            "error: sqlalchemy:app.schemas:Bsae.metadata: module app.schemas "
            "has no attribute 'Bsae'; did you mean 'Base'?\n");
  EXPECT_EQ(ErrorOf("sqlalchemy:app.schemas:Base.metadta"),
            "error: sqlalchemy:app.schemas:Base.metadta: app.schemas:Base has "
            "no attribute 'metadta'; did you mean 'metadata'?\n");
  EXPECT_EQ(ErrorOf("sqlalchemy:app:schemas"),
            "error: sqlalchemy:app:schemas: module app has no attribute "
            "'schemas'; app.schemas is a module: write "
            "sqlalchemy:app.schemas:<attribute>\n");
  // A module missing inside the project is the project's error.
  p_.WriteFile("app/schemas/enums.py", "import nonexistent_helpers\n" +
                                           p_.ReadFile("app/schemas/enums.py"));
  EXPECT_EQ(ErrorOf("sqlalchemy:app.schemas:Base.metadata"),
            "error: app/schemas/enums.py:1: ModuleNotFoundError: No module "
            "named 'nonexistent_helpers'\n");
}

TEST_F(SqlalchemyErrorsTest, NotAMetadataOrEmptyOrMalformed) {
  EXPECT_EQ(
      ErrorOf("sqlalchemy:app.schemas:Brand.name"),
      "error: sqlalchemy:app.schemas:Brand.name: app.schemas:Brand.name "
      "is an instance of sqlalchemy.orm.attributes.InstrumentedAttribute, "
      "not a SQLAlchemy MetaData (nor an object whose .metadata is one, "
      "such as a declarative Base)\n");
  EXPECT_EQ(ErrorOf("sqlalchemy:app.schemas:__all__"),
            "error: sqlalchemy:app.schemas:__all__: app.schemas:__all__ is an "
            "instance of builtins.list, not a SQLAlchemy MetaData (nor an "
            "object whose .metadata is one, such as a declarative Base)\n");
  p_.WriteFile("empty_models.py",
               "from sqlalchemy.orm import declarative_base\n"
               "Base = declarative_base()\n");
  EXPECT_EQ(ErrorOf("sqlalchemy:empty_models:Base.metadata"),
            "error: sqlalchemy:empty_models:Base.metadata: the MetaData holds "
            "no table, so every table of the database would look like a drop; "
            "import the modules that define the models in empty_models (or "
            "name a module that imports them all)\n");
  EXPECT_EQ(ErrorOf("sqlalchemy:app.schemas"),
            "error: sqlalchemy:app.schemas: expected "
            "sqlalchemy:<module>:<attribute>, e.g. "
            "sqlalchemy:app.models:Base.metadata\n");
  EXPECT_EQ(ErrorOf("sqlalchemy:app.schemas:Base..metadata"),
            "error: sqlalchemy:app.schemas:Base..metadata: expected "
            "sqlalchemy:<module>:<attribute>, e.g. "
            "sqlalchemy:app.models:Base.metadata\n");
}

TEST_F(SqlalchemyErrorsTest, InterpreterWithoutSqlalchemyOrMissing) {
  // -S: no site-packages, so no Debian SQLAlchemy.
  python_ = p_.Path("nosa.sh");
  p_.WriteFile("nosa.sh",
               std::string("#!/bin/sh\nexec ") + kPython + " -S \"$@\"\n");
  chmod(python_.c_str(), 0755);
  EXPECT_EQ(ErrorOf("sqlalchemy:app.schemas:Base.metadata"),
            "error: " + python_ +
                " (the 'python' setting, retort.toml:2) cannot import "
                "sqlalchemy (No module named 'sqlalchemy'): install Debian's "
                "python3-sqlalchemy (apt-get install python3-sqlalchemy), or "
                "pip install sqlalchemy into that interpreter's environment, "
                "or set python = \"/path/to/python3\" in retort.toml to an "
                "interpreter that has it\n");
  python_ = "retort-no-such-python3";
  EXPECT_EQ(ErrorOf("sqlalchemy:app.schemas:Base.metadata"),
            "error: retort-no-such-python3 (the 'python' setting, "
            "retort.toml:2): not found on PATH; install Python 3 (apt-get "
            "install python3) or set python = \"/path/to/python3\" in "
            "retort.toml\n");
}

TEST_F(SqlalchemyErrorsTest, SqliteModelsCannotUseSchemas) {
  Config("sqlite:///app.db", "[\"sqlalchemy:app.schemas:Base.metadata\"]");
  CliResult r = Run({"check"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: sqlalchemy:app.schemas:Base.metadata: the models use "
            "schema 'cars': retort compares an SQLite database's main schema "
            "only, so SQLite models cannot use schemas\n");
}

// --- [naming] for SQL models
// ----------------------------------------------------

constexpr char kShopNaming[] =
    "[naming]\n"
    "ix = \"ix_%(column_0_label)s\"\n"
    "uq = \"uq_%(table_name)s_%(column_0_name)s\"\n"
    "ck = \"ck_%(table_name)s_%(constraint_name)s\"\n"
    "fk = \"fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s\"\n"
    "pk = \"pk_%(table_name)s\"\n";

TEST_F(SqlalchemyModelsTest, SqlModelsWithNamingMatchSqlalchemysNames) {
  Copy("shop");
  std::string url = CreateAll("shop.models:Base.metadata", {"."});
  Config(url, "[\"models/*.sql\"]", kShopNaming);
  ExpectClean();
  // Without [naming], PostgreSQL's names: every difference is a rename.
  Config(url, "[\"models/*.sql\"]");
  CliResult r = Run({"check"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  int renames = 0;
  size_t pos = r.out.find('\n') + 1;
  for (int guard = 0; guard < 1000 && pos < r.out.size(); ++guard) {
    size_t eol = r.out.find('\n', pos);
    std::string line = r.out.substr(pos, eol - pos);
    pos = eol == std::string::npos ? r.out.size() : eol + 1;
    if (line.empty()) continue;
    EXPECT_NE(line.find(" RENAME "), std::string::npos) << line;
    ++renames;
  }
  EXPECT_EQ(renames, 16) << r.out;
  EXPECT_NE(r.out.find("ALTER TABLE public.customer RENAME CONSTRAINT "
                       "pk_customer TO customer_pkey;\n"),
            std::string::npos)
      << r.out;
  // A changed [naming] is never served from the cache: the same files,
  // another index template.
  std::string other = kShopNaming;
  other.replace(other.find("ix = \"ix_"), 9, "ix = \"idx_");
  Config(url, "[\"models/*.sql\"]", other);
  r = Run({"check"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("ALTER INDEX public.ix_product_title RENAME TO "
                       "idx_product_title;\n"),
            std::string::npos)
      << r.out;
  Config(url, "[\"models/*.sql\"]", kShopNaming);
  ExpectClean();
}

TEST_F(SqlalchemyModelsTest, NamingDoesNotRewriteSqlalchemyModels) {
  // SQLAlchemy names everything itself: a [naming] that disagrees with its
  // convention changes nothing for the SQLAlchemy entry.
  Copy("shop");
  std::string url = CreateAll("shop.models:Base.metadata", {"."});
  Config(url, "[\"sqlalchemy:shop.models:Base.metadata\"]",
         "[naming]\npk = \"primary_%(table_name)s\"\n");
  ExpectClean();
}

TEST_F(SqlalchemyModelsTest, NamingErrors) {
  p_.WriteFile("models/app.sql", "CREATE TABLE t (id int PRIMARY KEY);\n");
  std::string url = FreshDatabaseUrl();
  Config(url, "[\"models/*.sql\"]",
         "\n[naming]\nix = \"ix_%(column_0_lable)s\"\n");
  CliResult r = Run({"check"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: retort.toml:6: [naming] ix = \"ix_%(column_0_lable)s\": "
            "unknown token %(column_0_lable)s; did you mean "
            "%(column_0_label)s?\n");
  // `retort schemas` reads the models, so it checks [naming] too.
  r = Run({"schemas"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("retort.toml:6: [naming]"), std::string::npos) << r.err;
  Config("sqlite:///app.db", "[\"models/*.sql\"]",
         "\n[naming]\npk = \"pk_%(table_name)s\"\n");
  r = Run({"check"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: retort.toml:6: [naming] names the constraints and indexes "
            "of PostgreSQL model files; this project's database is SQLite: "
            "name them in the model files instead, or remove [naming]\n");
}

}  // namespace
}  // namespace retort::testing

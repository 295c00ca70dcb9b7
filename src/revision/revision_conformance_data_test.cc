// Loads the Alembic conformance fixtures from
// testdata/alembic_conformance.json. The data was generated from Alembic 1.19.2
// (sqlalchemy/alembic 20e58db) by running the same queries on
// alembic.script.revision.RevisionMap, ScriptDirectory._*_revs and
// HeadMaintainer under ten values of PYTHONHASHSEED; answers that depend on
// Python's set order were dropped (see conformance/README). It is read at run
// time rather than compiled in: a 400 KB initializer took minutes to compile,
// twice per CI run.
#include "revision/revision_conformance_data.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gtest/gtest.h"

namespace retort {
namespace conformance {

namespace {

std::vector<std::string> Strings(const nlohmann::json& j) {
  std::vector<std::string> out;
  for (const auto& s : j) out.push_back(s.get<std::string>());
  return out;
}

std::vector<Fixture>* Load() {
  auto* fixtures = new std::vector<Fixture>();
  const std::string path = std::string(RETORT_SOURCE_DIR) +
                           "/src/revision/testdata/alembic_conformance.json";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json data = nlohmann::json::parse(text.str(), nullptr, false);
  // A missing or broken file must fail the run, not shrink it to nothing.
  if (!in || data.is_discarded() || !data.is_array() || data.empty()) {
    ADD_FAILURE() << "cannot read the conformance data " << path;
    return fixtures;
  }
  for (const auto& f : data) {
    Fixture fixture;
    fixture.name = f.at("name").get<std::string>();
    for (const auto& r : f.at("revisions")) {
      fixture.revisions.push_back({r.at("id").get<std::string>(),
                                   Strings(r.at("down")), Strings(r.at("deps")),
                                   Strings(r.at("labels"))});
    }
    for (const auto& c : f.at("cases")) {
      fixture.cases.push_back(
          {c.at("kind").get<std::string>(), c.at("a").get<std::string>(),
           c.at("b").get<std::string>(), c.at("options").get<std::string>(),
           c.at("want").get<std::string>()});
    }
    fixtures->push_back(std::move(fixture));
  }
  return fixtures;
}

}  // namespace

const std::vector<Fixture>& Fixtures() {
  static const std::vector<Fixture>* fixtures = Load();
  return *fixtures;
}

}  // namespace conformance
}  // namespace retort

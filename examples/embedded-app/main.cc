// A program that migrates its own database at start-up with the revision
// files compiled into it (retort_embed_migrations in CMakeLists.txt):
//
//   embedded_app [URL]   (default: sqlite:///embedded-app.db)
//
// It upgrades the database to head, printing each step as it goes, then
// prints the revisions it is at. Exit status 0 on success, 1 with the
// error on stderr otherwise. No retort.toml, no files beside the program.
#include <retort_embedded/app.h>

#include <cstdio>
#include <memory>
#include <retort/retort.h>
#include <string>

int main(int argc, char** argv) {
  retort::Options options;
  options.url = argc > 1 ? argv[1] : "sqlite:///embedded-app.db";
  options.config_path = "";  // no configuration file
  options.migrations = &retort::embedded::app();

  auto migrator = retort::Migrator::Open(options);
  if (!migrator.ok()) {
    std::fprintf(stderr, "error: %s\n",
                 migrator.status().ToString().c_str());
    return 1;
  }
  retort::RunOptions run;
  run.progress = [](const retort::Progress& p) {
    if (p.event == retort::Progress::Event::kStepStarted) {
      std::printf("[%d/%d] %s\n", p.step, p.steps, p.description.c_str());
    }
  };
  auto result = (*migrator)->Upgrade("head", run);
  if (!result.ok()) {
    std::fprintf(stderr, "error: %s\n", result.status().ToString().c_str());
    return 1;
  }
  auto current = (*migrator)->Current();
  if (!current.ok()) {
    std::fprintf(stderr, "error: %s\n", current.status().ToString().c_str());
    return 1;
  }
  for (const retort::RevisionInfo& r : *current) {
    std::printf("at %s\n", r.id.c_str());
  }
  return 0;
}

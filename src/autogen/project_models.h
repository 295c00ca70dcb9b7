// The models of a project, as its configuration names them: the sources
// the 'models' patterns list, read (the [naming] convention applied to SQL
// files, SQLAlchemy entries turned into DDL by the project's Python), and
// where autogenerate's scratch databases live (--dev, dev_url). The
// Migrator asks; this decides.
#ifndef RETORT_AUTOGEN_PROJECT_MODELS_H_
#define RETORT_AUTOGEN_PROJECT_MODELS_H_

#include <functional>
#include <string>
#include <vector>

#include "autogen/autogen.h"
#include "autogen/model_scan.h"
#include "config/config.h"
#include "python/python_worker.h"
#include "retort/options.h"
#include "retort/status.h"

namespace retort {

// The model sources of config.models, in order: the SQL files each run of
// patterns matches (globbed from the config's folder, sorted, each once),
// and "sqlalchemy:" entries where they stand. A pattern that matches no
// file is an error (the models would look empty and every table like a
// drop), as is an empty 'models' setting.
Result<std::vector<std::string>> ListModelSources(const Config& config);

// `sources` (ListModelSources) read: SQL files with config's [naming]
// convention applied (PostgreSQL only: refused for SQLite's models), and
// the DDL SQLAlchemy emits for each entry (`sqlite` picks its dialect), in
// the order of `sources`. `log` receives the Python worker's lines.
Result<std::vector<ModelFile>> ReadModelSources(
    const Config& config, const std::vector<std::string>& sources, bool sqlite,
    const LogSink& log, LogLevel log_level);

// The .sql files under the folders of the 'models' patterns (searched
// recursively up to a limit, the revisions' folders left out) that no
// pattern matched -- `sources` being what they did match -- sorted. They
// are logged as warnings (at most `shown` named), since they may explain
// an error or a diff that finds nothing.
std::vector<std::string> UnmatchedModelSources(
    const Config& config, const std::vector<std::string>& sources,
    const LogSink& log, LogLevel log_level, size_t shown);

// The interpreter of the 'python' setting (a relative path with a slash
// taken from the config's folder, a bare name looked up on PATH), and where
// it was chosen, for messages. Every use of Python goes through it.
PythonCommand PythonFor(const Config& config);

// Where scratch databases go (AutogenOptions::dev): "ephemeral" sets
// options->ephemeral; a postgresql:// URL, options->dev_url (anything else
// is an error naming it, password masked); "" the configured dev_url,
// passed through `resolve` (a vault: reference is read only here).
Status ChooseScratchDatabases(
    const std::string& dev, const Config& config,
    const std::function<Result<std::string>(const std::string&)>& resolve,
    DiffOptions* options);

}  // namespace retort

#endif  // RETORT_AUTOGEN_PROJECT_MODELS_H_

// The Python scripts retort runs, compiled into the library as text
// (cmake/embed_text.cmake) so that the program needs no file beside it.
#ifndef RETORT_PYTHON_EMBEDDED_SCRIPTS_H_
#define RETORT_PYTHON_EMBEDDED_SCRIPTS_H_

#include <string_view>

namespace retort {

// src/importer/alembic_worker.py: renders Alembic revisions (import-alembic).
extern const std::string_view kAlembicWorkerScript;
// src/autogen/sqlalchemy_models.py: emits SQLAlchemy models' DDL.
extern const std::string_view kSqlalchemyModelsScript;

}  // namespace retort

#endif  // RETORT_PYTHON_EMBEDDED_SCRIPTS_H_

// retort's public API in one include: Migrator (migrator.h) and everything
// it takes and returns. See docs/library.md.
#ifndef RETORT_RETORT_H_
#define RETORT_RETORT_H_

#include "retort/code_migration.h"
#include "retort/connection.h"
#include "retort/export.h"
#include "retort/fanout.h"
#include "retort/import.h"
#include "retort/interrupt.h"
#include "retort/lint.h"
#include "retort/migration_set.h"
#include "retort/migrator.h"
#include "retort/options.h"
#include "retort/progress.h"
#include "retort/revision_info.h"
#include "retort/secrets.h"
#include "retort/status.h"
#include "retort/verify.h"

#endif  // RETORT_RETORT_H_

// BorrowedConnection: a database session the application already holds,
// lent to a Migrator (Options::connection) instead of a URL.
#ifndef RETORT_CONNECTION_H_
#define RETORT_CONNECTION_H_

#include "retort/export.h"

// The drivers' handles, forward-declared: this header needs neither libpq
// nor sqlite3. pg_conn is libpq's PGconn.
struct pg_conn;
struct sqlite3;

namespace retort {

// One of the two, connected and outside any transaction while retort uses
// it (upgrade, downgrade and stamp run their own transactions; a
// connection inside one is refused). Afterwards it is handed back as it
// was lent: still open, outside a transaction, and every setting retort
// or a revision changed put back (PostgreSQL: each parameter a session may
// SET -- lock_timeout, statement_timeout, search_path, client_encoding,
// ...; SQLite: foreign_keys, legacy_alter_table, recursive_triggers,
// busy_timeout). The application keeps its notice receiver and busy
// handler, and closes the connection itself; it must not use it from
// another thread while a Migrator call runs.
//
// Used by Upgrade, Downgrade, Stamp, Current, Pending, HistoryWithCurrent,
// Lint's reading of the pending revisions and Verify. What opens sessions of
// its own -- autogenerate (Diff, revision --autogenerate against the database),
// Verify's live comparison and the fan-out (UpgradeMany, ...) -- still
// needs a URL (Options::url or the configuration).
struct RETORT_EXPORT BorrowedConnection {
  // A libpq connection (PGconn*). Default: none.
  pg_conn* postgres = nullptr;
  // An SQLite handle. Default: none.
  sqlite3* sqlite = nullptr;

  bool empty() const { return postgres == nullptr && sqlite == nullptr; }
};

}  // namespace retort

#endif  // RETORT_CONNECTION_H_

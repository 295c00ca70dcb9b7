// The order model statements load in. Model files are read in the order of
// the `models` patterns (each pattern's files sorted by name), but a file
// may need what a file sorting after it creates: `models/a_orders.sql`
// with `REFERENCES users(id)` before `models/b_users.sql` creating users.
// ModelDependencies reads, from each statement's parse tree (libpg_query's,
// never the SQL text), what it creates and what it needs created first,
// and orders the statements so that what a statement needs comes first --
// tables before the foreign keys, views, indexes and comments that refer
// to them, types before the columns that use them, schemas before what is
// in them -- and otherwise keeps the order they were read in.
//
// What is tracked, by schema-qualified name (unqualified names resolved
// through the search_path the statements set, "public" by default):
//   creates  schemas; tables, views, materialized views, sequences (also
//            the implicit ones of serial and identity columns), indexes,
//            foreign tables (and the row types of all of those); types,
//            enums, domains, ranges; functions, procedures, aggregates;
//            columns added by ALTER TABLE (those of CREATE TABLE are not
//            tracked one by one: what needs one needs the table); primary
//            keys and unique keys (by their columns)
//   needs    relations (every RangeVar of the tree -- of a LANGUAGE sql
//            function's body too, parsed from its string -- and the regclass
//            strings of nextval('s') and 's'::regclass), types (every
//            TypeName), functions (calls, triggers' functions, functions
//            named with their arguments), schemas (of qualified names), a
//            foreign key's referenced key, an index's columns, the objects
//            of COMMENT ON and GRANT
//   touches  DROP and ALTER ... RENAME: kept in order with the statements
//            that create the same name
//
// The order (ModelDependencies::Order):
//   - A need met by a statement read before (the latest such) keeps its
//     order. A need met only by a statement read after moves the needing
//     statement after the first that creates it. A need nothing in the
//     models meets (a built-in type, an extension's function) orders
//     nothing.
//   - Among the statements whose needs are met, the one read first comes
//     first. So a model set whose every need is met in the order read --
//     every set that loads today -- keeps that order exactly, and the rest
//     move only as far as their needs take them.
//   - Statements whose effect on the ones after them cannot be told from
//     the tree are fences nothing moves across: a SET that changes a
//     setting (search_path, role, check_function_bodies, ...; a SET to the
//     value a setting already has is not one, nor are SETs of timeouts and
//     messages), SELECT (but SELECT set_config(...), read as the SET it
//     is), DO, CALL, transaction control, LOCK, ALTER DEFAULT PRIVILEGES,
//     GRANT ... ON ALL ... IN SCHEMA, event triggers, ...
//   - Deterministic: the same statements in the same order give the same
//     order.
//
// Cost: reading a statement is a walk of its tree, done beside the parse
// on every core (StatementReading); ordering is linear in the statements
// and what they create and need, and nothing more when no need is met only
// by a later statement.
//
// What cannot be ordered keeps its place, and gets a note (appended to the
// server's error should that statement fail to load): statements that
// need each other in a cycle (two CREATE TABLEs with foreign keys to each
// other: one of the keys must be added afterwards, with ALTER TABLE ...
// ADD CONSTRAINT), and needs met only past a fence.
#ifndef RETORT_AUTOGEN_MODEL_ORDER_H_
#define RETORT_AUTOGEN_MODEL_ORDER_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace retort {

// ModelOrder is the load order of a model set's statements.
struct ModelOrder {
  // Indexes of the statements as read, in load order.
  std::vector<size_t> order;
  // Why a statement may fail to load where it stands (see the top of this
  // file), by its index as read: "these statements need each other in a
  // cycle, so no order loads them: ...".
  std::map<size_t, std::string> notes;
  // What each statement (by index as read) must come after: the statements
  // meeting its needs, and those before it on the same name (a CREATE OR
  // REPLACE, a DROP), each once, in the order read. What a statement needs
  // to load is the closure of these (NormalizedModels::load).
  std::vector<std::vector<size_t>> needs;

  // Whether `order` is 0, 1, 2, ...
  bool identity() const;
};

// StatementReading is what one statement creates and needs, read as if
// the session had its defaults (search_path "public", no setting changed).
// Reading one (ReadModelStatement) touches nothing shared, so it can run
// on any thread, beside the parse; ModelDependencies::Statement takes it
// when the session at that statement does have its defaults, and reads the
// tree again otherwise. Move-only.
class StatementReading {
 public:
  StatementReading();
  ~StatementReading();
  StatementReading(StatementReading&&) noexcept;
  StatementReading& operator=(StatementReading&&) noexcept;

  // The schemas the statement's tree names, as `retort schemas` counts
  // them (model_scan.cc): the schema of every RangeVar ("relname") and of
  // every "names" and "funcname" list, system schemas left out; each once.
  // Read in the same walk, so the schema scan need not walk the tree again.
  const std::vector<std::string>& mentions() const;

 private:
  friend class ModelDependencies;
  friend StatementReading ReadModelStatement(const nlohmann::json& stmt);
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads `stmt` (a parse tree, as for ModelDependencies::Statement).
StatementReading ReadModelStatement(const nlohmann::json& stmt);

// ModelDependencies collects what each statement creates and needs.
class ModelDependencies {
 public:
  ModelDependencies();
  ~ModelDependencies();
  ModelDependencies(const ModelDependencies&) = delete;
  ModelDependencies& operator=(const ModelDependencies&) = delete;

  // Statement `index`'s parse tree (libpg_query's JSON: {"CreateStmt":
  // {...}}). Called in the order read, each index once (or once per node
  // of a statement that parsed into several). `reading`, when given, is
  // ReadModelStatement(stmt): used when it holds (see StatementReading),
  // so that the tree is not read twice.
  void Statement(size_t index, const nlohmann::json& stmt,
                 StatementReading* reading = nullptr);

  // The order of statements 0 .. count-1. `where(i)` names statement i for
  // the notes: "models/a.sql:3".
  ModelOrder Order(size_t count,
                   const std::function<std::string(size_t)>& where) const;

 private:
  friend class StatementReading;
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace retort

#endif  // RETORT_AUTOGEN_MODEL_ORDER_H_

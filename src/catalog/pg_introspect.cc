// PostgreSQL introspection: one bulk query per object kind over pg_catalog,
// definitions printed by the server's own deparsers (format_type,
// pg_get_expr, pg_get_constraintdef, pg_get_indexdef, pg_get_viewdef,
// pg_get_functiondef, pg_get_triggerdef) so that two databases holding the
// same schema produce byte-identical catalogs. The exceptions, for speed,
// are plain-column indexes and primary, unique and foreign keys, printed
// here exactly as pg_get_indexdef and pg_get_constraintdef would
// (PlainIndexDefinition, KeyConstraintDefinition).
#include "catalog/pg_introspect.h"

#include <fnmatch.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catalog/pg_deparse.h"

namespace retort {
namespace {

// User namespaces only; `n` is the pg_namespace alias in every query.
constexpr std::string_view kUserNamespace =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname !~ '^pg_(toast|temp_)' ";

// Objects owned by an extension (CREATE EXTENSION made them): never listed.
std::string NotExtensionMember(std::string_view catalog,
                               std::string_view oid_expr) {
  return "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '" +
         std::string(catalog) +
         "'::regclass AND e.objid = " + std::string(oid_expr) +
         " AND e.deptype = 'e') ";
}

std::string Comment(std::string_view catalog, std::string_view oid_expr,
                    std::string_view subid_expr = "0") {
  return "(SELECT d.description FROM pg_description d WHERE d.classoid = '" +
         std::string(catalog) +
         "'::regclass AND d.objoid = " + std::string(oid_expr) +
         " AND d.objsubid = " + std::string(subid_expr) + ")";
}

// The same as a join: `LEFT JOIN pg_description <alias> ...`, whose
// `<alias>.description` is the comment. For the queries that grow with the
// number of tables: the planner hashes or merges a join, where Comment() is
// a subquery probing pg_description's index once per row (7 us a probe on
// the benchmark machine, 0.14 s over 20,000 indexes). (classoid, objoid,
// objsubid) is pg_description's key, so the join repeats no row.
std::string CommentJoin(std::string_view alias, std::string_view catalog,
                        std::string_view oid_expr,
                        std::string_view subid_expr = "0") {
  const std::string a(alias);
  return " LEFT JOIN pg_description " + a + " ON " + a + ".classoid = '" +
         std::string(catalog) + "'::regclass AND " + a +
         ".objoid = " + std::string(oid_expr) + " AND " + a +
         ".objsubid = " + std::string(subid_expr) + " ";
}

// The privileges on an object held by roles other than its owner, as one
// text value: entries "grantee<US>privilege<US>t|f" joined by <RS> (ASCII
// unit and record separators, which no role name uses). A NULL ACL stands
// for the object kind's default (acldefault), so defaults such as EXECUTE
// to PUBLIC on functions are listed on both sides of a diff alike.
// `default_kind` is acldefault's letter ('r' relation, 's' sequence, 'n'
// schema, 'f' function, 'c' column).
std::string Acl(std::string_view acl_expr, std::string_view owner_expr,
                char default_kind) {
  std::string owner(owner_expr);
  return "(SELECT string_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE "
         "a.grantee::regrole::text END || chr(31) || a.privilege_type || "
         "chr(31) || CASE WHEN a.is_grantable THEN 't' ELSE 'f' END, "
         "chr(30)) FROM aclexplode(COALESCE(" +
         std::string(acl_expr) + ", acldefault('" + default_kind + "', " +
         owner + "))) a WHERE a.grantee <> " + owner + ")";
}

// Parses Acl()'s text into grants sorted by (grantee, privilege); the same
// privilege granted by two grantors is one grant, grantable if either is.
std::vector<Grant> ParseAcl(const std::optional<std::string>& text) {
  std::map<std::pair<std::string, std::string>, bool> merged;
  if (text) {
    size_t pos = 0;
    while (pos <= text->size()) {
      size_t end = text->find('\x1e', pos);
      if (end == std::string::npos) end = text->size();
      std::string_view entry(text->data() + pos, end - pos);
      size_t a = entry.find('\x1f');
      size_t b = a == std::string_view::npos ? a : entry.find('\x1f', a + 1);
      if (b != std::string_view::npos) {
        bool& grantable = merged[{std::string(entry.substr(0, a)),
                                  std::string(entry.substr(a + 1, b - a - 1))}];
        grantable = grantable || entry.substr(b + 1) == "t";
      }
      pos = end + 1;
    }
  }
  std::vector<Grant> out;
  out.reserve(merged.size());
  for (const auto& [k, grantable] : merged) {
    out.push_back(Grant{k.first, k.second, grantable});
  }
  return out;
}

const std::string& Str(const Row& row, size_t i) {
  static const std::string kEmpty;
  return row[i] ? *row[i] : kEmpty;
}
bool Bool(const Row& row, size_t i) { return row[i] && *row[i] == "t"; }

// reloptions joined by <RS> -> sorted "name=value" entries.
std::vector<std::string> SplitOptions(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\x1e', pos);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}
uint32_t Oid(const Row& row, size_t i) {
  return row[i] ? static_cast<uint32_t>(std::stoul(*row[i])) : 0;
}
int64_t Int(const Row& row, size_t i) {
  return row[i] ? std::stoll(*row[i]) : 0;
}

bool GlobMatch(const std::string& pattern, std::string_view text) {
  return fnmatch(pattern.c_str(), std::string(text).c_str(), 0) == 0;
}

// "1 2 3" (int2vector, oidvector) as numbers.
std::vector<uint32_t> SplitVector(const std::string& text) {
  std::vector<uint32_t> out;
  uint32_t value = 0;
  bool in_number = false;
  for (char ch : text) {
    if (ch >= '0' && ch <= '9') {
      value = value * 10 + uint32_t(ch - '0');
      in_number = true;
    } else if (in_number) {
      out.push_back(value);
      value = 0;
      in_number = false;
    }
  }
  if (in_number) out.push_back(value);
  return out;
}

// The plain shape PlainIndexDefinition prints (its columns are checked
// there): no expressions, predicate, storage parameters, opclass options or
// NULLS NOT DISTINCT; not partitioned ("ON ONLY"). Aliases of ReadIndexes.
std::string PlainIndexShape(int server_version) {
  return std::string(
             "(i.indexprs IS NULL AND i.indpred IS NULL AND c.relkind = 'i' "
             "AND c.reloptions IS NULL AND NOT EXISTS (SELECT 1 FROM "
             "pg_attribute ia WHERE ia.attrelid = c.oid AND ia.attoptions IS "
             "NOT NULL)") +
         (server_version >= 150000 ? " AND NOT i.indnullsnotdistinct)" : ")");
}

// Builds the catalog from the query results; oid maps turn pg_depend rows
// into key-to-key dependencies.
class Introspector {
 public:
  Introspector(Connection& conn, const IntrospectOptions& options)
      : conn_(conn), options_(options) {}

  Result<Catalog> Run() {
    // In the order the results are read: each step's rows are read after
    // those of the steps before it (types before columns, relations and
    // columns before indexes, everything before dependencies).
    struct Step {
      const char* what;
      std::string sql;
      Status (Introspector::*read)(const QueryResult&);
    };
    const Step steps[] = {
        {"schemas", SchemasSql(), &Introspector::OnSchemas},
        {"extensions", ExtensionsSql(), &Introspector::OnExtensions},
        {"collations", CollationsSql(), &Introspector::OnCollations},
        {"types", TypesSql(), &Introspector::OnTypes},
        {"enum labels", kEnumLabelsSql, &Introspector::OnEnumLabels},
        {"relations", RelationsSql(), &Introspector::OnRelations},
        {"columns", ColumnsSql(), &Introspector::OnColumns},
        {"constraints", ConstraintsSql(), &Introspector::OnConstraints},
        {"default operator classes", kDefaultOpclassesSql,
         &Introspector::OnDefaultOpclasses},
        {"indexes", IndexesSql(), &Introspector::OnIndexes},
        {"partition indexes", PartitionIndexesSql(),
         &Introspector::OnPartitionIndexes},
        {"sequences", SequencesSql(), &Introspector::OnSequences},
        {"functions", FunctionsSql(), &Introspector::OnFunctions},
        {"triggers", TriggersSql(), &Introspector::OnTriggers},
        {"policies", PoliciesSql(), &Introspector::OnPolicies},
        {"dependencies", DependenciesSql(), &Introspector::OnDependencies},
    };
    std::vector<std::string> sqls;
    for (const Step& step : steps) sqls.push_back(step.sql);
    // The step a failure belongs to: the one whose rows were being read,
    // or else the first query without a result.
    size_t at = 0;
    Status st = conn_.QueryEach(sqls, [&](size_t i, QueryResult result) {
      at = i;
      const Step& step = steps[i];
      Status read = (this->*step.read)(result);
      if (read.ok()) at = i + 1;
      return read;
    });
    if (!st.ok()) {
      return st.WithContext(
          "introspecting " +
          std::string(steps[std::min(at, sqls.size() - 1)].what));
    }
    RETORT_RETURN_IF_ERROR(PrintRemaining());
    return std::move(catalog_);
  }

 private:
  // Records the grants of object `key` (none: no entry).
  void AddGrants(const std::string& key, std::string target, std::string column,
                 const std::optional<std::string>& acl) {
    std::vector<Grant> grants = ParseAcl(acl);
    if (grants.empty()) return;
    catalog_.grants[key] =
        ObjectGrants{std::move(target), std::move(column), std::move(grants)};
  }

  std::string SchemasSql() const {
    return "SELECT n.nspname, " + Comment("pg_namespace", "n.oid") + ", " +
           Acl("n.nspacl", "n.nspowner", 'n') + " FROM pg_namespace n WHERE " +
           std::string(kUserNamespace) + " AND " +
           NotExtensionMember("pg_namespace", "n.oid");
  }

  Status OnSchemas(const QueryResult& r) {
    for (const Row& row : r.rows) {
      if (!SchemaIncluded(options_, Str(row, 0))) continue;
      Schema s;
      s.name = Str(row, 0);
      s.comment = row[1];
      AddGrants(SchemaKey(s.name), "SCHEMA " + QuoteIdentIfNeeded(s.name), "",
                row[2]);
      catalog_.schemas[SchemaKey(s.name)] = std::move(s);
    }
    return Status::OK();
  }

  std::string ExtensionsSql() const {
    return "SELECT x.extname, n.nspname, x.extversion FROM pg_extension x "
           "JOIN pg_namespace n ON n.oid = x.extnamespace";
  }

  Status OnExtensions(const QueryResult& r) {
    for (const Row& row : r.rows) {
      Extension x{Str(row, 0), Str(row, 1), Str(row, 2)};
      // An extension belongs to the comparison when its schema does.
      if (!SchemaIncluded(options_, x.schema) && x.schema != "pg_catalog") {
        continue;
      }
      catalog_.extensions[ExtensionKey(x.name)] = std::move(x);
    }
    return Status::OK();
  }

  // Enums, domains and composite types, plus the oid map for every user
  // type and its array type (arrays map to their element's key).
  std::string TypesSql() const {
    return "SELECT t.oid, n.nspname, t.typname, t.typtype, t.typarray, "
           "format_type(t.typbasetype, t.typtypmod), t.typnotnull, "
           "t.typdefault, "
           "CASE WHEN t.typcollation <> 0 AND t.typcollation <> "
           "bt.typcollation THEN t.typcollation::regcollation::text END, " +
           Comment("pg_type", "t.oid") +
           ", t.typrelid "
           "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
           "LEFT JOIN pg_type bt ON bt.oid = t.typbasetype "
           "LEFT JOIN pg_class rc ON rc.oid = t.typrelid "
           "WHERE t.typtype IN ('e', 'd', 'c') AND (t.typrelid = 0 OR "
           "rc.relkind = 'c') AND " +
           std::string(kUserNamespace) + " AND " +
           NotExtensionMember("pg_type", "t.oid");
  }

  Status OnTypes(const QueryResult& r) {
    for (const Row& row : r.rows) {
      const std::string& schema = Str(row, 1);
      if (!SchemaIncluded(options_, schema)) continue;
      std::string key = TypeKey(schema, Str(row, 2));
      type_keys_[Oid(row, 0)] = key;
      type_keys_[Oid(row, 4)] = key;
      const std::string& typtype = Str(row, 3);
      if (typtype == "e") {
        EnumType e;
        e.schema = schema;
        e.name = Str(row, 2);
        e.comment = row[9];
        enum_oids_[Oid(row, 0)] = key;
        catalog_.enums[key] = std::move(e);
      } else if (typtype == "d") {
        Domain d;
        d.schema = schema;
        d.name = Str(row, 2);
        d.base_type = Str(row, 5);
        d.not_null = Bool(row, 6);
        d.default_expr = row[7];
        d.collation = Str(row, 8);
        d.comment = row[9];
        catalog_.domains[key] = std::move(d);
      } else {
        CompositeType c;
        c.schema = schema;
        c.name = Str(row, 2);
        c.comment = row[9];
        composite_rel_keys_[Oid(row, 10)] = key;
        catalog_.composites[key] = std::move(c);
      }
    }
    return Status::OK();
  }

  // Sent whether or not there are enums (with the other queries, at once).
  static constexpr const char* kEnumLabelsSql =
      "SELECT enumtypid, enumlabel FROM pg_enum "
      "ORDER BY enumtypid, enumsortorder";

  Status OnEnumLabels(const QueryResult& labels) {
    for (const Row& row : labels.rows) {
      auto it = enum_oids_.find(Oid(row, 0));
      if (it == enum_oids_.end()) continue;
      catalog_.enums[it->second].labels.push_back(Str(row, 1));
    }
    return Status::OK();
  }

  // CREATE COLLATION: pg_collation's locale column is colliculocale up to
  // PostgreSQL 16, colllocale from 17.
  std::string CollationsSql() const {
    const std::string locale =
        conn_.ServerVersion() >= 170000 ? "c.colllocale" : "c.colliculocale";
    return "SELECT n.nspname, c.collname, c.collprovider, " + locale +
           ", c.collcollate, c.collctype, c.collisdeterministic, " +
           Comment("pg_collation", "c.oid") +
           " FROM pg_collation c JOIN pg_namespace n ON n.oid = "
           "c.collnamespace WHERE " +
           std::string(kUserNamespace) + " AND " +
           NotExtensionMember("pg_collation", "c.oid");
  }

  Status OnCollations(const QueryResult& r) {
    for (const Row& row : r.rows) {
      const std::string& schema = Str(row, 0);
      if (!SchemaIncluded(options_, schema)) continue;
      Collation c;
      c.schema = schema;
      c.name = Str(row, 1);
      const std::string& provider = Str(row, 2);
      c.provider = provider == "i"   ? "icu"
                   : provider == "c" ? "libc"
                                     : provider;
      c.locale = Str(row, 3);
      c.lc_collate = Str(row, 4);
      c.lc_ctype = Str(row, 5);
      c.deterministic = Bool(row, 6);
      c.comment = row[7];
      catalog_.collations[CollationKey(c.schema, c.name)] = std::move(c);
    }
    return Status::OK();
  }

  std::string RelationsSql() const {
    return "SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence, "
           "CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, "
           "CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, "
           "c.oid) END, pn.nspname, pc.relname, c.relrowsecurity, "
           "c.relforcerowsecurity, cd.description, "
           "CASE WHEN c.relkind IN ('v', 'm') THEN "
           "pg_get_viewdef(c.oid) END, c.reltype, " +
           // A relation's default privileges are its owner's alone,
           // which Acl() leaves out: no aclexplode for a NULL ACL.
           std::string("CASE WHEN c.relacl IS NOT NULL THEN ") +
           Acl("c.relacl", "c.relowner", 'r') + " END" +
           ", array_to_string(c.reloptions, chr(30)), "
           "CASE WHEN NOT c.relispartition THEN inh.parents END, "
           "CASE WHEN c.relkind IN ('v', 'm') AND c.relowner <> "
           "current_user::text::regrole THEN c.relowner::regrole::text END "
           "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace" +
           CommentJoin("cd", "pg_class", "c.oid") +
           // INHERITS parents, "schema<31>name" joined by chr(30), in
           // order: one aggregate hashed against the relations.
           "LEFT JOIN (SELECT i2.inhrelid, string_agg(pn2.nspname || chr(31) "
           "|| pc2.relname, chr(30) ORDER BY i2.inhseqno) AS parents FROM "
           "pg_inherits i2 JOIN pg_class pc2 ON pc2.oid = i2.inhparent "
           "JOIN pg_namespace pn2 ON pn2.oid = pc2.relnamespace GROUP BY "
           "i2.inhrelid) inh ON inh.inhrelid = c.oid "
           "" +
           "LEFT JOIN pg_inherits ih ON c.relispartition AND "
           "ih.inhrelid = c.oid "
           "LEFT JOIN pg_class pc ON pc.oid = ih.inhparent "
           "LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace "
           "WHERE c.relkind IN ('r', 'p', 'v', 'm') AND " +
           std::string(kUserNamespace) + " AND " +
           NotExtensionMember("pg_class", "c.oid");
  }

  Status OnRelations(const QueryResult& r) {
    for (const Row& row : r.rows) {
      const std::string& schema = Str(row, 1);
      const std::string& name = Str(row, 2);
      if (!RelationIncluded(options_, schema, name)) continue;
      std::string key = RelationKey(schema, name);
      rel_keys_[Oid(row, 0)] = key;
      type_keys_[Oid(row, 13)] = key;  // the row type
      if (row[14]) {
        AddGrants(key, "TABLE " + QualifiedName(schema, name), "", row[14]);
      }
      const std::string& kind = Str(row, 3);
      if (kind == "v" || kind == "m") {
        View v;
        v.schema = schema;
        v.name = name;
        v.materialized = kind == "m";
        v.definition = Str(row, 12);
        // pg_get_viewdef starts with a space and ends with ';'.
        while (!v.definition.empty() &&
               (v.definition.back() == ';' || v.definition.back() == ' ' ||
                v.definition.back() == '\n')) {
          v.definition.pop_back();
        }
        size_t first = v.definition.find_first_not_of(" \n");
        v.definition.erase(0, first == std::string::npos ? 0 : first);
        v.comment = row[11];
        v.options = SplitOptions(Str(row, 15));
        v.owner = Str(row, 17);
        catalog_.views[key] = std::move(v);
        view_oids_[Oid(row, 0)] = &catalog_.views[key];
        continue;
      }
      Table t;
      t.schema = schema;
      t.name = name;
      t.kind =
          kind == "p" ? RelationKind::kPartitionedTable : RelationKind::kTable;
      t.unlogged = Str(row, 4) == "u";
      t.partition_key = Str(row, 5);
      t.partition_bound = Str(row, 6);
      if (row[7]) t.partition_of = RelationKey(Str(row, 7), Str(row, 8));
      t.rls_enabled = Bool(row, 9);
      t.rls_forced = Bool(row, 10);
      t.comment = row[11];
      t.options = SplitOptions(Str(row, 15));
      // In inhseqno order, which CREATE TABLE ... INHERITS keeps.
      const std::string& parents = Str(row, 16);
      for (size_t pos = 0; pos < parents.size();) {
        size_t end = parents.find('\x1e', pos);
        if (end == std::string::npos) end = parents.size();
        std::string_view parent(parents.data() + pos, end - pos);
        pos = end + 1;
        size_t sep = parent.find('\x1f');
        if (sep == std::string_view::npos) continue;
        t.inherits.push_back(
            RelationKey(parent.substr(0, sep), parent.substr(sep + 1)));
      }
      table_oids_[Oid(row, 0)] = &catalog_.tables[key];
      catalog_.tables[key] = std::move(t);
    }
    return Status::OK();
  }

  std::string ColumnsSql() const {
    return "SELECT a.attrelid, a.attname, format_type(a.atttypid, "
           "a.atttypmod), a.attnotnull, "
           // A default cannot mention a column: deparsed without its table
           // (pg_get_expr with a relation opens it, 30 us a table).
           "CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, 0) "
           "ELSE pg_get_expr(ad.adbin, ad.adrelid) END, "
           "a.attidentity, a.attgenerated, "
           "CASE WHEN a.attcollation <> t.typcollation THEN "
           "a.attcollation::regcollation::text END, cd.description, "
           "CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE t.oid "
           "END, a.attislocal, CASE WHEN a.attacl IS NOT NULL THEN " +
           Acl("a.attacl", "c.relowner", 'c') +
           " END, ids.seqincrement, ids.seqmin, ids.seqmax, "
           "ids.seqstart, ids.seqcache, ids.seqcycle, a.attnum, "
           "a.atttypid, a.attcollation "
           "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
           "JOIN pg_namespace n ON n.oid = c.relnamespace "
           "JOIN pg_type t ON t.oid = a.atttypid "
           "LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND "
           "ad.adnum = a.attnum" +
           // Joins, not a correlated subquery or a join condition on
           // the outer row: either probes an index once per column
           // (40,000 probes, a quarter of the query at 10,000 tables),
           // where a join hashes or merges. A sequence has one identity
           // dependency, so the join repeats no column.
           CommentJoin("cd", "pg_class", "a.attrelid", "a.attnum") +
           // An identity column's sequence.
           "LEFT JOIN (SELECT idd.refobjid, idd.refobjsubid, s.* FROM "
           "pg_sequence s JOIN pg_depend idd ON idd.classid = "
           "'pg_class'::regclass AND idd.objid = s.seqrelid AND "
           "idd.objsubid = 0 AND idd.refclassid = 'pg_class'::regclass "
           "AND idd.deptype = 'i') ids ON a.attidentity <> '' AND "
           "ids.refobjid = a.attrelid AND ids.refobjsubid = a.attnum "
           "WHERE a.attnum > 0 AND NOT a.attisdropped AND "
           "c.relkind IN ('r', 'p', 'c') AND " +
           std::string(kUserNamespace) + " ORDER BY a.attrelid, a.attnum";
  }

  Status OnColumns(const QueryResult& r) {
    for (const Row& row : r.rows) {
      uint32_t rel = Oid(row, 0);
      attributes_[(uint64_t{rel} << 16) | Oid(row, 18)] =
          Attribute{Str(row, 1), Oid(row, 19), Oid(row, 20)};
      Column col;
      col.name = Str(row, 1);
      col.type = Str(row, 2);
      col.not_null = Bool(row, 3);
      col.identity = Str(row, 5);
      if (!col.identity.empty() && row[12]) {
        IdentitySequence seq;
        seq.increment = Int(row, 12);
        seq.min_value = Int(row, 13);
        seq.max_value = Int(row, 14);
        seq.start = Int(row, 15);
        seq.cache = Int(row, 16);
        seq.cycle = Bool(row, 17);
        col.identity_options = IdentityOptionsSql(col.type, seq);
      }
      if (Str(row, 6) == "s") {
        col.generated_expr = Str(row, 4);
      } else {
        col.default_expr = row[4];
      }
      col.collation = Str(row, 7);
      col.comment = row[8];
      auto type = type_keys_.find(Oid(row, 9));
      if (type != type_keys_.end()) col.type_key = type->second;
      auto table = table_oids_.find(rel);
      if (table != table_oids_.end()) {
        // Partitions and INHERITS children inherit columns from their
        // parents: only local ones are the table's own.
        if ((!table->second->partition_of.empty() ||
             !table->second->inherits.empty()) &&
            !Bool(row, 10)) {
          continue;
        }
        const Table& t = *table->second;
        if (row[11]) {  // most columns have no grants of their own
          AddGrants(ColumnKey(t.schema, t.name, col.name),
                    "TABLE " + QualifiedName(t.schema, t.name),
                    QuoteIdentIfNeeded(col.name), row[11]);
        }
        table->second->columns.push_back(std::move(col));
        continue;
      }
      auto composite = composite_rel_keys_.find(rel);
      if (composite != composite_rel_keys_.end()) {
        catalog_.composites[composite->second].attributes.push_back(
            std::move(col));
      }
    }
    return Status::OK();
  }

  // The definitions of primary keys, unique keys and foreign keys are built
  // here (KeyConstraintDefinition) from the rows' columns 9-22, as for
  // plain indexes: pg_get_constraintdef costs 15 us a constraint, a third
  // of the server's time at 10,000 tables with two keys each.
  std::string ConstraintsSql() const {
    const bool v15 = conn_.ServerVersion() >= 150000;
    return std::string(
               "SELECT k.oid, k.conrelid, k.contypid, k.conname, k.contype, "
               "CASE WHEN k.contype NOT IN ('p', 'u', 'f') THEN "
               "pg_get_constraintdef(k.oid) END, k.confrelid, k.conindid, "
               "kd.description, k.conkey, k.confkey, k.confmatchtype, "
               "k.confupdtype, k.confdeltype, k.condeferrable, "
               "k.condeferred, k.convalidated, fn.nspname, fr.relname, "
               "ci.indnatts, ci.indkey, ") +
           (v15 ? "ci.indnullsnotdistinct, k.confdelsetcols " : "NULL, NULL ") +
           "FROM pg_constraint k "
           "JOIN pg_namespace n ON n.oid = k.connamespace" +
           CommentJoin("kd", "pg_constraint", "k.oid") +
           "LEFT JOIN pg_class fr ON fr.oid = k.confrelid "
           "LEFT JOIN pg_namespace fn ON fn.oid = fr.relnamespace "
           "LEFT JOIN pg_index ci ON k.contype IN ('p', 'u') AND "
           "ci.indexrelid = k.conindid "
           "WHERE k.contype IN ('p', 'u', 'c', 'f', 'x') AND "
           "k.conparentid = 0 AND k.conislocal AND " +
           std::string(kUserNamespace) + " ORDER BY k.conname";
  }

  // pg_get_constraintdef's text for a primary key, unique key or foreign
  // key (a row of ConstraintsSql), byte for byte (a test compares the two
  // over keys of every shape); nullopt when a column's name is unknown.
  std::optional<std::string> KeyConstraintDefinition(const Row& row) {
    const char type = Str(row, 4)[0];
    const uint32_t table = Oid(row, 1);
    bool known = true;
    auto names = [&](uint32_t rel, const std::vector<uint32_t>& attnums,
                     size_t from, size_t to) {
      std::vector<std::string> out;
      for (size_t i = from; i < to && i < attnums.size(); ++i) {
        auto att = attributes_.find((uint64_t{rel} << 16) | attnums[i]);
        if (att == attributes_.end()) {
          known = false;
          return out;
        }
        out.push_back(att->second.name);
      }
      return out;
    };
    const std::vector<uint32_t> keys = SplitVector(Str(row, 9));
    std::optional<std::string> def;
    if (type == 'f') {
      ForeignKeyParts fk;
      const std::vector<uint32_t> refs = SplitVector(Str(row, 10));
      fk.columns = names(table, keys, 0, keys.size());
      fk.referenced = QualifiedName(Str(row, 17), Str(row, 18));
      fk.referenced_columns = names(Oid(row, 6), refs, 0, refs.size());
      fk.match = Str(row, 11)[0];
      fk.on_update = Str(row, 12)[0];
      fk.on_delete = Str(row, 13)[0];
      if (row[22]) {
        const std::vector<uint32_t> set = SplitVector(*row[22]);
        fk.set_columns = names(table, set, 0, set.size());
      }
      fk.deferrable = Bool(row, 14);
      fk.initially_deferred = Bool(row, 15);
      fk.not_valid = !Bool(row, 16);
      def = ForeignKeyDefinition(fk);
    } else {
      KeyConstraintParts key;
      key.primary = type == 'p';
      key.nulls_not_distinct = Bool(row, 21);
      key.columns = names(table, keys, 0, keys.size());
      const std::vector<uint32_t> index_columns = SplitVector(Str(row, 20));
      const size_t all = size_t(Int(row, 19));
      if (all > keys.size()) {
        key.include = names(table, index_columns, keys.size(), all);
      }
      key.deferrable = Bool(row, 14);
      key.initially_deferred = Bool(row, 15);
      key.not_valid = !Bool(row, 16);
      def = ::retort::KeyConstraintDefinition(key);
    }
    if (!known) return std::nullopt;
    return def;
  }

  Status OnConstraints(const QueryResult& r) {
    for (const Row& row : r.rows) {
      Constraint k;
      k.name = Str(row, 3);
      k.comment = row[8];
      char type = Str(row, 4)[0];
      // Printed by the server, else here; empty when neither could (then
      // PrintRemaining asks the server). Only for constraints kept below.
      auto definition = [&row, this]() -> std::string {
        if (row[5]) return *row[5];
        return KeyConstraintDefinition(row).value_or("");
      };
      k.kind = type == 'p'   ? ConstraintKind::kPrimaryKey
               : type == 'u' ? ConstraintKind::kUnique
               : type == 'f' ? ConstraintKind::kForeignKey
               : type == 'x' ? ConstraintKind::kExclusion
                             : ConstraintKind::kCheck;
      uint32_t rel = Oid(row, 1);
      if (rel == 0) {
        auto domain = type_keys_.find(Oid(row, 2));
        if (domain == type_keys_.end()) continue;
        auto it = catalog_.domains.find(domain->second);
        if (it == catalog_.domains.end()) continue;
        k.definition = definition();
        it->second.checks.push_back(std::move(k));
        continue;
      }
      auto table = table_oids_.find(rel);
      if (table == table_oids_.end()) continue;
      Table& t = *table->second;
      k.definition = definition();
      std::string key = ConstraintKey(t.schema, t.name, k.name);
      constraint_keys_[Oid(row, 0)] = key;
      if (k.kind == ConstraintKind::kForeignKey) {
        auto ref = rel_keys_.find(Oid(row, 6));
        k.referenced_table = ref != rel_keys_.end() ? ref->second : "";
      } else if (k.kind != ConstraintKind::kCheck) {
        index_constraint_keys_[Oid(row, 7)] = key;
      }
      if (k.definition.empty()) {
        unprinted_constraints_.push_back(
            {Oid(row, 0), &t, t.constraints.size()});
      }
      t.constraints.push_back(std::move(k));
    }
    return Status::OK();
  }

  std::string IndexesSql() const {
    return  // The index of a primary key, unique or exclusion constraint
            // is that constraint's (OnConstraints): its definition, half
            // of the query's time when every table has a key, is skipped.
        "SELECT c.oid, n.nspname, c.relname, i.indrelid, "
        "CASE WHEN EXISTS (SELECT 1 FROM pg_constraint k WHERE "
        "k.conrelid = i.indrelid AND k.conindid = c.oid AND k.contype IN "
        "('p', 'u', 'x')) OR " +
        PlainIndexShape(conn_.ServerVersion()) +
        " THEN NULL ELSE pg_get_indexdef(c.oid) END, "
        "i.indisunique, cd.description, am.amname, t.relname, "
        "i.indnkeyatts, i.indkey, i.indoption, i.indclass, "
        "i.indcollation "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_class t ON t.oid = i.indrelid "
        "JOIN pg_am am ON am.oid = c.relam" +
        CommentJoin("cd", "pg_class", "c.oid") + "WHERE " +
        std::string(kUserNamespace) +
        " AND NOT EXISTS (SELECT 1 FROM pg_inherits ih "
        "WHERE ih.inhrelid = c.oid)";
  }

  // Indexes attached to a partitioned table's index (IndexesSql leaves
  // them out).
  std::string PartitionIndexesSql() const {
    return "SELECT n.nspname, c.relname, t.relname FROM pg_inherits ih "
           "JOIN pg_class c ON c.oid = ih.inhrelid AND c.relkind IN ('i', "
           "'I') JOIN pg_namespace n ON n.oid = c.relnamespace "
           "JOIN pg_index i ON i.indexrelid = c.oid "
           "JOIN pg_class t ON t.oid = i.indrelid WHERE " +
           std::string(kUserNamespace);
  }

  Status OnPartitionIndexes(const QueryResult& r) {
    for (const Row& row : r.rows) {
      if (!RelationIncluded(options_, Str(row, 0), Str(row, 2))) continue;
      catalog_.partition_indexes.insert(RelationKey(Str(row, 0), Str(row, 1)));
    }
    return Status::OK();
  }

  // The default opclass of each (access method, type): an index column
  // with it prints no opclass. Read before the indexes.
  static constexpr const char* kDefaultOpclassesSql =
      "SELECT oid, opcintype FROM pg_opclass WHERE opcdefault";

  Status OnDefaultOpclasses(const QueryResult& r) {
    for (const Row& row : r.rows) {
      default_opclass_type_[Oid(row, 0)] = Oid(row, 1);
    }
    return Status::OK();
  }

  Status OnIndexes(const QueryResult& r) {
    for (const Row& row : r.rows) {
      uint32_t oid = Oid(row, 0);
      auto owner = index_constraint_keys_.find(oid);
      if (owner != index_constraint_keys_.end()) {
        rel_keys_[oid] = owner->second;  // FKs depend on the constraint
        continue;
      }
      auto table = rel_keys_.find(Oid(row, 3));
      if (table == rel_keys_.end()) continue;
      Index x;
      x.schema = Str(row, 1);
      x.name = Str(row, 2);
      x.table = table->second;
      x.unique = Bool(row, 5);
      x.comment = row[6];
      if (row[4]) {
        x.definition = *row[4];
      } else if (auto def = PlainIndexDefinition(row)) {
        x.definition = std::move(*def);
      }
      std::string key = RelationKey(x.schema, x.name);
      rel_keys_[oid] = key;
      Index& stored = catalog_.indexes[key] = std::move(x);
      if (stored.definition.empty()) unprinted_.emplace_back(oid, &stored);
    }
    return Status::OK();
  }

  // After the pipelined queries, the server prints what the client could
  // not: indexes plain in shape but not in detail (an opclass or collation
  // of their own), and keys naming a column the catalog lacks.
  Status PrintRemaining() {
    if (unprinted_.empty() && unprinted_constraints_.empty()) {
      return Status::OK();
    }
    auto oid_array = [](const auto& items, auto oid_of) {
      std::string out = "{";
      for (const auto& item : items) {
        if (out.size() > 1) out += ',';
        out += std::to_string(oid_of(item));
      }
      return out + "}";
    };
    const std::string index_oids =
        oid_array(unprinted_,
                  [](const std::pair<uint32_t, Index*>& x) { return x.first; });
    const std::string constraint_oids =
        oid_array(unprinted_constraints_,
                  [](const UnprintedConstraint& k) { return k.oid; });
    // Oids are unique within one catalog only: the rows say which is which.
    auto defs = conn_.Query(
        "SELECT 'i', i.oid, pg_get_indexdef(i.oid) FROM unnest($1::oid[]) "
        "i(oid) UNION ALL SELECT 'k', k.oid, pg_get_constraintdef(k.oid) "
        "FROM unnest($2::oid[]) k(oid)",
        {index_oids, constraint_oids});
    if (!defs.ok()) {
      return defs.status().WithContext("introspecting definitions");
    }
    std::unordered_map<uint32_t, std::string> indexes, constraints;
    for (const Row& row : defs->rows) {
      (Str(row, 0) == "i" ? indexes : constraints)[Oid(row, 1)] = Str(row, 2);
    }
    for (const auto& [oid, index] : unprinted_) {
      index->definition = indexes[oid];
    }
    for (const UnprintedConstraint& k : unprinted_constraints_) {
      k.table->constraints[k.position].definition = constraints[k.oid];
    }
    return Status::OK();
  }

  // pg_get_indexdef opens the indexed table (to deparse against its
  // columns), and building that relation's cache entry costs more than the
  // rest of the query: 30-50 us a table in a fresh session, 0.1 s over
  // 2,000 tables. An index that is a list of plain columns, each key column
  // with its type's default opclass and its column's collation, prints as
  // "CREATE [UNIQUE] INDEX name ON schema.table USING am (col [DESC]
  // [NULLS FIRST|LAST], ...) [INCLUDE (col, ...)]": built here from the
  // query's row (ReadIndexes), byte for byte what pg_get_indexdef prints (a
  // test compares the two over indexes of every shape). nullopt when a
  // column has an opclass or collation of its own.
  std::optional<std::string> PlainIndexDefinition(const Row& row) {
    const uint32_t table = Oid(row, 3);
    const size_t key_columns = size_t(Int(row, 9));
    const std::vector<uint32_t> columns = SplitVector(Str(row, 10));
    const std::vector<uint32_t> options = SplitVector(Str(row, 11));
    const std::vector<uint32_t> opclasses = SplitVector(Str(row, 12));
    const std::vector<uint32_t> collations = SplitVector(Str(row, 13));
    if (options.size() < key_columns || opclasses.size() < key_columns ||
        collations.size() < key_columns) {
      return std::nullopt;
    }
    PlainIndexParts index;
    index.unique = Bool(row, 5);
    index.name = Str(row, 2);
    index.table = QualifiedName(Str(row, 1), Str(row, 8));
    index.method = Str(row, 7);
    for (size_t k = 0; k < columns.size(); ++k) {
      auto att = attributes_.find((uint64_t{table} << 16) | columns[k]);
      if (att == attributes_.end()) return std::nullopt;
      if (k >= key_columns) {
        index.include.push_back(att->second.name);
        continue;
      }
      auto opclass = default_opclass_type_.find(opclasses[k]);
      if (opclass == default_opclass_type_.end() ||
          opclass->second != att->second.type ||
          (collations[k] != 0 && collations[k] != att->second.collation)) {
        return std::nullopt;
      }
      // indoption bits: 1 DESC, 2 NULLS FIRST (the default of DESC).
      index.columns.push_back(
          {att->second.name, (options[k] & 1) != 0, (options[k] & 2) != 0});
    }
    return ::retort::PlainIndexDefinition(index);
  }

  std::string SequencesSql() const {
    return "SELECT c.oid, n.nspname, c.relname, format_type(s.seqtypid, "
           "NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, "
           "s.seqcache, s.seqcycle, own.refobjid, a.attname, " +
           Comment("pg_class", "c.oid") + ", " +
           Acl("c.relacl", "c.relowner", 's') +
           " FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
           "JOIN pg_namespace n ON n.oid = c.relnamespace "
           "LEFT JOIN pg_depend own ON own.classid = 'pg_class'::regclass "
           "AND own.objid = c.oid AND own.refclassid = "
           "'pg_class'::regclass AND own.deptype IN ('a', 'i') "
           "LEFT JOIN pg_attribute a ON a.attrelid = own.refobjid AND "
           "a.attnum = own.refobjsubid "
           "WHERE " +
           std::string(kUserNamespace) + " AND " +
           NotExtensionMember("pg_class", "c.oid") +
           // Identity sequences belong to their column.
           " AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE "
           "i.classid = 'pg_class'::regclass AND i.objid = c.oid AND "
           "i.deptype = 'i')";
  }

  Status OnSequences(const QueryResult& r) {
    for (const Row& row : r.rows) {
      const std::string& schema = Str(row, 1);
      const std::string& name = Str(row, 2);
      if (!RelationIncluded(options_, schema, name)) continue;
      Sequence s;
      s.schema = schema;
      s.name = name;
      s.data_type = Str(row, 3);
      s.start = Int(row, 4);
      s.increment = Int(row, 5);
      s.min_value = Int(row, 6);
      s.max_value = Int(row, 7);
      s.cache = Int(row, 8);
      s.cycle = Bool(row, 9);
      auto owner = rel_keys_.find(Oid(row, 10));
      if (owner != rel_keys_.end()) {
        s.owned_by_table = owner->second;
        s.owned_by_column = Str(row, 11);
      } else if (row[10]) {
        // Owned by a table the comparison leaves out (retort's history
        // table's id sequence, an excluded table's serial): it goes with
        // that table.
        continue;
      }
      s.comment = row[12];
      std::string key = RelationKey(schema, name);
      rel_keys_[Oid(row, 0)] = key;
      AddGrants(key, "SEQUENCE " + QualifiedName(schema, name), "", row[13]);
      catalog_.sequences[key] = std::move(s);
    }
    return Status::OK();
  }

  std::string FunctionsSql() const {
    return "SELECT p.oid, n.nspname, p.proname, "
           "pg_get_function_identity_arguments(p.oid), p.prokind, "
           "pg_get_functiondef(p.oid), " +
           Comment("pg_proc", "p.oid") +
           ", pg_get_function_result(p.oid), "
           "pg_get_function_arguments(p.oid), " +
           Acl("p.proacl", "p.proowner", 'f') +
           ", oidvectortypes(p.proargtypes)" +
           " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
           "WHERE p.prokind IN ('f', 'p') AND " +
           std::string(kUserNamespace) + " AND " +
           NotExtensionMember("pg_proc", "p.oid");
  }

  Status OnFunctions(const QueryResult& r) {
    for (const Row& row : r.rows) {
      const std::string& schema = Str(row, 1);
      if (!SchemaIncluded(options_, schema)) continue;
      Function f;
      f.schema = schema;
      f.name = Str(row, 2);
      f.identity_args = Str(row, 3);
      f.procedure = Str(row, 4) == "p";
      f.definition = Str(row, 5);
      while (!f.definition.empty() && f.definition.back() == '\n') {
        f.definition.pop_back();
      }
      f.comment = row[6];
      f.result = Str(row, 7);
      f.arguments = Str(row, 8);
      f.signature_types = Str(row, 10);
      std::string key = FunctionKey(f.schema, f.name, f.identity_args);
      func_keys_[Oid(row, 0)] = key;
      AddGrants(key,
                std::string(f.procedure ? "PROCEDURE " : "FUNCTION ") +
                    QualifiedName(f.schema, f.name) + "(" + f.identity_args +
                    ")",
                "", row[9]);
      catalog_.functions[key] = std::move(f);
    }
    return Status::OK();
  }

  std::string TriggersSql() const {
    return "SELECT g.oid, g.tgrelid, g.tgname, pg_get_triggerdef(g.oid), " +
           Comment("pg_trigger", "g.oid") +
           " FROM pg_trigger g WHERE NOT g.tgisinternal AND "
           "g.tgparentid = 0 ORDER BY g.tgname";
  }

  Status OnTriggers(const QueryResult& r) {
    for (const Row& row : r.rows) {
      auto table = table_oids_.find(Oid(row, 1));
      if (table == table_oids_.end()) {
        auto view = view_oids_.find(Oid(row, 1));
        if (view == view_oids_.end()) continue;
        Trigger g{Str(row, 2), Str(row, 3), row[4]};
        trigger_keys_[Oid(row, 0)] =
            TriggerKey(view->second->schema, view->second->name, g.name);
        view->second->triggers.push_back(std::move(g));
        continue;
      }
      Trigger g{Str(row, 2), Str(row, 3), row[4]};
      trigger_keys_[Oid(row, 0)] =
          TriggerKey(table->second->schema, table->second->name, g.name);
      table->second->triggers.push_back(std::move(g));
    }
    return Status::OK();
  }

  std::string PoliciesSql() const {
    return "SELECT p.polrelid, p.polname, "
           "'CREATE POLICY ' || quote_ident(p.polname) || ' ON ' || "
           "p.polrelid::regclass::text || CASE WHEN p.polpermissive THEN '' "
           "ELSE ' AS RESTRICTIVE' END || ' FOR ' || CASE p.polcmd "
           "WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN "
           "'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END || ' TO ' || "
           "CASE WHEN p.polroles = '{0}' THEN 'PUBLIC' ELSE (SELECT "
           "string_agg(quote_ident(rolname), ', ' ORDER BY rolname) FROM "
           "pg_roles WHERE oid = ANY (p.polroles)) END || "
           "COALESCE(' USING (' || pg_get_expr(p.polqual, p.polrelid) || "
           "')', '') || COALESCE(' WITH CHECK (' || "
           "pg_get_expr(p.polwithcheck, p.polrelid) || ')', ''), p.oid, " +
           Comment("pg_policy", "p.oid") +
           " FROM pg_policy p ORDER BY p.polname";
  }

  Status OnPolicies(const QueryResult& r) {
    for (const Row& row : r.rows) {
      auto table = table_oids_.find(Oid(row, 0));
      if (table == table_oids_.end()) continue;
      policy_keys_[Oid(row, 3)] =
          PolicyKey(table->second->schema, table->second->name, Str(row, 1));
      table->second->policies.push_back(
          Policy{Str(row, 1), Str(row, 2), row[4]});
    }
    return Status::OK();
  }

  // pg_depend edges between user objects, as keys. Views depend through
  // their rewrite rule, defaults through pg_attrdef; both are folded into
  // the view or column they belong to in SQL. A dependency on a table
  // column is recorded on the table and on the column: the column edge is
  // what tells which indexes, constraints, views, triggers and policies a
  // column type change must rebuild.
  std::string DependenciesSql() const {
    return "SELECT d.classid::regclass::text, "
           "COALESCE(rw.ev_class, ad.adrelid, d.objid), "
           "COALESCE(ad.adnum::int, d.objsubid), "
           "d.refclassid::regclass::text, d.refobjid, d.deptype, "
           "d.refobjsubid "
           "FROM pg_depend d "
           "LEFT JOIN pg_rewrite rw ON d.classid = 'pg_rewrite'::regclass "
           "AND rw.oid = d.objid "
           "LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass "
           "AND ad.oid = d.objid "
           "WHERE d.deptype IN ('n', 'a') AND d.objid >= 16384 AND "
           "d.refobjid >= 16384 AND d.refclassid IN ('pg_class'::regclass, "
           "'pg_type'::regclass, 'pg_proc'::regclass)";
  }

  Status OnDependencies(const QueryResult& r) {
    // Keys are looked up, not copied: 80,000 rows at 10,000 tables.
    static const std::string kNone;
    for (const Row& row : r.rows) {
      const std::string& cls = Str(row, 0);
      uint32_t obj = Oid(row, 1);
      int64_t sub = Int(row, 2);
      const std::string* from = &kNone;
      if (cls == "pg_class" || cls == "pg_rewrite" || cls == "pg_attrdef") {
        if (sub > 0 && table_oids_.count(obj)) {
          // Column-level: the dependency is recorded on the column key.
          from = ColumnKeyByAttnum(obj, sub);
        } else {
          from = Lookup(rel_keys_, obj);
          if (from->empty()) from = Lookup(composite_rel_keys_, obj);
          // A sequence's OWNED BY link is rendered as its own statement.
          if (Str(row, 5) == "a" && catalog_.sequences.count(*from)) continue;
        }
      } else if (cls == "pg_type") {
        from = Lookup(type_keys_, obj);
      } else if (cls == "pg_proc") {
        from = Lookup(func_keys_, obj);
      } else if (cls == "pg_constraint") {
        from = Lookup(constraint_keys_, obj);
      } else if (cls == "pg_trigger") {
        from = Lookup(trigger_keys_, obj);
      } else if (cls == "pg_policy") {
        from = Lookup(policy_keys_, obj);
      }
      if (from->empty()) continue;
      const std::string& ref_cls = Str(row, 3);
      uint32_t ref = Oid(row, 4);
      const std::string* to;
      if (ref_cls == "pg_class") {
        to = Lookup(rel_keys_, ref);
        if (to->empty()) to = Lookup(composite_rel_keys_, ref);
      } else if (ref_cls == "pg_type") {
        to = Lookup(type_keys_, ref);
      } else {
        to = Lookup(func_keys_, ref);
      }
      if (to->empty() || *to == *from) continue;
      std::set<std::string>& deps = catalog_.depends_on[*from];
      deps.insert(*to);
      int64_t ref_sub = Int(row, 6);
      if (ref_cls == "pg_class" && ref_sub > 0 && table_oids_.count(ref)) {
        const std::string* column_key = ColumnKeyByAttnum(ref, ref_sub);
        if (!column_key->empty() && *column_key != *from) {
          deps.insert(*column_key);
        }
      }
    }
    return Status::OK();
  }

  // The key stored for `oid` in `m`, or an empty string.
  static const std::string* Lookup(
      const std::unordered_map<uint32_t, std::string>& m, uint32_t oid) {
    static const std::string kNone;
    auto it = m.find(oid);
    return it == m.end() ? &kNone : &it->second;
  }

  // The key of column `attnum` of table `rel` (one of table_oids_), or an
  // empty string; built once per column.
  const std::string* ColumnKeyByAttnum(uint32_t rel, int64_t attnum) {
    const uint64_t id = (uint64_t{rel} << 16) | uint64_t(attnum);
    auto [it, inserted] = column_keys_.try_emplace(id);
    if (inserted) {
      std::string column = ColumnNameByAttnum(rel, attnum);
      if (!column.empty()) {
        const Table& t = *table_oids_.at(rel);
        it->second = ColumnKey(t.schema, t.name, column);
      }
    }
    return &it->second;
  }

  // attnum -> column name, built lazily on the first column-level
  // dependency (attnums are not kept in the model).
  std::string ColumnNameByAttnum(uint32_t rel, int64_t attnum) {
    auto it = attributes_.find((uint64_t{rel} << 16) | uint64_t(attnum));
    return it == attributes_.end() ? std::string() : it->second.name;
  }

  Connection& conn_;
  const IntrospectOptions& options_;
  Catalog catalog_;
  std::unordered_map<uint32_t, std::string> rel_keys_;
  std::unordered_map<uint32_t, std::string> type_keys_;
  std::unordered_map<uint32_t, std::string> enum_oids_;
  std::unordered_map<uint32_t, std::string> composite_rel_keys_;
  std::unordered_map<uint32_t, std::string> func_keys_;
  std::unordered_map<uint32_t, std::string> constraint_keys_;
  std::unordered_map<uint32_t, std::string> index_constraint_keys_;
  std::unordered_map<uint32_t, std::string> trigger_keys_;
  std::unordered_map<uint32_t, std::string> policy_keys_;
  std::unordered_map<uint32_t, Table*> table_oids_;
  std::unordered_map<uint32_t, View*> view_oids_;
  // The columns of tables and composite types by (relation oid << 16 |
  // attnum), from ReadColumns.
  struct Attribute {
    std::string name;
    uint32_t type = 0;
    uint32_t collation = 0;
  };
  std::unordered_map<uint64_t, Attribute> attributes_;
  // Default opclass oid -> its input type (OnDefaultOpclasses).
  std::unordered_map<uint32_t, uint32_t> default_opclass_type_;
  // Indexes and key constraints whose definition the server is to print,
  // after the pipelined queries (PrintRemaining).
  std::vector<std::pair<uint32_t, Index*>> unprinted_;
  struct UnprintedConstraint {
    uint32_t oid;
    Table* table;
    size_t position;  // in table->constraints
  };
  std::vector<UnprintedConstraint> unprinted_constraints_;
  std::unordered_map<uint64_t, std::string> column_keys_;
};

}  // namespace

bool SchemaIncluded(const IntrospectOptions& options, std::string_view schema) {
  if (schema == "pg_catalog" || schema == "information_schema" ||
      schema.starts_with("pg_toast") || schema.starts_with("pg_temp_")) {
    return false;
  }
  if (!options.include_schemas.empty() &&
      std::find(options.include_schemas.begin(), options.include_schemas.end(),
                schema) == options.include_schemas.end()) {
    return false;
  }
  for (const std::string& pattern : options.exclude_schemas) {
    if (GlobMatch(pattern, schema)) return false;
  }
  return true;
}

bool RelationIncluded(const IntrospectOptions& options, std::string_view schema,
                      std::string_view name) {
  if (!SchemaIncluded(options, schema)) return false;
  if (name.starts_with("alembic_version")) return false;
  std::string qualified = std::string(schema) + "." + std::string(name);
  for (const std::string& pattern : options.exclude_tables) {
    if (GlobMatch(pattern, name) || GlobMatch(pattern, qualified)) {
      return false;
    }
  }
  return true;
}

Result<Catalog> IntrospectPostgres(Connection& conn,
                                   const IntrospectOptions& options) {
  if (conn.dialect() != Dialect::kPostgres) {
    return Status::InvalidArgument(
        "autogenerate introspection needs a PostgreSQL connection");
  }
  bool own_transaction = !conn.InTransaction();
  if (own_transaction) {
    RETORT_RETURN_IF_ERROR(conn.Begin());
    Status st = conn.Execute(
        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    if (!st.ok()) {
      (void)conn.Rollback();
      return st;
    }
  }
  // With only pg_catalog on the search path the server's deparsers
  // schema-qualify every user object (as pg_dump does), so the rendered SQL
  // means the same whatever search_path the migration later runs with.
  // JIT off (PostgreSQL 11+): the planner's estimates for the bulk queries
  // cross jit_above_cost, and compiling them costs more than running them
  // (90 ms of a 180 ms index query at 2,000 tables).
  const bool has_jit = conn.ServerVersion() >= 110000;
  std::string saved_path, saved_jit;
  auto path = conn.Query(
      has_jit ? "SELECT current_setting('search_path'), "
                "set_config('search_path', 'pg_catalog', true), "
                "current_setting('jit'), set_config('jit', 'off', true)"
              : "SELECT current_setting('search_path'), "
                "set_config('search_path', 'pg_catalog', true)");
  if (!path.ok()) {
    if (own_transaction) (void)conn.Rollback();
    return path.status().WithContext("introspecting");
  }
  if (!path->rows.empty() && path->rows[0][0]) saved_path = *path->rows[0][0];
  if (has_jit && !path->rows.empty() && path->rows[0][2]) {
    saved_jit = *path->rows[0][2];
  }
  Result<Catalog> catalog = Introspector(conn, options).Run();
  if (!own_transaction && catalog.ok()) {
    auto restored =
        has_jit ? conn.Query(
                      "SELECT set_config('search_path', $1, true), "
                      "set_config('jit', $2, true)",
                      {saved_path, saved_jit})
                : conn.Query("SELECT set_config('search_path', $1, true)",
                             {saved_path});
    if (!restored.ok()) return restored.status();
  }
  if (own_transaction) {
    Status st = catalog.ok() ? conn.Commit() : conn.Rollback();
    if (!st.ok() && catalog.ok()) return st;
  }
  return catalog;
}

}  // namespace retort

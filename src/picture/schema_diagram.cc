// Catalogs as schema diagrams, and the diagrams drawn as dot and mermaid.
#include "picture/schema_diagram.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dialect/pg_scan.h"
#include "picture/quoting.h"
#include "util/strings.h"

namespace retort {
namespace {

// A name as the lexer gave it: identifiers unquoted or folded, keywords
// (unreserved ones are valid column names) lower-cased.
std::string TokenName(const PgToken& t) {
  if (t.kind == PgToken::Kind::kIdentifier) return IdentifierName(t.text);
  return AsciiLower(t.text);
}

bool IsName(const PgToken& t) {
  return t.kind == PgToken::Kind::kIdentifier ||
         t.kind == PgToken::Kind::kKeyword;
}

// The parenthesised name list starting at tokens[*i] == "(", *i left after
// the ")".
std::vector<std::string> NameList(const std::vector<PgToken>& tokens,
                                  size_t* i) {
  std::vector<std::string> names;
  if (*i >= tokens.size() || tokens[*i].text != "(") return names;
  for (++*i; *i < tokens.size() && tokens[*i].text != ")"; ++*i) {
    if (IsName(tokens[*i])) names.push_back(TokenName(tokens[*i]));
  }
  if (*i < tokens.size()) ++*i;
  return names;
}

// The columns of "PRIMARY KEY (a, b)" / "FOREIGN KEY (a) REFERENCES
// s.t(b) ...": the first list, and for a foreign key the referenced
// relation's parts and the list after it.
struct KeyColumns {
  std::vector<std::string> columns;
  std::vector<std::string> referenced_name;  // [schema,] table
  std::vector<std::string> referenced_columns;
};

KeyColumns ParseKey(std::string_view definition) {
  KeyColumns key;
  auto tokens = ScanPostgres(definition);
  if (!tokens.ok()) return key;
  const std::vector<PgToken>& t = *tokens;
  size_t i = 0;
  while (i < t.size() && t[i].text != "(") ++i;
  key.columns = NameList(t, &i);
  while (i < t.size() && TokenName(t[i]) != "references") ++i;
  if (i == t.size()) return key;
  for (++i; i < t.size() && t[i].text != "("; ++i) {
    if (IsName(t[i])) key.referenced_name.push_back(TokenName(t[i]));
    if (t[i].text != "." && !IsName(t[i])) break;  // ON DELETE ... without (
  }
  key.referenced_columns = NameList(t, &i);
  return key;
}

void MarkColumns(DiagramTable* table, const std::vector<std::string>& names,
                 bool DiagramColumn::*flag) {
  for (DiagramColumn& c : table->columns) {
    if (std::find(names.begin(), names.end(), c.name) != names.end()) {
      c.*flag = true;
    }
  }
}

void SortTables(SchemaDiagram* d) {
  std::sort(d->tables.begin(), d->tables.end(),
            [](const DiagramTable& a, const DiagramTable& b) {
              return std::tie(a.schema, a.name) < std::tie(b.schema, b.name);
            });
}

}  // namespace

SchemaDiagram DiagramOf(const Catalog& catalog) {
  SchemaDiagram d;
  for (const auto& [key, table] : catalog.tables) {
    if (!table.partition_of.empty()) continue;
    DiagramTable t;
    t.schema = table.schema;
    t.name = table.name;
    for (const Column& c : table.columns) {
      DiagramColumn dc;
      dc.name = c.name;
      dc.type = c.type;
      dc.not_null = c.not_null;
      t.columns.push_back(std::move(dc));
    }
    for (const Constraint& con : table.constraints) {
      if (con.kind == ConstraintKind::kPrimaryKey) {
        MarkColumns(&t, ParseKey(con.definition).columns,
                    &DiagramColumn::primary_key);
      } else if (con.kind == ConstraintKind::kForeignKey) {
        KeyColumns k = ParseKey(con.definition);
        MarkColumns(&t, k.columns, &DiagramColumn::foreign_key);
        DiagramForeignKey fk;
        fk.name = con.name;
        fk.schema = table.schema;
        fk.table = table.name;
        fk.columns = k.columns;
        fk.referenced_columns = k.referenced_columns;
        auto referenced = catalog.tables.find(con.referenced_table);
        if (referenced != catalog.tables.end()) {
          fk.referenced_schema = referenced->second.schema;
          fk.referenced_table = referenced->second.name;
        } else if (!k.referenced_name.empty()) {
          fk.referenced_table = k.referenced_name.back();
          fk.referenced_schema = k.referenced_name.size() > 1
                                     ? k.referenced_name.front()
                                     : table.schema;
        }
        d.foreign_keys.push_back(std::move(fk));
      }
    }
    d.tables.push_back(std::move(t));
  }
  SortTables(&d);
  return d;
}

SchemaDiagram DiagramOf(const SqliteSchema& schema) {
  SchemaDiagram d;
  for (const auto& [key, table] : schema.tables) {
    if (table.is_virtual) continue;
    DiagramTable t;
    t.name = table.name;
    std::set<std::string> fk_columns;
    for (const SqliteForeignKey& fk : table.foreign_keys) {
      fk_columns.insert(fk.from.begin(), fk.from.end());
      DiagramForeignKey out;
      out.table = table.name;
      out.columns = fk.from;
      auto parent = schema.tables.find(fk.parent);
      out.referenced_table =
          parent != schema.tables.end() ? parent->second.name : fk.parent;
      out.referenced_columns = fk.to;
      d.foreign_keys.push_back(std::move(out));
    }
    for (const SqliteColumn& c : table.columns) {
      DiagramColumn dc;
      dc.name = c.name;
      dc.type = c.def.type;
      dc.primary_key = c.pk > 0;
      dc.not_null = c.not_null;
      dc.foreign_key = fk_columns.count(AsciiLower(c.name)) > 0;
      t.columns.push_back(std::move(dc));
    }
    d.tables.push_back(std::move(t));
  }
  SortTables(&d);
  return d;
}

namespace {

bool Shown(const DiagramColumn& c, const DiagramPictureOptions& o) {
  return o.all_columns || c.primary_key || c.foreign_key;
}

bool SeveralSchemas(const SchemaDiagram& d) {
  std::set<std::string> schemas;
  for (const DiagramTable& t : d.tables) schemas.insert(t.schema);
  return schemas.size() > 1;
}

std::string Qualified(const std::string& schema, const std::string& name) {
  return schema.empty() ? name : schema + "." + name;
}

std::string HtmlEscaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Keys(const DiagramColumn& c) {
  std::vector<std::string> keys;
  if (c.primary_key) keys.push_back("PK");
  if (c.foreign_key) keys.push_back("FK");
  std::string out;
  for (const std::string& k : keys) out += (out.empty() ? "" : ", ") + k;
  return out;
}

// The port of column `name` in its table's node: its position.
std::string Port(const DiagramTable* t, const std::string& column) {
  if (t == nullptr) return "";
  for (size_t i = 0; i < t->columns.size(); ++i) {
    if (t->columns[i].name == column) return "c" + std::to_string(i);
  }
  return "";
}

const DiagramTable* FindTable(const SchemaDiagram& d, const std::string& schema,
                              const std::string& name) {
  for (const DiagramTable& t : d.tables) {
    if (t.schema == schema && t.name == name) return &t;
  }
  return nullptr;
}

// A primary key's columns, for a foreign key that names none.
std::vector<std::string> PrimaryKey(const DiagramTable* t) {
  std::vector<std::string> out;
  if (t == nullptr) return out;
  for (const DiagramColumn& c : t->columns) {
    if (c.primary_key) out.push_back(c.name);
  }
  return out;
}

std::string DotTable(const DiagramTable& t, const DiagramPictureOptions& o) {
  std::string label =
      "<table border=\"0\" cellborder=\"1\" cellspacing=\"0\">"
      "<tr><td bgcolor=\"lightgrey\" colspan=\"3\"><b>" +
      HtmlEscaped(t.name) + "</b></td></tr>";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const DiagramColumn& c = t.columns[i];
    if (!Shown(c, o)) continue;
    label += "<tr><td port=\"c" + std::to_string(i) + "\" align=\"left\">" +
             HtmlEscaped(c.name) + "</td><td align=\"left\">" +
             HtmlEscaped(c.type) + "</td><td>" + Keys(c) + "</td></tr>";
  }
  label += "</table>";
  return "    " + DotQuoted(Qualified(t.schema, t.name)) + " [label=<" + label +
         ">];\n";
}

// A mermaid name: letters, digits, '_' and '-' kept, the rest '_'.
std::string MermaidWord(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    out +=
        (std::isalnum(c) || c == '_' || c == '-') ? static_cast<char>(c) : '_';
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) {
    out = "_" + out;
  }
  return out;
}

// A mermaid attribute type: also keeps brackets and parentheses.
std::string MermaidType(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    out += (std::isalnum(c) || c == '_' || c == '-' || c == '(' || c == ')' ||
            c == '[' || c == ']')
               ? static_cast<char>(c)
               : '_';
  }
  return out.empty() ? "unknown" : out;
}

}  // namespace

std::string SchemaDiagramDot(const SchemaDiagram& diagram,
                             const DiagramPictureOptions& options) {
  std::string out = "digraph schema {\n";
  if (!options.title.empty()) {
    out += "  label=" + DotQuoted(options.title) + ";\n  labelloc=t;\n";
  }
  out +=
      "  rankdir=LR;\n"
      "  node [shape=plain, fontname=\"monospace\"];\n";
  const bool clusters = SeveralSchemas(diagram);
  std::string schema;
  bool open = false;
  for (const DiagramTable& t : diagram.tables) {
    if (clusters && (!open || t.schema != schema)) {
      if (open) out += "  }\n";
      schema = t.schema;
      out += "  subgraph " + DotQuoted("cluster_" + schema) +
             " {\n    label=" + DotQuoted(schema) + ";\n";
      open = true;
    }
    std::string node = DotTable(t, options);
    out += clusters ? node : node.substr(2);
  }
  if (open) out += "  }\n";
  for (const DiagramForeignKey& fk : diagram.foreign_keys) {
    const DiagramTable* from = FindTable(diagram, fk.schema, fk.table);
    const DiagramTable* to =
        FindTable(diagram, fk.referenced_schema, fk.referenced_table);
    std::vector<std::string> referenced =
        fk.referenced_columns.empty() ? PrimaryKey(to) : fk.referenced_columns;
    std::string from_port =
        fk.columns.empty() ? "" : Port(from, fk.columns.front());
    std::string to_port =
        referenced.empty() ? "" : Port(to, referenced.front());
    out += "  " + DotQuoted(Qualified(fk.schema, fk.table)) +
           (from_port.empty() ? "" : ":" + from_port) + " -> " +
           DotQuoted(Qualified(fk.referenced_schema, fk.referenced_table)) +
           (to_port.empty() ? "" : ":" + to_port);
    if (!fk.name.empty()) out += " [tooltip=" + DotQuoted(fk.name) + "]";
    out += ";\n";
  }
  return out + "}\n";
}

std::string SchemaDiagramMermaid(const SchemaDiagram& diagram,
                                 const DiagramPictureOptions& options) {
  const bool qualified = SeveralSchemas(diagram);
  auto entity = [&](const std::string& schema, const std::string& name) {
    return MermaidWord(qualified ? schema + "_" + name : name);
  };
  std::string out;
  if (!options.title.empty()) {
    out += "---\ntitle: " + YamlQuoted(options.title) + "\n---\n";
  }
  out += "erDiagram\n";
  for (const DiagramTable& t : diagram.tables) {
    out += "  " + entity(t.schema, t.name) + " {\n";
    for (const DiagramColumn& c : t.columns) {
      if (!Shown(c, options)) continue;
      out += "    " + MermaidType(c.type) + " " + MermaidWord(c.name);
      std::string keys = Keys(c);
      if (!keys.empty()) out += " " + keys;
      out += "\n";
    }
    out += "  }\n";
  }
  for (const DiagramForeignKey& fk : diagram.foreign_keys) {
    out += "  " + entity(fk.schema, fk.table) + " }o--|| " +
           entity(fk.referenced_schema, fk.referenced_table) + " : \"" +
           Join(fk.columns, ", ") + "\"\n";
  }
  return out;
}

}  // namespace retort

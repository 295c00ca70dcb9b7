import json, sys
sys.path.insert(0, __import__("os").path.dirname(__file__))
from fixtures import FIXTURES
out=json.load(open(sys.argv[1])); unst=json.load(open(sys.argv[2]))
def lit(s): return 'R"x(' + s + ')x"'
def flat(kind, args, res):
    if kind == "node":
        return args, "", "", ";".join("%s=%s" % (k, res[k]) for k in ["labels","children","dependents","norm_down","flags"])
    if kind in ("heads","real_heads","bases","real_bases"): return "", "", "", res
    if kind in ("revs","rev"): return args, "", "", res
    if kind == "iter":
        up, low, o = args
        flags = "".join(c for c,k in [("i","inclusive"),("b","implicit_base"),("d","select_for_downgrade")] if o.get(k)) + ("" if o.get("assert_relative_length", True) else "r")
        return up, low, flags, res
    dest, heads = args
    if kind == "stamp": dest = ",".join(dest)
    return dest, ",".join(heads), "", "|".join("" if x is None else x for x in res)
lines = []
lines.append("// Generated from Alembic 1.19.2 (sqlalchemy/alembic 20e58db) by running the")
lines.append("// same queries on alembic.script.revision.RevisionMap, ScriptDirectory._*_revs")
lines.append("// and HeadMaintainer (with a recording fake context), under ten values of")
lines.append("// PYTHONHASHSEED; answers that depend on Python's set order were dropped.")
lines.append("// Checked against Alembic: every expected value below is Alembic's output.")
lines.append('#include "revision/revision_conformance_data.h"')
lines.append("")
lines.append("namespace retort {")
lines.append("namespace conformance {")
lines.append("")
lines.append("const std::vector<Fixture>& Fixtures() {")
lines.append("  static const std::vector<Fixture>* fixtures = new std::vector<Fixture>{")
total = 0
for name, revs in FIXTURES:
    lines.append("    {%s," % lit(name))
    lines.append("     {")
    for i,d,deps,l in revs:
        q = lambda xs: "{" + ", ".join('"%s"' % x for x in xs) + "}"
        lines.append('      {"%s", %s, %s, %s},' % (i, q(d), q(deps), q(l)))
    lines.append("     },")
    lines.append("     {")
    cases = out[name]
    limit = {"up":12,"down":12,"stamp":12,"iter":14,"revs":18,"rev":18} if not name.startswith("Random") else {"up":6,"down":6,"stamp":6,"iter":6,"revs":8,"rev":8}
    count = {}
    seen = set()
    # errors first (up to a third), then the rest, in generation order
    order = sorted(range(len(cases)), key=lambda i: 0 if ("ERR" in json.dumps(cases[i][2]) and i % 3 == 0) else 1)
    chosen = []
    for i in order:
        kind, args, res = cases[i]
        if str(i) in unst[name] or "CRASH" in json.dumps(res): continue
        key = (kind, json.dumps(res)) if kind not in ("node",) else (kind, json.dumps(args))
        if key in seen: continue
        if kind in limit and count.get(kind,0) >= limit[kind]: continue
        seen.add(key); count[kind] = count.get(kind,0)+1
        chosen.append(i)
    for i in sorted(chosen):
        kind, args, res = cases[i]
        a,b,o,w = flat(kind, args, res)
        lines.append("      {%s, %s, %s, %s, %s}," % (lit(kind), lit(a), lit(b), lit(o), lit(w)))
        total += 1
    lines.append("     }},")
lines.append("  };")
lines.append("  return *fixtures;")
lines.append("}")
lines.append("")
lines.append("}  // namespace conformance")
lines.append("}  // namespace retort")
open("/work/main/src/revision/revision_conformance_data_test.cc","w").write("\n".join(lines) + "\n")
print(total)

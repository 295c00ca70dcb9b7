# Runs the conformance queries through Alembic; prints JSON {fixture: [[kind, args, result], ...]}.
import json, sys, types, itertools
sys.path.insert(0, __import__("os").path.dirname(__file__))
from fixtures import FIXTURES
from alembic.script.revision import RevisionMap, Revision, RevisionError
from alembic.script.base import ScriptDirectory
from alembic.runtime.migration import HeadMaintainer, RevisionStep, StampStep
from alembic import util

class R(Revision):
    module = types.SimpleNamespace(upgrade=lambda **kw: None, downgrade=lambda **kw: None)
    doc = ""

class FakeHM(HeadMaintainer):
    def __init__(self, heads):
        self.heads = set(heads); self.ops = []
    def _insert_version(self, v):
        assert v not in self.heads
        self.heads.add(v); self.ops.append("insert " + v)
    def _delete_version(self, v):
        self.heads.remove(v); self.ops.append("delete " + v)
    def _update_version(self, f, t):
        assert t not in self.heads
        self.heads.remove(f); self.heads.add(t); self.ops.append("update %s -> %s" % (f, t))

def build(revs):
    objs = [R(i, d or None, dependencies=(deps or None), branch_labels=(l or None)) for i, d, deps, l in revs]
    m = RevisionMap(lambda: objs)
    m._revision_map
    sd = ScriptDirectory.__new__(ScriptDirectory)
    sd.revision_map = m
    return m, sd

def err(e):
    if isinstance(e, (RevisionError, util.CommandError)):
        return "ERR:" + str(e.args[0])
    return "CRASH:" + type(e).__name__

def name(x):
    if x is None: return "None"
    if isinstance(x, str): return x
    return x.revision

def q_revs(m, q):
    try:
        res = m.get_revisions(q)
        if any(r is None for r in res): return "ERR:Walked too far"
        return ",".join(name(r) for r in res)
    except Exception as e:
        return err(e)

def q_rev(m, q):
    try:
        return name(m.get_revision(q))
    except Exception as e:
        return err(e)

def q_iter(m, upper, lower, opts):
    try:
        return ",".join(r.revision for r in m.iterate_revisions(upper, lower, **opts))
    except Exception as e:
        return err(e)

def step_str(s):
    if isinstance(s, RevisionStep):
        return ("+" if s.is_upgrade else "-") + s.revision.revision
    return "stamp[%s->%s%s%s]" % (",".join(s.from_), ",".join(s.to_), " up" if s.is_upgrade else " down", " branch" if s.branch_move else "")

def q_plan(sd, kind, dest, heads):
    try:
        if kind == "up": steps = sd._upgrade_revs(dest, tuple(heads))
        elif kind == "down": steps = sd._downgrade_revs(dest, tuple(heads))
        else: steps = sd._stamp_revs(tuple(dest), tuple(heads))
    except Exception as e:
        return [err(e), None, None]
    hm = FakeHM(heads)
    try:
        for s in steps: hm.update_to_step(s)
        ops = ";".join(hm.ops); final = ",".join(sorted(hm.heads))
    except Exception as e:
        ops = err(e); final = None
    return [" ".join(step_str(s) for s in steps), ops, final]

def queries(revs, m):
    ids = [r[0] for r in revs]
    labels = [l for r in revs for l in r[3]]
    idq = list(ids) + [i[:4] for i in ids if len(i) > 4] + [i[:2] for i in ids[:3]] + ["zzzz", "zz", ""]
    sym = ["head", "heads", "base", "+1", "+2", "-1", "-2", "head-1", "heads-1", "base+1", "base+2", "base+9",
           "head+1", "-9", "+9", "1", "-0"]
    for l in labels:
        sym += [l, l + "@head", l + "@heads", l + "@base", l + "@+1", l + "@-1", l + "@-2", l + "@head-1", l + "@base+1", "nolabel@head"]
    for i in ids[:6]:
        sym += [i + "+1", i + "-1", i + "+2", i[:4] + "+1", i + "@head", i + "@" + i]
        for l in labels[:2]:
            sym += [l + "@" + i]
    return idq + sym

def run_fixture(name_, revs):
    out = []
    try:
        m, sd = build(revs)
    except Exception as e:
        return [["build", None, err(e)]]
    # structure
    for i, d, deps, l in revs:
        r = m.get_revision(i)
        out.append(["node", i, {
            "labels": ",".join(sorted(r.branch_labels)),
            "children": ",".join(sorted(r.nextrev, key=[x[0] for x in revs].index)),
            "dependents": ",".join(sorted(r._all_nextrev, key=[x[0] for x in revs].index)),
            "norm_down": ",".join(sorted(r._normalized_down_revisions, key=[x[0] for x in revs].index)),
            "flags": "".join(c for c, f in [("H", r.is_head), ("h", r._is_real_head), ("B", r.is_base), ("b", r._is_real_base),
                                            ("P", r.is_branch_point), ("p", r._is_real_branch_point), ("M", r.is_merge_point)] if f)}])
    out.append(["heads", None, ",".join(m.heads)])
    out.append(["real_heads", None, ",".join(m._real_heads)])
    out.append(["bases", None, ",".join(m.bases)])
    out.append(["real_bases", None, ",".join(m._real_bases)])
    qs = queries(revs, m)
    for q in qs:
        out.append(["revs", q, q_revs(m, q)])
        out.append(["rev", q, q_rev(m, q)])
    ids = [r[0] for r in revs]
    labels = [l for r in revs for l in r[3]]
    ends = ["heads", "head", "base"] + ids[:8] + [l + "@head" for l in labels] + [l + "@base" for l in labels]
    for up in ends:
        for low in ["base"] + ids[:6] + [l + "@base" for l in labels[:2]]:
            for opts in [dict(inclusive=True, assert_relative_length=False), dict(implicit_base=True), dict(select_for_downgrade=True), dict(select_for_downgrade=True, inclusive=True)]:
                out.append(["iter", [up, low, opts], q_iter(m, up, low, opts)])
    # plans from plausible version-table states
    states = [[]] + [[i] for i in ids] + [list(m.heads), list(m._real_heads)]
    for a, b in itertools.combinations(list(m.heads)[:4], 2):
        states.append([a, b])
    dests = ["heads", "head", "base", "+1", "+2", "-1", "-2"] + ids + [l + x for l in labels for x in ("@head", "@base", "@+1", "@-1", "@heads")] + [i + "+1" for i in ids[:3]] + [i + "-1" for i in ids[:3]]
    for st in states:
        for d in dests:
            out.append(["up", [d, st], q_plan(sd, "up", d, st)])
            out.append(["down", [d, st], q_plan(sd, "down", d, st)])
        for d in [["base"], ["heads"], ["head"]] + [[i] for i in ids] + [[l + "@head"] for l in labels] + [[l + "@base"] for l in labels] + [list(m.heads)[:2]]:
            out.append(["stamp", [d, st], q_plan(sd, "stamp", d, st)])
    return out

import warnings
warnings.simplefilter("ignore")
result = {n: run_fixture(n, revs) for n, revs in FIXTURES}
json.dump(result, sys.stdout)

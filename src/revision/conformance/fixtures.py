# Graph shapes for the conformance run: (name, [(id, down, deps, labels)]).
import random

def R(id_, down=(), deps=(), labels=()):
    if isinstance(down, str): down = (down,)
    if isinstance(deps, str): deps = (deps,)
    if isinstance(labels, str): labels = (labels,)
    return (id_, tuple(down), tuple(deps), tuple(labels))

FIXTURES = [
  ("Empty", []),
  ("Linear", [R("e6239818bb3a"), R("548bbb905360", "e6239818bb3a"), R("b7ea43dc85e4", "548bbb905360"),
              R("1bbe33445780", "b7ea43dc85e4"), R("3975fb1a0125", "1bbe33445780")]),
  ("Diamond", [R("a"), R("b1", "a"), R("b2", "a"), R("c", ("b1", "b2")), R("d", "c")]),
  ("LabeledBranch", [R("abc"), R("bcd", "abc"), R("cde", "bcd", labels="ebranch"), R("someothername", "bcd", labels="somelongername"),
                     R("def", "cde"), R("efg", "def"), R("fgh", "efg"), R("xyz", "cde"), R("lmn", ("def", "xyz"))]),
  ("LongShortBranch", [R("a1"), R("a2", "a1"), R("a3", "a2"), R("a4", "a3"), R("b1", "a1"), R("b2", "b1")]),
  ("MultipleBranch", [R("a"), R("b1", "a"), R("b2", "a"), R("cb1", "b1"), R("cb2", "b2"), R("d1cb1", "cb1"),
                      R("d2cb1", "cb1"), R("d1cb2", "cb2"), R("d2cb2", "cb2"), R("d3cb2", "cb2"),
                      R("d1d2cb2", ("d1cb2", "d2cb2"))]),
  ("MultipleBranchEffectiveHead", [R("y1"), R("x1"), R("z1", "x1"), R("y2", "y1", deps="x1"), R("y3", "y2", deps="z1")]),
  ("BranchTravelling", [R("a1"), R("a2", "a1"), R("b1", "a2"), R("c1", "b1"), R("d1", "c1"), R("e1", "d1"),
                        R("b2", "a2"), R("c2", "b2"), R("d2", "c2"), R("e2", "d2"), R("f2", "e2"),
                        R("g2", "f2"), R("h2", "g2"), R("c3", "b1"), R("d3", "c3"), R("e3", "d3"), R("f3", "e3"),
                        R("g3", "f3"), R("h3", "g3"), R("i2", ("h2", "d1")), R("j2", "i2"), R("k2", "j2")]),
  ("MultipleBase", [R("base1"), R("base2"), R("base3"), R("a1a", "base1"), R("a1b", "base1"), R("a2", ("base2", "a1a")),
                    R("b1a", "a1a"), R("b1b", "a1b"), R("b2", "a2"), R("b3", "base3"), R("c1", "b1a"), R("c2", "b2"),
                    R("d1", "c1")]),
  ("CrossDependencyOne", [R("base1", labels="b_1"), R("a1", "base1"), R("b1", "a1"), R("c1", "b1"),
                          R("base2", deps="b_1", labels="b_2"), R("a2", "base2"), R("b2", "a2"), R("c2", "b2"),
                          R("d2", "c2"), R("base3", labels="b_3"), R("a3", "base3", deps="a1"), R("b3", "a3")]),
  ("CrossDependencyTwo", [R("base1", labels="b_1"), R("a1", "base1"), R("b1", "a1"),
                          R("base2", deps="b_1", labels="b_2"), R("a2", "base2"), R("b2", "a2"),
                          R("base3", labels="b_3"), R("a3", "base3", deps="a2"), R("b3", "a3")]),
  ("CrossDependencyThree", [R("base1"), R("a1", "base1"), R("b1", "a1"), R("c2", deps="a1"), R("c3", "c2")]),
  ("NormalizedDownRev", [R("a1"), R("a2", "a1"), R("a3", "a2"), R("b1"), R("b2", "b1", deps="a3"),
                         R("b3", "b2"), R("b4", "b3", deps="a3"), R("b5", "b4", deps="b4")]),
  ("BranchedPath", [R("a1a2"), R("b1b2", "a1a2"), R("c1c1", "b1b2", labels="c1branch"), R("d1d1", "c1c1"),
                    R("c2c2", "b1b2", labels="c2branch"), R("d2d2", "c2c2")]),
  ("BranchFromMergepoint", [R("a1aa"), R("b1bb", "a1aa"), R("c1cc", "b1bb"), R("a2aa"), R("b2bb", "a2aa"),
                            R("c2cc", "b2bb"), R("d1dd", ("c1cc", "c2cc")), R("d2dd", ("c1cc", "c2cc")),
                            R("e1ee", "d1dd"), R("e2ee", "d2dd")]),
  ("TwinMerge", [R("aaaa"), R("bbbb", "aaaa"), R("cccc", "aaaa"), R("dddd", "aaaa"),
                 R("ebbb", ("bbbb", "cccc")), R("fbbb", ("bbbb", "dddd")), R("gggg", ("ebbb", "fbbb"))]),
  ("NotQuiteTwinMerge", [R("aaaa"), R("bbbb", "aaaa"), R("cccc", "aaaa"), R("dddd", ("bbbb", "cccc")),
                         R("eeee", "cccc")]),
  ("DependsOnBranchOne", [R("a1aa", labels="lib1"), R("b1bb", "a1aa"), R("c1cc", "b1bb"),
                          R("a2aa", labels="lib2", deps="lib1"), R("b2bb", "a2aa"), R("c2cc", "b2bb"),
                          R("a3aa", labels="lib3", deps="lib1"), R("b3bb", "a3aa")]),
  ("DependsOnBranchTwo", [R("a1a1"), R("a2a2", "a1a1"), R("a3a3", "a2a2"), R("b1b1"), R("b2b2", "b1b1"),
                          R("b3b3", "b2b2"), R("c1c1"), R("c2c2", "c1c1"), R("c3c3", "c2c2"),
                          R("d1d1", ("a3a3", "b3b3")), R("d2d2", "d1d1", deps="c3c3"), R("e1e1", "d2d2")]),
  ("DependsOnCrissCross", [R("a1aa"), R("b1bb", "a1aa"), R("c1cc", "b1bb", labels="c1"), R("a2aa"),
                           R("b2bb", "a2aa", labels="c2"), R("c2cc", "b2bb", deps="c1"), R("c3cc", "c1cc", deps="c2")]),
  ("DependsOnOwnDownrev", [R("a1aa"), R("a2aa", "a1aa", deps="a1aa")]),
  ("DependsOnBranchLabel", [R("a1aa", labels="lib1"), R("b1bb", "a1aa"), R("c1cc", "b1bb"),
                            R("a2aa", deps="lib1"), R("b2bb", "a2aa"), R("c2cc", "b2bb", deps="lib1")]),
  ("Forest", [R("a1aa", labels="b1"), R("b1bb", "a1aa"), R("a2aa", labels="b2"), R("b2bb", "a2aa")]),
  ("MergedPath", [R("a1a1"), R("b1b1", "a1a1"), R("c1c1", "b1b1", labels="c1branch"), R("c2c2", "b1b1", labels="c2branch"),
                  R("d1d1", ("c1c1", "c2c2")), R("e1e1", "d1d1")]),
  ("CrossDependencies", [R("a1a1"), R("b1b1", "a1a1"), R("c1c1", "b1b1", labels="c1branch"), R("d1d1", "c1c1"),
                         R("c2c2", "b1b1", labels="c2branch"), R("d2d2", "c2c2", deps="d1d1")]),
]

def random_fixture(seed, n=12):
    rnd = random.Random(seed)
    revs = []
    ids = []
    labels_used = 0
    for i in range(n):
        rid = "%s%02d%s" % ("abcdef"[rnd.randrange(6)], i, "xyz"[rnd.randrange(3)])
        down = ()
        if ids and rnd.random() < 0.85:
            k = 1 if rnd.random() < 0.8 else 2
            down = tuple(sorted(set(rnd.sample(ids, min(k, len(ids)))), key=ids.index))
        deps = ()
        if len(ids) > 2 and rnd.random() < 0.2:
            cand = [x for x in ids if x not in down]
            if cand:
                deps = (rnd.choice(cand),)
        labels = ()
        if rnd.random() < 0.15:
            labels = ("lbl%d" % labels_used,)
            labels_used += 1
        revs.append(R(rid, down, deps, labels))
        ids.append(rid)
    return ("Random%d" % seed, revs)

for s in range(1, 13):
    FIXTURES.append(random_fixture(s))

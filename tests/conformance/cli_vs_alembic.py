#!/usr/bin/env python3
"""Runs retort and Alembic (Debian's python3-alembic) on the same revision
graphs and checks that `heads`, `history`, `branches` and `show` print the
same text. Exit 0 when every comparison matches; prints a diff otherwise.

usage: cli_vs_alembic.py RETORT_BINARY
"""
import difflib
import os
import re
import subprocess
import sys
import tempfile

RETORT = os.path.abspath(sys.argv[1])
PYTHON = "/usr/bin/python3"  # Debian's, where python3-alembic lives

# Each graph: list of (id, parents, labels, depends_on, message).
GRAPHS = {
    "linear": [
        ("a1a1a1a1a1a1", [], [], [], "create users"),
        ("b2b2b2b2b2b2", ["a1a1a1a1a1a1"], [], [], "add email"),
        ("c3c3c3c3c3c3", ["b2b2b2b2b2b2"], [], [], "add orders"),
    ],
    "branch_and_merge": [
        ("a1a1a1a1a1a1", [], [], [], "base"),
        ("b2b2b2b2b2b2", ["a1a1a1a1a1a1"], [], [], "left"),
        ("c3c3c3c3c3c3", ["a1a1a1a1a1a1"], [], [], "right"),
        ("d4d4d4d4d4d4", ["b2b2b2b2b2b2", "c3c3c3c3c3c3"], [], [], "merge"),
        ("e5e5e5e5e5e5", ["d4d4d4d4d4d4"], [], [], "after merge"),
    ],
    "labelled_bases": [
        ("a1a1a1a1a1a1", [], ["auth"], [], "init auth schema"),
        ("b2b2b2b2b2b2", ["a1a1a1a1a1a1"], [], [], "auth users"),
        ("c3c3c3c3c3c3", [], ["inventory"], [], "init inventory schema"),
        ("d4d4d4d4d4d4", ["c3c3c3c3c3c3"], [], ["b2b2b2b2b2b2"], "items need users"),
        ("e5e5e5e5e5e5", ["d4d4d4d4d4d4"], [], [], "more items"),
    ],
    "dependency_effective_head": [
        ("a1a1a1a1a1a1", [], ["one"], [], "one base"),
        ("b2b2b2b2b2b2", [], ["two"], ["a1a1a1a1a1a1"], "two base depends on one"),
        ("c3c3c3c3c3c3", ["b2b2b2b2b2b2"], [], [], "two next"),
    ],
    "two_heads": [
        ("a1a1a1a1a1a1", [], [], [], "base"),
        ("b2b2b2b2b2b2", ["a1a1a1a1a1a1"], [], [], "head one"),
        ("c3c3c3c3c3c3", ["a1a1a1a1a1a1"], [], [], "head two"),
    ],
}

COMMANDS = [
    ["heads"],
    ["heads", "-v"],
    ["heads", "--resolve-dependencies"],
    ["history"],
    ["history", "-v"],
    ["history", "-r", "base:head"],
    ["history", "-r", "a1a1:"],
    ["history", "-r", ":b2b2b2b2b2b2"],
    ["history", "--rev-range=-1:"],
    ["branches"],
    ["branches", "-v"],
    ["show", "head"],
    ["show", "a1a1"],
    ["show", "heads"],
    ["show", "base"],
    ["show", "zzzz"],
    ["show", "auth@head"],
    ["show", "b2b2b2b2b2b2-1"],
    ["show", "a1a1a1a1a1a1+1"],
]


def write_retort(d, graph):
    os.makedirs(os.path.join(d, "migrations", "versions"))
    open(os.path.join(d, "retort.toml"), "w").write('script_location = "migrations"\n')
    for rid, parents, labels, deps, msg in graph:
        open(os.path.join(d, "migrations", "versions", rid + ".sql"), "w").write(
            f"-- {msg}\n--\n-- Revision ID: {rid}\n-- Revises: {', '.join(parents)}\n"
            f"-- Branch Labels: {', '.join(labels)}\n-- Depends On: {', '.join(deps)}\n"
            f"-- Create Date: 2026-11-21 10:00:00.000000\n\n-- migrate:upgrade\n\n"
            f"-- migrate:downgrade\n")


def py_tuple(items):
    if not items:
        return "None"
    if len(items) == 1:
        return repr(items[0])
    return repr(tuple(items))


def write_alembic(d, graph):
    os.makedirs(os.path.join(d, "migrations", "versions"))
    open(os.path.join(d, "alembic.ini"), "w").write(
        "[alembic]\nscript_location = migrations\n")
    for rid, parents, labels, deps, msg in graph:
        open(os.path.join(d, "migrations", "versions", rid + ".py"), "w").write(
            f'"""{msg}"""\nrevision = {rid!r}\ndown_revision = {py_tuple(parents)}\n'
            f"branch_labels = {py_tuple(labels)}\ndepends_on = {py_tuple(deps)}\n"
            "def upgrade():\n    pass\ndef downgrade():\n    pass\n")


CACHE = tempfile.mkdtemp(prefix="retort-conformance-cache-")
ENV = dict(os.environ, RETORT_CACHE_DIR=CACHE)


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=ENV)
    return p.returncode, p.stdout, p.stderr


UNORDERED = {"branch_and_merge", "two_heads", "labelled_bases",
             "dependency_effective_head"}


def normalize(text):
    # The files differ only in extension; Alembic prints its own paths.
    # Both print absolute paths; the temporary folders differ.
    out = []
    for line in text.splitlines(True):
        if line.startswith("Path: "):
            line = "Path: " + os.path.basename(line[6:].strip()).replace(".py", ".sql") + "\n"
        elif line.startswith("Branches into: "):
            line = "Branches into: " + ", ".join(sorted(line[15:].strip().split(", "))) + "\n"
        out.append(line)
    return "".join(out)


def main():
    failures = 0
    checks = 0
    for name, graph in GRAPHS.items():
        with tempfile.TemporaryDirectory() as rd, tempfile.TemporaryDirectory() as ad:
            write_retort(rd, graph)
            write_alembic(ad, graph)
            for cmd in COMMANDS:
                a_rc, a_out, a_err = run([PYTHON, "-m", "alembic"] + cmd, ad)
                r_rc, r_out, r_err = run([RETORT] + cmd, rd)
                checks += 1
                a_ok, r_ok = a_rc == 0, r_rc == 0
                if a_ok != r_ok:
                    failures += 1
                    print(f"FAIL {name} {' '.join(cmd)}: alembic rc={a_rc} "
                          f"retort rc={r_rc}\n  alembic: {a_err.strip()}\n"
                          f"  retort: {r_err.strip()}")
                    continue
                if not a_ok:
                    # Both failed: compare the message (Alembic: "FAILED: x").
                    a_lines = (a_err.strip() or a_out.strip()).splitlines()
                    a_msg = a_lines[-1].replace("FAILED: ", "") if a_lines else ""
                    r_msg = r_err.strip().replace("error: ", "")
                    # retort adds a suggestion after Alembic's own text
                    # ("...; did you mean 'a1a1a1a1a1a1'?"): the text before
                    # it must still be Alembic's.
                    r_msg = re.sub(r"; did you mean '[^']*'\?$", "", r_msg)
                    # Alembic 1.8.1 crashes with a bare AssertionError on some
                    # ranges; retort refuses them with a message instead.
                    if a_msg != r_msg and a_msg != "AssertionError":
                        failures += 1
                        print(f"FAIL {name} {' '.join(cmd)}: error text differs\n"
                              f"  alembic: {a_msg}\n  retort:  {r_msg}")
                    continue
                a_norm, r_norm = normalize(a_out), normalize(r_out)
                if name in UNORDERED:
                    # Alembic 1.8.1 reads a folder in os.listdir() order and
                    # keeps children in a frozenset, so where a graph has
                    # siblings their order is not defined: compare the lines
                    # as multisets (retort's own order is by file name).
                    a_norm = "\n".join(sorted(a_norm.splitlines()))
                    r_norm = "\n".join(sorted(r_norm.splitlines()))
                if a_norm != r_norm:
                    failures += 1
                    print(f"FAIL {name} {' '.join(cmd)}:")
                    sys.stdout.writelines(difflib.unified_diff(
                        a_norm.splitlines(True), r_norm.splitlines(True),
                        "alembic", "retort"))
    print(f"{checks - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        rc = main()
    finally:
        import shutil
        shutil.rmtree(CACHE, ignore_errors=True)
    sys.exit(rc)

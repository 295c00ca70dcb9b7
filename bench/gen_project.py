#!/usr/bin/env python3
"""Generate a retort project with N revisions, for benchmarks.

usage: gen_project.py DIR --revisions N [--shape linear|branchy] [--url URL]

linear:  revision i creates table t_<i>, as tests/tools/gen_alembic.py's
         revisions do, with the same ids (so both tools see the same graph).
         gen_alembic.py --shape branchy writes the branchy graph below
         (same ids, same parents) for Alembic.
branchy: every 50 revisions a branch point forks two chains that merge 10
         revisions later. (The walk has a case for a labelled side branch
         every 200 revisions, but i % 50 == 0 is tested first, so it is
         never reached: the graph has one base.)
"""
import argparse
import os

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("--revisions", type=int, default=1000)
ap.add_argument("--shape", choices=["linear", "branchy"], default="linear")
ap.add_argument("--url", default="sqlite:///bench.db")
a = ap.parse_args()

versions = os.path.join(a.dir, "migrations", "versions")
os.makedirs(versions, exist_ok=True)
with open(os.path.join(a.dir, "retort.toml"), "w") as f:
    f.write(f'url = "{a.url}"\nscript_location = "migrations"\n')


def write(i, rev, parents, labels=""):
    body = (f"CREATE TABLE t_{i} (id integer PRIMARY KEY, name text NOT NULL, "
            f"created_at timestamptz DEFAULT now());")
    with open(os.path.join(versions, f"{rev}_rev_{i}.sql"), "w") as f:
        f.write(f"-- rev {i}\n--\n-- Revision ID: {rev}\n"
                f"-- Revises: {', '.join(parents)}\n"
                f"-- Branch Labels: {labels}\n-- Depends On:\n"
                f"-- Create Date: 2026-11-21 10:00:00.000000\n\n"
                f"-- migrate:upgrade\n{body}\n\n"
                f"-- migrate:downgrade\nDROP TABLE t_{i};\n")


if a.shape == "linear":
    prev = []
    for i in range(a.revisions):
        rev = f"{i + 1:012x}"
        write(i, rev, prev)
        prev = [rev]
else:
    heads = []  # open chains
    i = 0
    while i < a.revisions:
        rev = f"{i + 1:012x}"
        if not heads:
            write(i, rev, [])
            heads = [rev]
        elif i % 50 == 0 and len(heads) == 1:
            # branch point: two children of the same parent
            write(i, rev, [heads[0]])
            i += 1
            if i >= a.revisions:
                break
            rev2 = f"{i + 1:012x}"
            write(i, rev2, [heads[0]])
            heads = [rev, rev2]
        elif i % 50 == 10 and len(heads) == 2:
            write(i, rev, heads)  # merge point
            heads = [rev]
        elif i % 200 == 100:
            # a labelled side branch of its own (a second base)
            write(i, rev, [], labels=f"side{i}")
        else:
            # extend the first open chain (alternate between the two)
            k = i % len(heads)
            write(i, rev, [heads[k]])
            heads[k] = rev
        i += 1

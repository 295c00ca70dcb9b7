#!/usr/bin/env python3
"""Benchmark: `retort verify` and `retort verify --live` on a project of N
revisions (each: 4 tables with a primary key, a foreign key to the previous
revision's table, an index and a view), against a throwaway PostgreSQL
cluster (bench/pg_cluster.py). For scale, `upgrade head` from base into a
fresh database: --live replays the migrations, so it costs about that plus
reading two catalogs. Prints a Markdown table of medians.

usage: verify_live_bench.py RETORT_BINARY [--revisions 50] [--runs 3]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pg_cluster import Cluster  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("retort")
ap.add_argument("--revisions", type=int, default=50)
ap.add_argument("--runs", type=int, default=3)
a = ap.parse_args()
RETORT = os.path.abspath(a.retort)


def write_project(root, url, n):
    os.makedirs(os.path.join(root, "m", "versions"))
    with open(os.path.join(root, "retort.toml"), "w") as f:
        f.write(f'script_location = "m"\nurl = "{url}"\n')
    prev = ""
    for i in range(1, n + 1):
        rid = "%012x" % i
        up, down = [], []
        for j in range(4):
            t = f"t_{i}_{j}"
            ref = f" REFERENCES t_{i - 1}_{j}(id)" if i > 1 else ""
            up.append(f"CREATE TABLE {t} (id bigint PRIMARY KEY, name text NOT "
                      f"NULL, parent bigint{ref}, created_at timestamptz "
                      f"DEFAULT now());")
            up.append(f"CREATE INDEX {t}_name ON {t} (name);")
            up.append(f"CREATE VIEW v_{i}_{j} AS SELECT id, name FROM {t};")
            down.insert(0, f"DROP VIEW v_{i}_{j}; DROP TABLE {t};")
        with open(os.path.join(root, "m", "versions", rid + ".sql"), "w") as f:
            f.write(f"-- r{i}\n--\n-- Revision ID: {rid}\n-- Revises: {prev}\n"
                    f"-- Create Date: 2026-12-06 00:00:00\n\n-- migrate:upgrade\n"
                    + "\n".join(up) + "\n\n-- migrate:downgrade\n" +
                    "\n".join(down) + "\n")
        prev = rid


def timed(args, cwd, ok=(0,)):
    start = time.monotonic()
    r = subprocess.run([RETORT] + args, cwd=cwd, capture_output=True, text=True)
    took = time.monotonic() - start
    if r.returncode not in ok:
        sys.exit(f"retort {' '.join(args)} exited {r.returncode}:\n{r.stderr}")
    return took


cluster = Cluster()
try:
    with tempfile.TemporaryDirectory() as root:
        cluster.recreate("live")
        write_project(root, cluster.url("live"), a.revisions)
        timed(["-q", "upgrade", "head"], root)
        rows = []
        fresh = []
        for k in range(a.runs):
            cluster.recreate("fresh")
            fresh.append(timed(["-q", "--url", cluster.url("fresh"), "upgrade",
                                "head"], root))
        rows.append(("`upgrade head` from base (for scale)", fresh))
        rows.append(("`verify`", [timed(["-q", "verify"], root)
                                  for _ in range(a.runs)]))
        rows.append(("`verify --live`, no drift",
                     [timed(["-q", "verify", "--live"], root)
                      for _ in range(a.runs)]))
        cluster.psql("ALTER TABLE t_1_0 ADD COLUMN extra int; DROP INDEX "
                     "t_2_1_name; CREATE TABLE stray (x int)", db="live")
        rows.append(("`verify --live`, 3 differences",
                     [timed(["-q", "verify", "--live"], root, ok=(1,))
                      for _ in range(a.runs)]))
        print(f"{a.revisions} revisions, {4 * a.revisions} tables, "
              f"{4 * a.revisions} views; median of {a.runs}\n")
        print("| command | seconds |\n|---|---:|")
        for name, times in rows:
            print(f"| {name} | {statistics.median(times):.2f} |")
finally:
    cluster.stop()

#!/usr/bin/env python3
"""Benchmark for the autogenerate speed target of issue #15: `retort diff`
against a running server, model cache off (RETORT_CACHE=off), on T tables
(primary key, foreign key, index, default; the models add one column to
each) plus V views and F functions -- models the normaliser declines (views
and functions), so today they are loaded into a scratch database. Prints a
Markdown table of median wall times, and checks that the diff finds exactly
T new columns.

usage: autogen_views_bench.py RETORT_BINARY [--tables 2000] [--views 200]
                              [--functions 100] [--runs 3]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_schema  # noqa: E402
from pg_cluster import BINDIR, Cluster  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("retort")
ap.add_argument("--tables", type=int, default=2000)
ap.add_argument("--views", type=int, default=200)
ap.add_argument("--functions", type=int, default=100)
ap.add_argument("--runs", type=int, default=3)
a = ap.parse_args()
RETORT = os.path.abspath(a.retort)


def schema(extra, views, functions):
    out = [bench_schema.tables_sql(a.tables, extra)]
    for v in range(views):
        out.append(f"CREATE VIEW v_{v} AS SELECT id, name FROM m_{v} "
                   f"WHERE ref IS NOT NULL;\n")
    for f in range(functions):
        out.append(f"CREATE FUNCTION f_{f}(x integer) RETURNS integer "
                   f"LANGUAGE sql STABLE AS $$ SELECT count(*)::integer FROM "
                   f"m_{f} WHERE ref = x $$;\n")
    return "".join(out)


cluster = Cluster()
try:
    with tempfile.TemporaryDirectory() as root:
        cluster.recreate("target")
        db_sql = os.path.join(root, "db.sql")
        open(db_sql, "w").write(schema(False, a.views, a.functions))
        subprocess.run([f"{BINDIR}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                        "-1", "-f", db_sql, cluster.url("target")], check=True,
                       capture_output=True)
        os.makedirs(os.path.join(root, "models"))
        os.makedirs(os.path.join(root, "m", "versions"))
        open(os.path.join(root, "models", "app.sql"), "w").write(
            schema(True, a.views, a.functions))
        open(os.path.join(root, "retort.toml"), "w").write(
            f'script_location = "m"\nurl = "{cluster.url("target")}"\n'
            f'models = ["models/*.sql"]\n')
        env = dict(os.environ, RETORT_CACHE="off")
        times = []
        for _ in range(a.runs):
            start = time.monotonic()
            r = subprocess.run([RETORT, "diff"], cwd=root, env=env,
                               capture_output=True, text=True)
            times.append(time.monotonic() - start)
            found = len(re.findall(r"ADD COLUMN extra text", r.stdout))
            if r.returncode != 0 or found != a.tables:
                sys.exit(f"retort diff exited {r.returncode}, {found} new "
                         f"columns:\n{r.stderr}")
        print(f"{a.tables} tables, {a.views} views, {a.functions} functions; "
              f"RETORT_CACHE=off; median of {a.runs}\n")
        print("| command | seconds (median) | range |\n|---|---:|---|")
        print(f"| `retort diff` | {statistics.median(times):.2f} | "
              f"{min(times):.2f}-{max(times):.2f} |")
finally:
    cluster.stop()

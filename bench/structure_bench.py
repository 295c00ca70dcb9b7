#!/usr/bin/env python3
"""Benchmark for issue #15's structure.sql target: `retort diff` with a
Rails application's db/structure.sql as the models (bench/rails_schema.py:
T generated tables plus Rails' two, three views and two SQL functions,
dumped by this machine's pg_dump and given Rails' footer), against a
database that lacks one column, model cache off (RETORT_CACHE=off). Side by
side: `psql -f structure.sql` into an empty database (what loading the file
alone costs) and, with --scratch, retort with the normaliser off (every
statement loaded into a scratch database, as before). Runs are interleaved;
prints a Markdown table of median wall times and checks that every diff
finds exactly the one new column.

usage: structure_bench.py RETORT_BINARY [--tables 110] [--runs 7]
                          [--scratch] [--pg-dir DIR]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rails_schema  # noqa: E402
from pg_cluster import BINDIR, Cluster, add_pg_dir_argument  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("retort")
ap.add_argument("--tables", type=int, default=110)
ap.add_argument("--runs", type=int, default=7)
ap.add_argument("--scratch", action="store_true",
                help="also measure retort with the normaliser off")
add_pg_dir_argument(ap)
a = ap.parse_args()
RETORT = os.path.abspath(a.retort)


def psql(url, *args):
    subprocess.run([f"{BINDIR}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *args,
                    url], check=True, capture_output=True)


cluster = Cluster(pg_dir=a.pg_dir)
try:
    with tempfile.TemporaryDirectory() as root:
        cluster.recreate("source")
        cluster.recreate("target")
        psql(cluster.url("source"), "-1", "-c", rails_schema.sql(a.tables, True))
        psql(cluster.url("target"), "-1", "-c", rails_schema.sql(a.tables, False))
        os.makedirs(os.path.join(root, "db"))
        os.makedirs(os.path.join(root, "m", "versions"))
        structure = os.path.join(root, "db", "structure.sql")
        open(structure, "w").write(rails_schema.structure(BINDIR, cluster.url("source")))
        open(os.path.join(root, "retort.toml"), "w").write(
            f'script_location = "m"\nurl = "{cluster.url("target")}"\n'
            f'models = ["db/structure.sql"]\n')
        lines = sum(1 for _ in open(structure))

        def retort(env):
            def run():
                r = subprocess.run([RETORT, "diff"], cwd=root, env=env,
                                   capture_output=True, text=True)
                found = r.stdout.count("ADD COLUMN note text")
                if r.returncode != 0 or found != 1:
                    sys.exit(f"retort diff exited {r.returncode} with {found} "
                             f"new columns:\n{r.stdout}{r.stderr}")
            return run

        def load():
            cluster.recreate("loaded")
            start = time.monotonic()
            psql(cluster.url("loaded"), "-f", structure)
            return time.monotonic() - start

        cases = [("`retort diff`", retort(dict(os.environ, RETORT_CACHE="off")))]
        if a.scratch:
            cases.append(("`retort diff`, normaliser off (everything loaded)",
                          retort(dict(os.environ, RETORT_CACHE="off",
                                      RETORT_MODEL_NORMALIZER="off"))))
        times = {name: [] for name, _ in cases}
        times["`psql -f structure.sql` into an empty database"] = []
        for _ in range(a.runs):
            for name, run in cases:
                start = time.monotonic()
                run()
                times[name].append(time.monotonic() - start)
            times["`psql -f structure.sql` into an empty database"].append(load())

        print(f"structure.sql of {a.tables + 2} tables, {lines} lines; "
              f"RETORT_CACHE=off; median of {a.runs}\n")
        print("| command | seconds (median) | range |\n|---|---:|---|")
        for name, t in times.items():
            print(f"| {name} | {statistics.median(t):.3f} | "
                  f"{min(t):.3f}-{max(t):.3f} |")
finally:
    cluster.stop()

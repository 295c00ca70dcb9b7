#!/usr/bin/env python3
"""Benchmark for the autogenerate speed target of issue #15: `retort diff`
against a running server, model cache off (RETORT_CACHE=off), on T tables
(primary key, foreign key, index, default; the models add one column to
each) plus V views and F SQL functions, side by side with Alembic's
autogenerate on the same database (Debian's python3-alembic, models from
tests/tools/gen_alembic.py: the T tables, since Alembic compares no views or
functions). The plain tables are normalised without a database; the views
and functions are loaded into a scratch database with the tables they read
(model_residual.h). With --scratch, also retort with the normaliser off
(RETORT_MODEL_NORMALIZER=off: every statement loaded, as before). Runs are
interleaved round by round; prints a Markdown table of median wall times,
and checks that every run finds exactly T new columns.

usage: autogen_views_bench.py RETORT_BINARY [--tables 2000] [--views 200]
                              [--functions 100] [--runs 5]
                              [--alembic-runs 2] [--scratch] [--pg-dir DIR]
"""
import argparse
import glob
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_schema  # noqa: E402
from pg_cluster import BINDIR, Cluster, add_pg_dir_argument  # noqa: E402

GEN_ALEMBIC = os.environ.get("RETORT_GEN_ALEMBIC") or os.path.join(
    HERE, "..", "tests", "tools", "gen_alembic.py")
ALEMBIC_PYTHON = "/usr/bin/python3"  # Debian's, where python3-alembic lives

ap = argparse.ArgumentParser()
ap.add_argument("retort")
ap.add_argument("--tables", type=int, default=2000)
ap.add_argument("--views", type=int, default=200)
ap.add_argument("--functions", type=int, default=100)
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--alembic-runs", type=int, default=2)
ap.add_argument("--scratch", action="store_true",
                help="also measure retort with the normaliser off")
add_pg_dir_argument(ap)
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


def timed(cmd, cwd, env, check):
    start = time.monotonic()
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - start
    if r.returncode != 0:
        sys.exit(f"{cmd} exited {r.returncode}:\n{r.stdout}{r.stderr}")
    check(r)
    return seconds


cluster = Cluster(pg_dir=a.pg_dir)
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

        def check_retort(r):
            found = len(re.findall(r"ADD COLUMN extra text", r.stdout))
            if found != a.tables:
                sys.exit(f"retort diff found {found} new columns")

        cases = [("`retort diff`", dict(os.environ, RETORT_CACHE="off"))]
        if a.scratch:
            cases.append(("`retort diff`, normaliser off (everything loaded)",
                          dict(os.environ, RETORT_CACHE="off",
                               RETORT_MODEL_NORMALIZER="off")))
        times = {name: [] for name, _ in cases}
        for _ in range(a.runs):
            for name, env in cases:
                times[name].append(timed([RETORT, "diff"], root, env,
                                         check_retort))

        alembic = []
        if a.alembic_runs > 0:
            ad = os.path.join(root, "alembic")
            subprocess.run([sys.executable, GEN_ALEMBIC, ad, "--revisions", "0",
                            "--models-tables", str(a.tables),
                            "--models-extra-column",
                            "--url", cluster.url("target", "psycopg2")],
                           check=True, capture_output=True)
            versions = os.path.join(ad, "versions")

            def check_alembic(r):
                files = glob.glob(os.path.join(versions, "*.py"))
                found = len(re.findall(r"op\.add_column\(", open(files[0]).read()))
                for f in files:
                    os.remove(f)
                if len(files) != 1 or found != a.tables:
                    sys.exit(f"Alembic found {found} new columns in {files}")

            for _ in range(a.alembic_runs):
                alembic.append(timed([ALEMBIC_PYTHON, "-m", "alembic", "revision",
                                      "--autogenerate", "-m", "extra"], ad, None,
                                     check_alembic))

        retort_median = statistics.median(times["`retort diff`"])
        print(f"{a.tables} tables, {a.views} views, {a.functions} functions; "
              f"RETORT_CACHE=off; retort median of {a.runs}, Alembic of "
              f"{a.alembic_runs}\n")
        print("| command | seconds (median) | range | / retort |\n|---|---:|---|---:|")
        for name, _ in cases:
            m = statistics.median(times[name])
            print(f"| {name} | {m:.2f} | {min(times[name]):.2f}-"
                  f"{max(times[name]):.2f} | {m / retort_median:.1f}× |")
        if alembic:
            m = statistics.median(alembic)
            print(f"| Alembic 1.8.1 `revision --autogenerate` (tables only) | "
                  f"{m:.2f} | {min(alembic):.2f}-{max(alembic):.2f} | "
                  f"{m / retort_median:.1f}× |")
finally:
    cluster.stop()

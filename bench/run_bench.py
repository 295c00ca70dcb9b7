#!/usr/bin/env python3
"""Benchmark: apply N revisions (each a CREATE TABLE with a primary key, a
NOT NULL column and a default) to a local PostgreSQL, and `current` on an
N-revision project. Side by side: retort, Alembic (Debian's python3-alembic,
project from tests/tools/gen_alembic.py), and `psql -1 -f` of retort's own
offline SQL (the physical limit). Prints a Markdown table. For upgrade,
retort and psql alternate run by run (medians); the rest is hyperfine's
mean.

usage: run_bench.py RETORT_BINARY [--revisions 1000] [--runs 5]
"""
import argparse
import json
import os
import subprocess
import sys
import statistics
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pg_cluster import BINDIR, Cluster  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# The project's Alembic project generator ($RETORT_GEN_ALEMBIC overrides it).
GEN_ALEMBIC = (os.environ.get("RETORT_GEN_ALEMBIC") or
               os.path.join(HERE, "..", "tests", "tools", "gen_alembic.py"))

ap = argparse.ArgumentParser()
ap.add_argument("retort")
ap.add_argument("--revisions", type=int, default=1000)
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--alembic-runs", type=int, default=3)
a = ap.parse_args()
RETORT = os.path.abspath(a.retort)


def hyperfine(cmd, cwd, runs, prepare=None, warmup=1):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        args = ["hyperfine", "-N", "-w", str(warmup), "-r", str(runs),
                "--export-json", out.name]
        if prepare:
            args += ["--prepare", prepare]
        subprocess.run(args + [cmd], cwd=cwd, check=True, capture_output=True)
        r = json.load(open(out.name))["results"][0]
        return r["mean"] * 1000, (r["stddev"] or 0) * 1000


def main():
    n = a.revisions
    c = Cluster()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rd, ad = os.path.join(tmp, "retort"), os.path.join(tmp, "alembic")
            subprocess.run([sys.executable, os.path.join(HERE, "gen_project.py"), rd,
                            "--revisions", str(n), "--url", c.url("bench")], check=True)
            subprocess.run([sys.executable, GEN_ALEMBIC, ad, "--revisions", str(n),
                            "--url", c.url("bench", "psycopg2")], check=True,
                           capture_output=True)
            sql = subprocess.run([RETORT, "upgrade", "head", "--sql"], cwd=rd, check=True,
                                 capture_output=True, text=True).stdout
            sql_path = os.path.join(tmp, "upgrade.sql")
            open(sql_path, "w").write(sql)
            psql = f"{BINDIR}/psql -X -q -v ON_ERROR_STOP=1 -1 -f {sql_path} {c.url('bench')}"
            # --prepare gives every measured run a fresh, empty database.
            prep = (f"{BINDIR}/psql -X -q -c 'DROP DATABASE IF EXISTS bench' "
                    f"-c 'CREATE DATABASE bench' {c.url()}")
            # retort and psql alternate, each on a fresh database, so that
            # drift in the server's speed hits both alike; medians reported.
            times = {"retort": [], "psql": []}
            cmds = {"retort": f"{RETORT} upgrade head", "psql": psql}
            for _ in range(a.runs):
                for tool in ("retort", "psql"):
                    subprocess.run(prep, shell=True, check=True, capture_output=True)
                    t0 = time.perf_counter()
                    subprocess.run(cmds[tool], shell=True, cwd=rd, check=True,
                                   capture_output=True)
                    times[tool].append((time.perf_counter() - t0) * 1000)
            r_ms = (statistics.median(times["retort"]), statistics.pstdev(times["retort"]))
            p_ms = (statistics.median(times["psql"]), statistics.pstdev(times["psql"]))
            a_ms = hyperfine("/usr/bin/python3 -m alembic upgrade head", ad,
                             a.alembic_runs, prep, warmup=0)
            rows.append((f"upgrade head ({n:,} revisions)", r_ms, p_ms, a_ms))
            # `current` on the migrated database.
            subprocess.run(prep, shell=True, check=True)
            subprocess.run([RETORT, "upgrade", "head"], cwd=rd, check=True,
                           capture_output=True)
            rc = hyperfine(f"{RETORT} current", rd, 20, warmup=3)
            ac = hyperfine("/usr/bin/python3 -m alembic current", ad, a.alembic_runs)
            rows.append((f"current ({n:,} revisions)", rc, None, ac))
    finally:
        c.stop()
    print("| workload | retort | psql -1 -f (retort's offline SQL) | retort / psql "
          "| Alembic 1.8.1 | Alembic / retort |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r, p, al in rows:
        ps = f"{p[0]:.0f} ± {p[1]:.0f} ms" if p else "—"
        ratio = f"{r[0] / p[0]:.2f}×" if p else "—"
        print(f"| {name} | {r[0]:.1f} ± {r[1]:.1f} ms | {ps} | {ratio} | "
              f"{al[0]:.0f} ± {al[1]:.0f} ms | {al[0] / r[0]:.1f}× |")


if __name__ == "__main__":
    main()

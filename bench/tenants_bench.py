#!/usr/bin/env python3
"""Benchmark: the same N revisions (each a CREATE TABLE with a primary key, a
NOT NULL column and a default) applied to T tenant schemas of one database on
a local PostgreSQL started here (bench/pg_cluster.py). Side by side:

  retort     `retort upgrade head --tenants --jobs J` (tenants from a query,
             schemas created by retort);
  psql       the physical limit: retort's own offline SQL for every tenant
             (`retort upgrade head --tenants --sql`, one BEGIN..COMMIT per
             tenant, history rows included) split into J files, one
             `psql -f` process per file, all started at once;
  Alembic    the loop the seeds would write, `alembic -x schema=tenant_i
             upgrade head` per tenant (env.py from
             ../shared/peers/gen_alembic.py), measured on --alembic-tenants
             tenants and scaled to T;
  no-op      `retort upgrade head --tenants` again on the migrated database.

retort and psql alternate run by run, each on a fresh database (dropped,
created, checkpointed); medians, with every run's time printed below the
table. Prints a Markdown table and the load average.

usage: tenants_bench.py RETORT_BINARY [--tenants 1000] [--revisions 20]
           [--runs 3] [--alembic-tenants 50] [--jobs 1,2]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pg_cluster import BINDIR, Cluster  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
GEN_ALEMBIC = os.path.join(HERE, "..", "..", "shared", "peers", "gen_alembic.py")
if not os.path.exists(GEN_ALEMBIC):
    GEN_ALEMBIC = os.environ.get("RETORT_GEN_ALEMBIC",
                                 "/work/shared/peers/gen_alembic.py")

ap = argparse.ArgumentParser()
ap.add_argument("retort")
ap.add_argument("--tenants", type=int, default=1000)
ap.add_argument("--revisions", type=int, default=20)
ap.add_argument("--runs", type=int, default=3)
ap.add_argument("--alembic-tenants", type=int, default=50)
ap.add_argument("--jobs", default="1,2")
a = ap.parse_args()
RETORT = os.path.abspath(a.retort)
JOBS = [int(j) for j in a.jobs.split(",")]


def run(cmd, cwd=None, shell=False):
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, shell=shell, check=True, capture_output=True)
    return (time.perf_counter() - t0) * 1000


def tenant(i):
    return f"tenant_{i}"


def main():
    n, t = a.revisions, a.tenants
    c = Cluster()
    rows = []
    loads = [os.getloadavg()[0]]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rd = os.path.join(tmp, "retort")
            subprocess.run([sys.executable, os.path.join(HERE, "gen_project.py"), rd,
                            "--revisions", str(n), "--url", c.url("bench")], check=True)
            base = open(os.path.join(rd, "retort.toml")).read()
            # Online: the tenants come from a query, so retort creates them.
            with open(os.path.join(rd, "retort.toml"), "w") as f:
                f.write(base + "[tenants]\nschemas_query = \"SELECT 'tenant_' || g "
                        f"FROM generate_series(1, {t}) g\"\n")
            # Offline: the same tenants, listed (--sql cannot query).
            od = os.path.join(tmp, "offline")
            os.makedirs(od)
            with open(os.path.join(od, "retort.toml"), "w") as f:
                names = ", ".join(f'"{tenant(i)}"' for i in range(1, t + 1))
                f.write(base.replace('script_location = "migrations"',
                                     f'script_location = "{rd}/migrations"') +
                        f"[tenants]\nschemas = [{names}]\n")
            sql = subprocess.run([RETORT, "upgrade", "head", "--tenants", "--sql"],
                                 cwd=od, check=True, capture_output=True,
                                 text=True).stdout
            blocks = ["-- tenants: " + b for b in sql.split("-- tenants: ")[1:]]
            assert len(blocks) == t, len(blocks)
            psql_files = {}
            for j in JOBS:
                files = []
                for k in range(j):
                    path = os.path.join(tmp, f"psql_{j}_{k}.sql")
                    # Contiguous slices, as retort's workers take tenants in
                    # order.
                    lo, hi = k * t // j, (k + 1) * t // j
                    open(path, "w").write("".join(blocks[lo:hi]))
                    files.append(path)
                psql_files[j] = files

            def fresh():
                # A checkpoint after dropping the last run's 20,000 tables,
                # so their cleanup does not land in the next measurement.
                c.recreate("bench")
                c.psql("CHECKPOINT")

            def psql(j):
                procs = [subprocess.Popen(
                    [f"{BINDIR}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", f,
                     c.url("bench")], stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE) for f in psql_files[j]]
                for p in procs:
                    _, err = p.communicate()
                    if p.returncode != 0:
                        raise RuntimeError(err.decode())

            times = {}
            for _ in range(a.runs):
                for j in JOBS:
                    fresh()
                    times.setdefault(("retort", j), []).append(
                        run([RETORT, "upgrade", "head", "--tenants", "--jobs", str(j)],
                            cwd=rd))
                    fresh()
                    t0 = time.perf_counter()
                    psql(j)
                    times.setdefault(("psql", j), []).append(
                        (time.perf_counter() - t0) * 1000)
                    loads.append(os.getloadavg()[0])
            # Check the last retort run really migrated every tenant.
            fresh()
            run([RETORT, "upgrade", "head", "--tenants", "--jobs", str(JOBS[-1])], cwd=rd)
            check = subprocess.run(
                [f"{BINDIR}/psql", "-X", "-tAq", "-c",
                 "SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\\_%'",
                 c.url("bench")], check=True, capture_output=True, text=True)
            assert int(check.stdout) == n * t, check.stdout
            noop = [run([RETORT, "upgrade", "head", "--tenants", "--jobs", str(JOBS[-1])],
                        cwd=rd) for _ in range(5)]

            # Alembic: one process per tenant, as a shell loop would run it.
            ad = os.path.join(tmp, "alembic")
            subprocess.run([sys.executable, GEN_ALEMBIC, ad, "--revisions", str(n),
                            "--url", c.url("bench", "psycopg2")], check=True,
                           capture_output=True)
            fresh()
            at = a.alembic_tenants
            t0 = time.perf_counter()
            for i in range(1, at + 1):
                subprocess.run(["/usr/bin/python3", "-m", "alembic", "-x",
                                f"schema={tenant(i)}", "upgrade", "head"], cwd=ad,
                               check=True, capture_output=True)
            alembic_ms = (time.perf_counter() - t0) * 1000
            loads.append(os.getloadavg()[0])
    finally:
        c.stop()

    def med(k):
        return statistics.median(times[k])

    alembic_scaled = alembic_ms * t / at
    print(f"{t:,} tenant schemas x {n} revisions; medians of {a.runs} runs; "
          f"load average {min(loads):.1f}-{max(loads):.1f}")
    print()
    print("| run | jobs | retort | psql (same SQL, one process per job) | "
          "retort / psql | Alembic loop (scaled) | Alembic / retort |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for j in JOBS:
        r, p = med(("retort", j)), med(("psql", j))
        print(f"| upgrade head, {t:,} tenants | {j} | {r / 1000:.1f} s | "
              f"{p / 1000:.1f} s | {r / p:.2f}x | {alembic_scaled / 1000:.0f} s | "
              f"{alembic_scaled / r:.0f}x |")
    print(f"| no-op rerun, {t:,} tenants at head | {JOBS[-1]} | "
          f"{statistics.median(noop):.0f} ms | - | - | - | - |")
    print()
    print(f"Alembic: {at} tenants took {alembic_ms / 1000:.1f} s "
          f"({alembic_ms / at:.0f} ms per tenant), scaled x{t / at:g}.")
    for k, v in sorted(times.items()):
        print(f"raw {k[0]} jobs={k[1]}: " + ", ".join(f"{x / 1000:.2f}" for x in v))
    print("raw no-op ms: " + ", ".join(f"{x:.0f}" for x in noop))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmark: the same N revisions (each a CREATE TABLE with a primary key, a
NOT NULL column and a default) applied to T tenant schemas of one database on
a local PostgreSQL started here (bench/pg_cluster.py). Side by side:

  retort     `retort upgrade head --tenants --jobs J` (tenants from a query,
             schemas created by retort);
  psql       the physical limit: retort's own offline SQL for every tenant
             (`retort upgrade head --tenants --sql`, one BEGIN..COMMIT per
             tenant, history rows included) split into J files, one
             `psql -f` process per file, all started at once. The offline
             SQL moves the version row and adds a history row after every
             revision, as Alembic's does;
  psql net   the same, with the bookkeeping as online retort writes it: the
             per-revision UPDATE/INSERT lines replaced by one version-row
             INSERT and one multi-row history INSERT before each COMMIT, so
             psql sends exactly the statements retort sends;
  Alembic    the loop the seeds would write, `alembic -x schema=tenant_i
             upgrade head` per tenant (env.py from
             tests/tools/gen_alembic.py), measured on --alembic-tenants
             tenants and scaled to T;
  no-op      `retort upgrade head --tenants` again on the migrated database.

Round by round: retort, psql and psql net in turn for each job count (the
order rotates from round to round), then the Alembic loop, each on a fresh
database (dropped, created, checkpointed). Times are medians over the
rounds; ratios are taken within each round (so load from other work on the
machine falls on both sides), then the median. Every run's time and ratio
is printed below the Markdown table, with the load average.

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
# The project's Alembic project generator ($RETORT_GEN_ALEMBIC overrides it).
GEN_ALEMBIC = (os.environ.get("RETORT_GEN_ALEMBIC") or
               os.path.join(HERE, "..", "tests", "tools", "gen_alembic.py"))

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


def net_bookkeeping(block):
    """One tenant's offline SQL with the version and history rows written
    as online retort writes them: once, just before COMMIT."""
    out, history, head, schema = [], [], None, None
    for stmt in block.split("\n\n"):
        if stmt.startswith("SET search_path TO "):
            schema = stmt[len("SET search_path TO "):].split(",")[0].strip('"')
        if stmt.startswith(f"INSERT INTO {schema}.alembic_version_history "):
            history.append(stmt[stmt.index(" VALUES ") + 8:].rstrip(";"))
            continue
        if stmt.startswith(f"INSERT INTO {schema}.alembic_version "):
            head = stmt.split("VALUES ('")[1].split("'")[0]
            continue
        if stmt.startswith(f"UPDATE {schema}.alembic_version SET"):
            head = stmt.split("version_num='")[1].split("'")[0]
            continue
        if stmt == "COMMIT;\n" or stmt == "COMMIT;":
            out.append(f"INSERT INTO {schema}.alembic_version (version_num) "
                       f"VALUES ('{head}');")
            out.append(f"INSERT INTO {schema}.alembic_version_history "
                       "(revision, direction, checksum, started_at, "
                       "finished_at, duration_ms, applied_by, tool_version) "
                       "VALUES " + ", ".join(history) + ";")
        out.append(stmt)
    return "\n\n".join(out)


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
            net_blocks = [net_bookkeeping(b) for b in blocks]
            psql_files = {}
            for kind, source in (("psql", blocks), ("psql net", net_blocks)):
                for j in JOBS:
                    files = []
                    for k in range(j):
                        path = os.path.join(
                            tmp, f"{kind.replace(' ', '_')}_{j}_{k}.sql")
                        # Contiguous slices, as retort's workers take tenants
                        # in order.
                        lo, hi = k * t // j, (k + 1) * t // j
                        open(path, "w").write("".join(source[lo:hi]))
                        files.append(path)
                    psql_files[(kind, j)] = files

            def fresh():
                # A checkpoint after dropping the last run's 20,000 tables,
                # so their cleanup does not land in the next measurement.
                c.recreate("bench")
                c.psql("CHECKPOINT")

            def psql(kind, j):
                procs = [subprocess.Popen(
                    [f"{BINDIR}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", f,
                     c.url("bench")], stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE) for f in psql_files[(kind, j)]]
                for p in procs:
                    _, err = p.communicate()
                    if p.returncode != 0:
                        raise RuntimeError(err.decode())

            # Alembic: one process per tenant, as a shell loop would run it.
            ad = os.path.join(tmp, "alembic")
            subprocess.run([sys.executable, GEN_ALEMBIC, ad, "--revisions", str(n),
                            "--url", c.url("bench", "psycopg2")], check=True,
                           capture_output=True)
            at = a.alembic_tenants

            def alembic():
                for i in range(1, at + 1):
                    subprocess.run(["/usr/bin/python3", "-m", "alembic", "-x",
                                    f"schema={tenant(i)}", "upgrade", "head"],
                                   cwd=ad, check=True, capture_output=True)

            def measure(kind, j):
                fresh()
                t0 = time.perf_counter()
                if kind == "retort":
                    subprocess.run([RETORT, "upgrade", "head", "--tenants",
                                    "--jobs", str(j)], cwd=rd, check=True,
                                   capture_output=True)
                elif kind == "alembic":
                    alembic()
                else:
                    psql(kind, j)
                ms = (time.perf_counter() - t0) * 1000
                times.setdefault((kind, j), []).append(ms)
                return ms

            # Round by round, each tool in turn (the order rotates), so load
            # from other work on the machine lands on all of them; the
            # ratios are taken within each round, then the median.
            times, ratios = {}, {}
            kinds = ["retort", "psql", "psql net"]
            for round_ in range(a.runs):
                for j in JOBS:
                    order = kinds[round_ % 3:] + kinds[:round_ % 3]
                    got = {k: measure(k, j) for k in order}
                    for k in ("psql", "psql net"):
                        ratios.setdefault((k, j), []).append(
                            got["retort"] / got[k])
                    loads.append(os.getloadavg()[0])
                scaled = measure("alembic", 0) * t / at
                for j in JOBS:
                    ratios.setdefault(("alembic", j), []).append(
                        scaled / times[("retort", j)][-1])
                loads.append(os.getloadavg()[0])
            # Check a retort run really migrates every tenant.
            fresh()
            run([RETORT, "upgrade", "head", "--tenants", "--jobs", str(JOBS[-1])], cwd=rd)
            check = subprocess.run(
                [f"{BINDIR}/psql", "-X", "-tAq", "-c",
                 "SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\\_%'",
                 c.url("bench")], check=True, capture_output=True, text=True)
            assert int(check.stdout) == n * t, check.stdout
            noop = [run([RETORT, "upgrade", "head", "--tenants", "--jobs", str(JOBS[-1])],
                        cwd=rd) for _ in range(5)]
            loads.append(os.getloadavg()[0])
    finally:
        c.stop()

    def med(k):
        return statistics.median(times[k])

    alembic_ms = med(("alembic", 0))
    alembic_scaled = alembic_ms * t / at

    def ratio(k, j):
        return statistics.median(ratios[(k, j)])

    print(f"{t:,} tenant schemas x {n} revisions; medians of {a.runs} rounds "
          f"(ratios: median of the per-round ratios); load average "
          f"{min(loads):.1f}-{max(loads):.1f}")
    print()
    print("| run | jobs | retort | psql, offline SQL | retort / psql | "
          "psql, net bookkeeping | retort / psql net | Alembic loop (scaled) | "
          "Alembic / retort |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for j in JOBS:
        r, p, pn = med(("retort", j)), med(("psql", j)), med(("psql net", j))
        print(f"| upgrade head, {t:,} tenants | {j} | {r / 1000:.1f} s | "
              f"{p / 1000:.1f} s | {ratio('psql', j):.2f}x | {pn / 1000:.1f} s | "
              f"{ratio('psql net', j):.2f}x | {alembic_scaled / 1000:.0f} s | "
              f"{ratio('alembic', j):.0f}x |")
    print(f"| no-op rerun, {t:,} tenants at head | {JOBS[-1]} | "
          f"{statistics.median(noop):.0f} ms | - | - | - | - | - | - |")
    print()
    print(f"Alembic: {at} tenants took {alembic_ms / 1000:.1f} s (median; "
          f"{alembic_ms / at:.0f} ms per tenant), scaled x{t / at:g}.")
    for k, v in sorted(times.items()):
        what = f"{at} tenants" if k[0] == "alembic" else f"jobs={k[1]}"
        print(f"raw {k[0]} {what}: " + ", ".join(f"{x / 1000:.2f}" for x in v))
    for k, v in sorted(ratios.items()):
        print(f"ratio retort/{k[0]} jobs={k[1]}: " if k[0] != "alembic" else
              f"ratio alembic/retort jobs={k[1]}: ", end="")
        print(", ".join(f"{x:.2f}" for x in v))
    print("raw no-op ms: " + ", ".join(f"{x:.0f}" for x in noop))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmark of autogenerate: `revision --autogenerate` on a database of T
tables whose models add one column to every table, retort side by side with
Alembic (Debian's python3-alembic, project from ../shared/peers/gen_alembic.py
--models-tables T --models-extra-column). Prints a Markdown table for
docs/benchmarks.md.

usage: autogen_bench.py RETORT_BINARY [--sizes 2000,10000] [--runs 5]
                        [--alembic-runs 2] [--alembic-max 2000]

The schema is the one gen_alembic.py's models describe: table m_i (id integer
primary key, name text not null, ref integer references m_{i//10}(id),
created_at timestamptz default now()) and an index on name; the models add
`extra text`. The database holds the tables without `extra`, created with
psql before timing. Both tools must find exactly T new columns (checked), so
the two sides do the same job. Each measured run starts with the generated
revision file removed. Wall time is hyperfine's mean; the server is started
by the script (bench/pg_cluster.py: fsync off, loopback).
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pg_cluster import BINDIR, Cluster  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
GEN_ALEMBIC = os.path.join(HERE, "..", "..", "shared", "peers", "gen_alembic.py")

ap = argparse.ArgumentParser()
ap.add_argument("retort")
ap.add_argument("--sizes", default="2000,10000")
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--alembic-runs", type=int, default=2)
ap.add_argument("--alembic-max", type=int, default=2000,
                help="largest size Alembic is measured at (it is slow)")
a = ap.parse_args()
RETORT = os.path.abspath(a.retort)


def models_sql(n, extra):
    out = []
    for i in range(n):
        cols = ("id integer PRIMARY KEY, name text NOT NULL, "
                f"ref integer REFERENCES m_{i // 10} (id), "
                "created_at timestamptz DEFAULT now()")
        if extra:
            cols += ", extra text"
        out.append(f"CREATE TABLE m_{i} ({cols});\n"
                   f"CREATE INDEX ix_m_{i}_name ON m_{i} (name);\n")
    return "".join(out)


def hyperfine(cmd, cwd, runs, prepare):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(["hyperfine", "-N", "-w", "1", "-r", str(runs), "--prepare",
                        prepare, "--export-json", out.name, cmd], cwd=cwd, check=True,
                       capture_output=True)
        r = json.load(open(out.name))["results"][0]
        return r["mean"] * 1000, (r["stddev"] or 0) * 1000


def run(cmd, cwd):
    p = subprocess.run(["sh", "-c", cmd], cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{cmd} failed:\n{p.stdout}{p.stderr}")


def count_in_newest(pattern, folder, needle):
    files = glob.glob(os.path.join(folder, pattern))
    if len(files) != 1:
        raise SystemExit(f"expected one generated file in {folder}, found {files}")
    return len(re.findall(needle, open(files[0]).read()))


def main():
    c = Cluster()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n in [int(x) for x in a.sizes.split(",")]:
                db = f"bench_{n}"
                c.recreate(db)
                before = os.path.join(tmp, f"before_{n}.sql")
                open(before, "w").write(models_sql(n, extra=False))
                subprocess.run([f"{BINDIR}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                                "-1", "-f", before, c.url(db)], check=True)

                rd = os.path.join(tmp, f"retort_{n}")
                os.makedirs(rd)
                run(f"{RETORT} init migrations", rd)
                os.makedirs(os.path.join(rd, "models"))
                open(os.path.join(rd, "models", "models.sql"), "w").write(
                    models_sql(n, extra=True))
                open(os.path.join(rd, "retort.toml"), "w").write(
                    f'url = "{c.url(db)}"\nscript_location = "migrations"\n'
                    'models = ["models/*.sql"]\n')
                versions = os.path.join(rd, "migrations", "versions")
                clean = f"sh -c 'rm -f {versions}/*.sql'"
                cmd = f"{RETORT} revision --autogenerate -m extra"
                run(f"rm -f {versions}/*.sql && {cmd}", rd)
                found = count_in_newest("*.sql", versions, r"ADD COLUMN extra")
                if found != n:
                    raise SystemExit(f"retort found {found} new columns, expected {n}")
                r_ms = hyperfine(cmd, rd, a.runs, clean)

                al = None
                if n <= a.alembic_max:
                    ad = os.path.join(tmp, f"alembic_{n}")
                    subprocess.run([sys.executable, GEN_ALEMBIC, ad, "--revisions", "0",
                                    "--models-tables", str(n), "--models-extra-column",
                                    "--url", c.url(db, "psycopg2")], check=True,
                                   capture_output=True)
                    aversions = os.path.join(ad, "versions")
                    aclean = f"sh -c 'rm -f {aversions}/*.py'"
                    acmd = "/usr/bin/python3 -m alembic revision --autogenerate -m extra"
                    run(f"rm -f {aversions}/*.py && {acmd}", ad)
                    afound = count_in_newest("*.py", aversions, r"op\.add_column\(")
                    if afound != n:
                        raise SystemExit(f"Alembic found {afound} new columns, expected {n}")
                    al = hyperfine(acmd, ad, a.alembic_runs, aclean)
                rows.append((n, r_ms, al))
                print(rows[-1], file=sys.stderr)
    finally:
        c.stop()
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    print("| tables | retort `revision --autogenerate` | Alembic 1.8.1 | Alembic / retort |")
    print("|---:|---:|---:|---:|")
    for n, r, al in rows:
        als = f"{al[0]:.0f} ± {al[1]:.0f} ms" if al else "not measured"
        ratio = f"{al[0] / r[0]:.0f}×" if al else "—"
        print(f"| {n:,} | {r[0]:.0f} ± {r[1]:.0f} ms | {als} | {ratio} |")


if __name__ == "__main__":
    main()

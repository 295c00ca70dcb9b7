#!/usr/bin/env python3
"""Benchmark: `retort import-alembic` of an N-revision Alembic project
(tests/tools/gen_alembic.py --ops mixed: create_table with enums, add/alter/
drop column, indexes, foreign keys, unique constraints, batch_alter_table,
bulk_insert, op.execute, and every 50th revision a data migration that
becomes a TODO), cold (nothing imported yet) and rerun (every file already
imported and unchanged), for each --jobs value. Beside it, for scale, the
one thing Alembic itself does over the same revisions offline:
`alembic upgrade heads --sql` (on the same project without data
migrations, which Alembic cannot render offline). No database is needed.

usage: import_bench.py RETORT_BINARY [--revisions 1000] [--runs 3]
                        [--jobs 1,2] [--shape linear|branchy]

Prints a Markdown table of medians (seconds) and the range.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GEN_ALEMBIC = (os.environ.get("RETORT_GEN_ALEMBIC") or
               os.path.join(HERE, "..", "tests", "tools", "gen_alembic.py"))
PYTHON = "/usr/bin/python3"  # Debian's, where python3-alembic lives

ap = argparse.ArgumentParser()
ap.add_argument("retort")
ap.add_argument("--revisions", type=int, default=1000)
ap.add_argument("--runs", type=int, default=3)
ap.add_argument("--jobs", default="1,2")
ap.add_argument("--shape", default="branchy", choices=["linear", "branchy"])
a = ap.parse_args()
RETORT = os.path.abspath(a.retort)


def timed(cmd, cwd, ok=(0,)):
    start = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    took = time.perf_counter() - start
    if r.returncode not in ok:
        sys.exit(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stderr[-2000:]}")
    return took, r


def project(tmp, data_every):
    d = os.path.join(tmp, f"project-{data_every}")
    subprocess.run([PYTHON, GEN_ALEMBIC, os.path.join(d, "alembic"),
                    "--revisions", str(a.revisions), "--ops", "mixed",
                    "--shape", a.shape, "--data-every", str(data_every),
                    "--seed", "1"], check=True, capture_output=True)
    with open(os.path.join(d, "retort.toml"), "w") as f:
        f.write('script_location = "migrations"\n'
                'url = "postgresql://bench@127.0.0.1/bench"\n'
                f'python = "{PYTHON}"\n')
    os.makedirs(os.path.join(d, "migrations", "versions"))
    return d


def summary(xs):
    return f"{statistics.median(xs):.2f} ({min(xs):.2f}-{max(xs):.2f})"


def main():
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        d = project(tmp, 50)
        versions = os.path.join(d, "migrations", "versions")
        todos = None
        for jobs in [int(j) for j in a.jobs.split(",")]:
            cold, warm = [], []
            for _ in range(a.runs):
                shutil.rmtree(versions)
                os.makedirs(versions)
                took, r = timed([RETORT, "import-alembic", "alembic",
                                 "--jobs", str(jobs)], d, ok=(0, 3))
                cold.append(took)
                todos = r.stdout.count("\n    -> ")
                took, r = timed([RETORT, "import-alembic", "alembic",
                                 "--jobs", str(jobs)], d, ok=(0, 3))
                warm.append(took)
                if f"{a.revisions} unchanged" not in r.stdout:
                    sys.exit("the rerun rewrote files:\n" + r.stdout[-2000:])
            files = len(os.listdir(versions))
            if files != a.revisions:
                sys.exit(f"{files} files written for {a.revisions} revisions")
            rows.append((f"retort import-alembic, --jobs {jobs}, cold",
                         summary(cold)))
            rows.append((f"retort import-alembic, --jobs {jobs}, rerun "
                         "(all unchanged)", summary(warm)))
        plain = project(tmp, 0)
        times = []
        for _ in range(a.runs):
            took, _ = timed([PYTHON, "-m", "alembic", "-c",
                             os.path.join(plain, "alembic", "alembic.ini"),
                             "upgrade", "heads", "--sql"],
                            os.path.join(plain, "alembic"))
            times.append(took)
        rows.append(("alembic upgrade heads --sql (same project, no data "
                     "migrations)", summary(times)))
    print(f"{a.revisions} revisions ({a.shape}, mixed operations), "
          f"{todos} sections left as TODO, {os.cpu_count()} cores\n")
    print("| run | seconds, median (range) |")
    print("| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmark of the revision-graph commands (`heads`, `history`) on 1,000
and 10,000 revisions, retort side by side with Alembic (Debian's
python3-alembic). Prints a Markdown table for docs/benchmarks.md.

usage: graph_bench.py RETORT_BINARY [--sizes 1000,10000] [--runs 10]

Projects are generated in a temp folder: retort's with bench/gen_project.py
(linear and branchy shapes), Alembic's with tests/tools/gen_alembic.py
(linear; the same revision ids). Wall time is hyperfine's mean over warm runs
(the page cache is warm, as when a developer runs the command twice; the
files are dated a minute back, as in a real project); RSS is
the peak resident set from /usr/bin/time. retort runs twice per case: with
its header cache warm (the normal case) and with RETORT_CACHE=off.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# The project's own generator of Alembic projects (or $RETORT_GEN_ALEMBIC).
GEN_ALEMBIC = os.environ.get("RETORT_GEN_ALEMBIC") or os.path.join(
    HERE, "..", "tests", "tools", "gen_alembic.py")

ap = argparse.ArgumentParser()
ap.add_argument("retort")
ap.add_argument("--sizes", default="1000,10000")
ap.add_argument("--runs", type=int, default=10)
ap.add_argument("--alembic-runs", type=int, default=3)
a = ap.parse_args()
RETORT = os.path.abspath(a.retort)


def hyperfine(cmd, cwd, runs, env=None):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(["hyperfine", "-N", "-w", "2", "-r", str(runs), "--export-json",
                        out.name, cmd], cwd=cwd, check=True, capture_output=True,
                       env=env)
        res = json.load(open(out.name))["results"][0]
        return res["mean"] * 1000, (res["stddev"] or 0) * 1000


def rss_kb(cmd, cwd, env=None):
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, cwd=cwd,
                       capture_output=True, text=True, env=env)
    return int(p.stderr.strip().splitlines()[-1])


def main():
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cache = os.path.join(tmp, "cache")
        env_cache = dict(os.environ, RETORT_CACHE_DIR=cache)
        env_nocache = dict(os.environ, RETORT_CACHE="off")
        for n in [int(x) for x in a.sizes.split(",")]:
            for shape in ("linear", "branchy"):
                rd = os.path.join(tmp, f"r_{shape}_{n}")
                subprocess.run([sys.executable, os.path.join(HERE, "gen_project.py"), rd,
                                "--revisions", str(n), "--shape", shape], check=True)
                # A real project's files are older than the header cache's
                # "racy" window (2 s): age them, or every run right after
                # generation would re-read them all.
                old = time.time() - 60
                for root, _, names in os.walk(rd):
                    for name in names:
                        os.utime(os.path.join(root, name), (old, old))
                # utime() sets the inode's change time (ctime) to now, and
                # the cache trusts an entry only when both mtime and ctime
                # are older than the racy window: wait it out, or every run
                # of the first case re-reads all files (this made the first
                # measured command look slower than the others).
                time.sleep(2.5)
                ad = None
                if shape == "linear":
                    ad = os.path.join(tmp, f"a_{n}")
                    subprocess.run([sys.executable, GEN_ALEMBIC, ad, "--revisions", str(n)],
                                   check=True, capture_output=True)
                for cmd in ("heads", "history"):
                    r_ms, r_sd = hyperfine(f"{RETORT} {cmd}", rd, a.runs, env_cache)
                    r_rss = rss_kb([RETORT, cmd], rd, env_cache)
                    n_ms, n_sd = hyperfine(f"{RETORT} {cmd}", rd, a.runs, env_nocache)
                    row = {"n": n, "shape": shape, "cmd": cmd, "retort_ms": r_ms,
                           "retort_sd": r_sd, "retort_rss_mb": r_rss / 1024,
                           "nocache_ms": n_ms, "nocache_sd": n_sd}
                    if ad:
                        al_ms, al_sd = hyperfine(f"/usr/bin/python3 -m alembic {cmd}", ad,
                                                 a.alembic_runs)
                        row.update(alembic_ms=al_ms, alembic_sd=al_sd,
                                   alembic_rss_mb=rss_kb(["/usr/bin/python3", "-m",
                                                          "alembic", cmd], ad) / 1024)
                    rows.append(row)
                    print(row, file=sys.stderr)
    print("| revisions | shape | command | retort (cache warm) | retort (RETORT_CACHE=off) "
          "| retort RSS | Alembic 1.8.1 | Alembic RSS | speed-up |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        al = (f"{r['alembic_ms']:.0f} ± {r['alembic_sd']:.0f} ms" if "alembic_ms" in r else "—")
        al_rss = f"{r['alembic_rss_mb']:.0f} MB" if "alembic_ms" in r else "—"
        sp = f"{r['alembic_ms'] / r['retort_ms']:.0f}×" if "alembic_ms" in r else "—"
        print(f"| {r['n']:,} | {r['shape']} | {r['cmd']} | {r['retort_ms']:.1f} ± "
              f"{r['retort_sd']:.1f} ms | {r['nocache_ms']:.1f} ± {r['nocache_sd']:.1f} ms | "
              f"{r['retort_rss_mb']:.1f} MB | {al} | {al_rss} | {sp} |")


if __name__ == "__main__":
    main()

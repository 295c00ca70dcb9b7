#!/usr/bin/env python3
"""Benchmark of autogenerate: `revision --autogenerate` on a database of T
tables whose models add one column to every table, retort side by side with
Alembic (Debian's python3-alembic, project from tests/tools/gen_alembic.py
--models-tables T --models-extra-column). Prints a Markdown table for
docs/benchmarks.md.

usage: autogen_bench.py RETORT_BINARY [--sizes 2000,10000] [--runs 5]
                        [--alembic-runs 2] [--alembic-max 2000]
                        [--baseline OLD_RETORT_BINARY] [--scratch]
                        [--pg-dir DIR]

The schema is the one gen_alembic.py's models describe: table m_i (id
integer primary key, name text not null, ref integer references
m_{i//10}(id), created_at timestamptz default now()) and an index on name;
the models add `extra text`. The database holds the tables without `extra`,
created with psql before timing. Both tools must find exactly T new columns
(checked on every run), so the two sides do the same job. Each run starts
with the previously generated revision file removed.

retort is measured in three states, interleaved round by round so that the
machine's load (shared with builds) hits them alike:
  cold     RETORT_CACHE=off: the model files are parsed and -- these being
           plain DDL -- normalised without a database (other models are
           loaded into a scratch database); the first run after any model
           change, or CI without a persisted cache
  changed  the caches on, with one statement changed before each run (a
           COMMENT ON TABLE that differs per run): a scan cache miss
  warm     the caches on and the models unchanged: the scan cache hits, and
           the statements are parsed again for the normaliser (a model
           cache entry is written only by a scratch load, so there is none)
plus, with --scratch, `cold` with RETORT_MODEL_NORMALIZER=off (the models
loaded into a scratch database, as every model set was before the
normaliser and as models it declines still are), and with --baseline,
another retort binary run like `cold`.

Each cell is the median wall time, its range, and the median CPU seconds of
the client (retort or python) and of the server (every PostgreSQL process of
the benchmark's cluster: the backends' time is read from the postmaster's
reaped children), which vary less than wall time when the machine is busy.
The server is started by the script (bench/pg_cluster.py: fsync off,
loopback), with its data directory under --pg-dir (default /dev/shm): on
ext4, creating thousands of files right after a scratch database with
thousands of files was dropped spends most of its time in the kernel's
inode allocator (seen with perf: recently_deleted), which is not
PostgreSQL's DDL cost and varies from run to run.
"""
import argparse
import glob
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_schema  # noqa: E402
import pg_cluster  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# $RETORT_GEN_ALEMBIC, else the project's own generator.
GEN_ALEMBIC = os.environ.get("RETORT_GEN_ALEMBIC") or os.path.join(
    HERE, "..", "tests", "tools", "gen_alembic.py")
ALEMBIC_PYTHON = "/usr/bin/python3"  # Debian's, where python3-alembic lives

ap = argparse.ArgumentParser()
ap.add_argument("retort")
ap.add_argument("--sizes", default="2000,10000")
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--alembic-runs", type=int, default=2)
ap.add_argument("--alembic-max", type=int, default=2000,
                help="largest size Alembic is measured at (it is slow)")
ap.add_argument("--baseline", help="another retort binary, measured like cold")
ap.add_argument("--scratch", action="store_true",
                help="also measure cold runs with the normaliser off")
pg_cluster.add_pg_dir_argument(ap)
ap.add_argument("--wal-dir", help="put the cluster's WAL in DIR (on disk) with fsync on: "
                "what a durable server pays per commit")
a = ap.parse_args()
RETORT = os.path.abspath(a.retort)
BASELINE = os.path.abspath(a.baseline) if a.baseline else None
TCK = os.sysconf("SC_CLK_TCK")


def models_sql(n, extra):
    return bench_schema.tables_sql(n, extra)


def server_cpu(data_dir):
    """CPU seconds of the cluster's processes so far: the postmaster, its
    live children and (cutime/cstime) the children it has reaped."""
    pm = int(open(os.path.join(data_dir, "postmaster.pid")).readline())

    def times(pid):
        st = open(f"/proc/{pid}/stat").read()
        fields = st[st.rindex(")") + 2:].split()
        return int(fields[1]), sum(int(x) for x in fields[11:15])

    total = times(pm)[1]
    for p in os.listdir("/proc"):
        if not p.isdigit() or int(p) == pm:
            continue
        try:
            ppid, t = times(p)
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pm:
            total += t
    return total / TCK


def run(cmd, cwd, env=None):
    p = subprocess.run(["sh", "-c", cmd], cwd=cwd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{cmd} failed:\n{p.stdout}{p.stderr}")


def count_in_only_file(pattern, folder, needle):
    files = glob.glob(os.path.join(folder, pattern))
    if len(files) != 1:
        raise SystemExit(f"expected one generated file in {folder}, found {files}")
    return len(re.findall(needle, open(files[0]).read()))


def durable_wal(c, wal_dir):
    """Moves the cluster's WAL to `wal_dir` (a symlink, as initdb -X makes)
    and restarts it with fsync and synchronous_commit on."""
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    ctl = f"{pg_cluster.BINDIR}/pg_ctl"
    subprocess.run(as_pg + [ctl, "-D", c.data, "-m", "fast", "-w", "stop"], check=True,
                   capture_output=True)
    target = tempfile.mkdtemp(prefix="retort-bench-wal-", dir=wal_dir)
    if as_pg:
        subprocess.run(["chown", "postgres:postgres", target], check=True)
    wal = os.path.join(c.data, "pg_wal")
    subprocess.run(as_pg + ["mv", wal, target], check=True)
    subprocess.run(as_pg + ["ln", "-s", os.path.join(target, "pg_wal"), wal], check=True)
    opts = (f"-c listen_addresses=127.0.0.1 -c port={c.port} "
            f"-c unix_socket_directories={c.dir} -c max_connections=200")
    subprocess.run(as_pg + [ctl, "-D", c.data, "-w", "-l", os.path.join(c.dir, "log"), "-o",
                            opts, "start"], check=True, capture_output=True)
    c.wal_target = target


class Measured:
    """One command measured in one state: wall, client CPU, server CPU,
    load average at the start of each run."""

    def __init__(self):
        self.wall, self.client, self.server, self.load = [], [], [], []

    def add(self, wall, client, server, load):
        self.wall.append(wall)
        self.client.append(client)
        self.server.append(server)
        self.load.append(load)

    def cell(self):
        if not self.wall:
            return "—"
        w = statistics.median(self.wall)
        spread = f" ({min(self.wall):.2f}–{max(self.wall):.2f})" if len(self.wall) > 1 else ""
        return (f"{w:.2f} s{spread}; cpu {statistics.median(self.client):.2f} + "
                f"{statistics.median(self.server):.2f} s")


def measure(cmd, cwd, env, data_dir, prepare, check, into):
    prepare()
    load = os.getloadavg()[0]
    s0 = server_cpu(data_dir)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    t1 = time.monotonic()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{p.stdout}{p.stderr}")
    # Backends exit just after the client: give the postmaster time to reap
    # them, so their CPU time is counted.
    time.sleep(0.5)
    s1 = server_cpu(data_dir)
    check()
    client = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    into.add(t1 - t0, client, s1 - s0, load)
    print(f"  {' '.join(cmd[-3:])}: {t1 - t0:.2f} s, cpu {client:.2f} + {s1 - s0:.2f} s, "
          f"load {load:.2f}", file=sys.stderr, flush=True)


def main():
    c = pg_cluster.Cluster(fsync=bool(a.wal_dir), pg_dir=a.pg_dir)
    data_dir = c.data
    if a.wal_dir:
        durable_wal(c, a.wal_dir)
    rows = []
    loads = []
    started = time.strftime("%Y-%m-%d %H:%M")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n in [int(x) for x in a.sizes.split(",")]:
                db = f"bench_{n}"
                c.recreate(db)
                before = os.path.join(tmp, f"before_{n}.sql")
                open(before, "w").write(models_sql(n, extra=False))
                # Not -1: one transaction for 10,000 tables runs out of the
                # server's lock table ("out of shared memory").
                subprocess.run([f"{pg_cluster.BINDIR}/psql", "-X", "-q", "-v",
                                "ON_ERROR_STOP=1", "-f", before, c.url(db)], check=True,
                               stdout=subprocess.DEVNULL)

                rd = os.path.join(tmp, f"retort_{n}")
                os.makedirs(rd)
                run(f"{RETORT} init migrations", rd)
                os.makedirs(os.path.join(rd, "models"))
                model = os.path.join(rd, "models", "models.sql")
                model_text = models_sql(n, extra=True)
                open(model, "w").write(model_text)
                open(os.path.join(rd, "retort.toml"), "w").write(
                    f'url = "{c.url(db)}"\nscript_location = "migrations"\n'
                    'models = ["models/*.sql"]\n')
                versions = os.path.join(rd, "migrations", "versions")
                cache = os.path.join(tmp, f"cache_{n}")
                # Its own folder: each changed run replaces the models' entry,
                # which would make the warm runs miss.
                cache_changed = os.path.join(tmp, f"cache_changed_{n}")
                cmd = [RETORT, "revision", "--autogenerate", "-m", "extra"]
                env_off = dict(os.environ, RETORT_CACHE="off")
                env_on = dict(os.environ, RETORT_CACHE_DIR=cache)
                env_changed = dict(os.environ, RETORT_CACHE_DIR=cache_changed)

                def clean():
                    for f in glob.glob(os.path.join(versions, "*.sql")):
                        os.remove(f)

                def check_retort():
                    found = count_in_only_file("*.sql", versions, r"ADD COLUMN extra")
                    if found != n:
                        raise SystemExit(f"retort found {found} new columns, expected {n}")

                round_no = [0]

                def change_models():
                    clean()
                    round_no[0] += 1
                    open(model, "w").write(
                        model_text + f"COMMENT ON TABLE m_0 IS 'run {round_no[0]}';\n")

                def restore_models():
                    clean()
                    open(model, "w").write(model_text)

                # Fill the cache (a miss) before the first warm run.
                restore_models()
                subprocess.run(cmd, cwd=rd, env=env_on, check=True, capture_output=True)
                check_retort()
                # The cold state is the normaliser's (the scratch state, not).
                for env, want in ((env_off, True),
                                  (dict(env_off, RETORT_MODEL_NORMALIZER="off"), False)):
                    p = subprocess.run([RETORT, "diff", "-v"], cwd=rd, env=env,
                                       capture_output=True, text=True, check=True)
                    if ("normalised without a database" in p.stderr) != want:
                        raise SystemExit(f"unexpected path for the models:\n{p.stderr}")

                res = {k: Measured()
                       for k in ("cold", "changed", "warm", "scratch", "baseline")}
                for r in range(a.runs):
                    print(f"{n} tables, round {r + 1}/{a.runs}", file=sys.stderr)
                    measure(cmd, rd, env_off, data_dir, restore_models, check_retort,
                            res["cold"])
                    measure(cmd, rd, env_changed, data_dir, change_models, check_retort,
                            res["changed"])
                    measure(cmd, rd, env_on, data_dir, restore_models, check_retort,
                            res["warm"])
                    if a.scratch:
                        measure(cmd, rd, dict(env_off, RETORT_MODEL_NORMALIZER="off"),
                                data_dir, restore_models, check_retort, res["scratch"])
                    if BASELINE:
                        measure([BASELINE] + cmd[1:], rd, env_off, data_dir, restore_models,
                                check_retort, res["baseline"])
                restore_models()

                al = Measured()
                if n <= a.alembic_max and a.alembic_runs > 0:
                    ad = os.path.join(tmp, f"alembic_{n}")
                    subprocess.run([sys.executable, GEN_ALEMBIC, ad, "--revisions", "0",
                                    "--models-tables", str(n), "--models-extra-column",
                                    "--url", c.url(db, "psycopg2")], check=True,
                                   capture_output=True)
                    aversions = os.path.join(ad, "versions")
                    acmd = [ALEMBIC_PYTHON, "-m", "alembic", "revision", "--autogenerate",
                            "-m", "extra"]

                    def aclean():
                        for f in glob.glob(os.path.join(aversions, "*.py")):
                            os.remove(f)

                    def acheck():
                        found = count_in_only_file("*.py", aversions, r"op\.add_column\(")
                        if found != n:
                            raise SystemExit(f"Alembic found {found} new columns, expected {n}")

                    for r in range(a.alembic_runs):
                        print(f"{n} tables, Alembic run {r + 1}/{a.alembic_runs}",
                              file=sys.stderr)
                        measure(acmd, ad, None, data_dir, aclean, acheck, al)
                rows.append((n, res, al))
                loads += [x for m in list(res.values()) + [al] for x in m.load]
    finally:
        c.stop()
        if getattr(c, "wal_target", None):
            subprocess.run(["rm", "-rf", c.wal_target])

    setup = (f"data on {a.pg_dir or 'the default temp folder'}, "
             + (f"WAL on {a.wal_dir} with fsync and synchronous_commit on"
                if a.wal_dir else "fsync off"))
    print(f"Cluster: {setup}.")
    print(f"Taken {started}; load average (1 min) at the start of the runs: "
          f"{min(loads):.2f}–{max(loads):.2f}, median {statistics.median(loads):.2f}.")
    print()
    head = ("| tables | retort cold (RETORT_CACHE=off) | retort, models changed | "
            "retort warm (models unchanged) |")
    sep = "|---:|---:|---:|---:|"
    if a.scratch:
        head += " retort cold, scratch database (normaliser off) |"
        sep += "---:|"
    if BASELINE:
        head += " retort before (baseline) |"
        sep += "---:|"
    head += " Alembic 1.8.1 | Alembic / retort cold | Alembic / retort warm |"
    sep += "---:|---:|---:|"
    print(head)
    print(sep)
    for n, res, al in rows:
        line = f"| {n:,} | {res['cold'].cell()} | {res['changed'].cell()} | {res['warm'].cell()} |"
        if a.scratch:
            line += f" {res['scratch'].cell()} |"
        if BASELINE:
            line += f" {res['baseline'].cell()} |"
        if al.wall:
            aw = statistics.median(al.wall)
            line += (f" {al.cell()} | {aw / statistics.median(res['cold'].wall):.1f}× | "
                     f"{aw / statistics.median(res['warm'].wall):.0f}× |")
        else:
            line += " not measured | — | — |"
        print(line)


if __name__ == "__main__":
    main()

"""A throwaway PostgreSQL cluster for benchmarks: initdb + pg_ctl into a temp
folder, loopback only, a free port; run as the postgres OS user when root."""
import os
import shutil
import socket
import subprocess
import tempfile

BINDIR = os.environ.get("RETORT_PG_BINDIR", "/usr/lib/postgresql/15/bin")


def _as_pg(cmd):
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + cmd
    return cmd


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_pg_dir_argument(parser):
    """--pg-dir DIR: where Cluster(pg_dir=...) puts its data directory;
    /dev/shm by default when there is one. In memory, creating tens of
    thousands of relation files does not compete with other work on the
    disk, which makes run times bimodal."""
    parser.add_argument("--pg-dir",
                        default="/dev/shm" if os.path.isdir("/dev/shm") else None,
                        help="where the benchmark cluster's data directory goes")


class Cluster:
    def __init__(self, fsync=False, pg_dir=None):
        # pg_dir, else $RETORT_BENCH_PGDIR, else the temporary folder.
        self.dir = tempfile.mkdtemp(
            prefix="retort-bench-pg-",
            dir=pg_dir or os.environ.get("RETORT_BENCH_PGDIR"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = os.path.join(self.dir, "data")
        self.port = _free_port()
        subprocess.run(_as_pg([f"{BINDIR}/initdb", "-D", self.data, "-A", "trust", "-U",
                               "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]),
                       check=True, capture_output=True)
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                f"-c unix_socket_directories={self.dir} -c max_connections=200")
        if not fsync:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(_as_pg([f"{BINDIR}/pg_ctl", "-D", self.data, "-w", "-l",
                               os.path.join(self.dir, "log"), "-o", opts, "start"]),
                       check=True, capture_output=True)

    def url(self, db="postgres", driver=""):
        scheme = "postgresql" + (f"+{driver}" if driver else "")
        return f"{scheme}://postgres@127.0.0.1:{self.port}/{db}"

    def psql(self, sql, db="postgres"):
        subprocess.run([f"{BINDIR}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql,
                        self.url(db)], check=True, capture_output=True)

    def recreate(self, db):
        self.psql(f"DROP DATABASE IF EXISTS {db}")
        self.psql(f"CREATE DATABASE {db}")

    def stop(self):
        subprocess.run(_as_pg([f"{BINDIR}/pg_ctl", "-D", self.data, "-m", "fast", "stop"]),
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)

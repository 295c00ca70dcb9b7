"""Tests of src/importer/alembic_worker.py, the Python side of import-alembic.

The worker runs exactly as retort runs it: `/usr/bin/python3 -u -c <text>`,
JSON lines over pipes. Run from the repository root:

    /usr/bin/python3 -m unittest discover -s tests/importer -v

Debian's /usr/bin/python3 has alembic 1.8.1 and SQLAlchemy 1.4.46; the
expected SQL below is what those render.
"""

import ast
import json
import os
import platform
import select
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WORKER = os.path.join(REPO, "src", "importer", "alembic_worker.py")
DATA = os.path.join(REPO, "tests", "data", "alembic")
PY = "/usr/bin/python3"

SHOP = os.path.join(DATA, "shop")
SHOP_V = os.path.join(SHOP, "migrations", "versions")
MULTI = os.path.join(DATA, "multischema")
MULTI_V = os.path.join(MULTI, "migrations", "versions")
LITE = os.path.join(DATA, "sqlite_batch")
LITE_V = os.path.join(LITE, "alembic", "versions")
BROKEN = os.path.join(DATA, "broken")
BROKEN_V = os.path.join(BROKEN, "migrations", "versions")

SENTINEL = "retort_schema_sentinel"


def rev_file(folder, rev):
    for name in os.listdir(folder):
        if name.startswith(rev) and name.endswith(".py"):
            return os.path.join(folder, name)
    raise AssertionError("no revision %s in %s" % (rev, folder))


def def_line(path, name):
    """1-based line of `def name(` in path, found by text (not ast)."""
    with open(path) as f:
        for i, line in enumerate(f, 1):
            if line.startswith("def %s(" % name):
                return i
    return 0


class Worker(object):
    """The worker as a subprocess, driven like the C++ side drives it."""

    def __init__(self, args=(), env=None, cwd=None):
        with open(WORKER) as f:
            text = f.read()
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [PY] + list(args) + ["-u", "-c", text],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=env,
            cwd=cwd or REPO,
        )
        self.buffer = b""

    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def read(self, timeout=60):
        """The next response line (several may arrive in one read)."""
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(left, 0))
            if not ready:
                raise AssertionError("worker did not answer within %ss" % timeout)
            chunk = os.read(fd, 65536)
            if not chunk:
                raise AssertionError("worker closed stdout; stderr: %s" % self.err_text())
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line.decode("utf-8"))

    def __call__(self, **req):
        self.send_raw((json.dumps(req) + "\n").encode("utf-8"))
        return self.read()

    def err_text(self):
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.stderr.close()
        return self.proc.returncode


class WorkerCase(unittest.TestCase):
    """One worker per test class; setUp may send a setup request."""

    dialect = "postgresql"
    sys_path = ()
    x = {}

    @classmethod
    def setUpClass(cls):
        cls.w = Worker()

    @classmethod
    def tearDownClass(cls):
        cls.w.close()

    def setup_session(self, dialect=None, sys_path=None, x=None, **extra):
        r = self.w(
            op="setup",
            dialect=dialect or self.dialect,
            sys_path=list(self.sys_path if sys_path is None else sys_path),
            x=dict(self.x if x is None else x),
            schema_sentinel=SENTINEL,
            **extra
        )
        self.assertEqual(r, {"ok": True})

    def render(self, path, **extra):
        Worker_counter[0] += 1
        r = self.w(
            op="render", path=path, module_name="retort_rev_%d" % Worker_counter[0], **extra
        )
        self.assertTrue(r["ok"], r)
        return r


Worker_counter = [0]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(textwrap.dedent(text).lstrip("\n"))
    return path


def revision_text(rev, down, body_up="pass", body_down="pass", tail=""):
    """A revision file; upgrade's body starts at line 18, `tail` (module
    code: imports, helpers) comes after downgrade."""
    return (
        '"""generated %s\n\nRevision ID: %s\nRevises: %s\n'
        'Create Date: 2024-01-01 00:00:00\n\n"""\n'
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        "revision = %r\ndown_revision = %r\nbranch_labels = None\n"
        "depends_on = None\n\n\ndef upgrade():\n%s\n\n\ndef downgrade():\n%s\n\n\n%s"
        % (
            rev,
            rev,
            down or "",
            rev,
            down,
            textwrap.indent(textwrap.dedent(body_up).strip("\n"), "    "),
            textwrap.indent(textwrap.dedent(body_down).strip("\n"), "    "),
            tail,
        )
    )


def line_of(path, snippet):
    """1-based line of the first line of path holding snippet."""
    with open(path) as f:
        for i, line in enumerate(f, 1):
            if snippet in line:
                return i
    raise AssertionError("%r not in %s" % (snippet, path))


# ----------------------------------------------------------------- protocol


class TestProtocol(WorkerCase):
    def test_hello_reports_versions(self):
        import alembic
        import sqlalchemy

        r = self.w(op="hello")
        self.assertEqual(
            r,
            {
                "ok": True,
                "python": platform.python_version(),
                "alembic": alembic.__version__,
                "sqlalchemy": sqlalchemy.__version__,
            },
        )
        self.assertEqual(r["alembic"], "1.8.1")
        self.assertEqual(r["sqlalchemy"], "1.4.46")

    def test_unknown_op(self):
        r = self.w(op="frobnicate")
        self.assertFalse(r["ok"])
        self.assertEqual(r["error"], "unknown_op")
        self.assertIn("'frobnicate'", r["message"])
        self.assertEqual(self.w(op="hello")["ok"], True)

    def test_missing_op(self):
        r = self.w(path="/x")
        self.assertEqual(r["error"], "unknown_op")

    def test_not_json_and_not_object(self):
        self.w.send_raw(b"this is not json\n")
        r = self.w.read()
        self.assertEqual((r["ok"], r["error"]), (False, "request"))
        self.w.send_raw(b"[1, 2]\n")
        r = self.w.read()
        self.assertEqual((r["ok"], r["error"]), (False, "request"))
        self.assertTrue(self.w(op="hello")["ok"])

    def test_pipelined_requests_answer_in_order_and_blank_lines_are_skipped(self):
        reqs = [
            {"op": "header", "path": rev_file(SHOP_V, "3f1c2a9d8e47")},
            {"op": "nope"},
            {"op": "header", "path": rev_file(SHOP_V, "8b4d7e2f1a90")},
            {"op": "hello"},
        ]
        data = "\n\n".join(json.dumps(r) for r in reqs) + "\n\n"
        self.w.send_raw(data.encode())
        answers = [self.w.read() for _ in reqs]
        self.assertEqual(answers[0]["revision"], "3f1c2a9d8e47")
        self.assertEqual(answers[1]["error"], "unknown_op")
        self.assertEqual(answers[2]["revision"], "8b4d7e2f1a90")
        self.assertEqual(answers[3]["alembic"], "1.8.1")

    def test_internal_error_answers_and_keeps_serving(self):
        # A NUL byte in a path is nothing the worker plans for: open() raises
        # ValueError, which must become an "internal" answer.
        r = self.w(op="header", path="bad\u0000path.py")
        self.assertEqual(r["ok"], False)
        self.assertEqual(r["error"], "internal")
        self.assertIn("ValueError", r["message"])
        self.assertEqual(self.w(op="hello")["ok"], True)

    def test_every_response_has_ok(self):
        for req in (
            {"op": "hello"},
            {"op": "env", "path": os.path.join(MULTI, "migrations", "env.py")},
            {"op": "header", "path": "/nonexistent/x.py"},
            {"op": "project", "path": "/nonexistent"},
            {"op": "render", "path": "/nonexistent/x.py"},
        ):
            self.assertIn("ok", self.w(**req), req)


class TestLifecycle(unittest.TestCase):
    def test_exits_zero_at_eof(self):
        w = Worker()
        self.assertTrue(w(op="hello")["ok"])
        self.assertEqual(w.close(), 0)

    def test_exits_zero_at_eof_without_requests(self):
        w = Worker()
        self.assertEqual(w.close(), 0)

    def test_worker_imports_only_stdlib_alembic_sqlalchemy(self):
        with open(WORKER) as f:
            tree = ast.parse(f.read())
        allowed = set(sys.stdlib_module_names) | {"alembic", "sqlalchemy"}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                self.assertIn(name.split(".")[0], allowed, name)
        doc = ast.get_docstring(tree)
        for op in ("hello", "project", "setup", "header", "render", "env"):
            self.assertIn('"op": "%s"' % op, doc)

    def test_text_fits_in_one_command_line_argument(self):
        # Linux caps one argv string at 32 pages (MAX_ARG_STRLEN, 128 KiB).
        with open(WORKER, "rb") as f:
            self.assertLess(len(f.read()), 128 * 1024)

    def test_no_bytecode_written_into_the_project(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        versions = os.path.join(tmp, "versions")
        write(os.path.join(tmp, "helpermod.py"), "X = 1\n")
        f = write(
            os.path.join(versions, "aaa111_x.py"),
            revision_text("aaa111", None, "import helpermod\nop.execute('SELECT %d' % helpermod.X)"),
        )
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        w = Worker(env=env)
        try:
            w(op="setup", dialect="postgresql", sys_path=[tmp], x={})
            r = w(op="render", path=f, module_name="retort_rev_bc")
            self.assertEqual(r["upgrade"]["statements"], ["SELECT 1"])
        finally:
            w.close()
        for root, dirs, files in os.walk(tmp):
            self.assertNotIn("__pycache__", dirs, root)


class TestStreams(WorkerCase):
    def test_print_and_fd1_writes_do_not_break_the_stream(self):
        self.setup_session(sys_path=[BROKEN])
        r = self.render(rev_file(BROKEN_V, "66ff77889900"))
        self.assertEqual(
            r["upgrade"]["statements"],
            ["CREATE TABLE noise (\n    id SERIAL NOT NULL, \n    PRIMARY KEY (id)\n)"],
        )
        self.assertEqual(r["downgrade"]["statements"], ["DROP TABLE noise"])
        self.assertEqual(self.w(op="hello")["alembic"], "1.8.1")
        err = self.w.err_text()
        for text in (
            "noisy: module loaded",
            "noisy: sys.stdout",
            "noisy: fd 1",
            '{"ok": true, "fake": "a print that looks like a response"}',
            "noisy: downgrade",
        ):
            self.assertIn(text, err)

    def test_print_in_a_shop_revision_goes_to_stderr(self):
        self.setup_session(sys_path=[SHOP])
        r = self.render(rev_file(SHOP_V, "9d3a6c2e8f17"))
        self.assertIsNone(r["upgrade"]["todo"])
        self.assertIn("loading 5 order statuses", self.w.err_text())


class TestNoAlembic(unittest.TestCase):
    def check_worker(self, w, expect_in_message):
        r = w(op="hello")
        self.assertEqual(r["ok"], False)
        self.assertEqual(r["error"], "no_alembic")
        self.assertIn(expect_in_message, r["message"])
        for req in (
            {"op": "project", "path": SHOP},
            {"op": "setup", "dialect": "postgresql", "sys_path": [], "x": {}},
            {"op": "render", "path": rev_file(SHOP_V, "3f1c2a9d8e47")},
        ):
            self.assertEqual(w(**req)["error"], "no_alembic", req)
        # header and env only need ast
        r = w(op="header", path=rev_file(SHOP_V, "3f1c2a9d8e47"))
        self.assertEqual(r["revision"], "3f1c2a9d8e47")
        r = w(op="env", path=os.path.join(MULTI, "migrations", "env.py"))
        self.assertEqual(r["name"], "SCHEMA_VERSION_TABLES")
        self.assertEqual(w.close(), 0)

    def test_isolated_python_without_site_packages(self):
        # -I -S: no site (so no dist-packages), no PYTHON* variables.
        probe = subprocess.run(
            [PY, "-I", "-S", "-c", "import alembic"], capture_output=True
        )
        if probe.returncode == 0:
            self.skipTest("alembic importable even without site-packages")
        self.check_worker(Worker(args=["-I", "-S"]), "No module named 'alembic'")

    def test_broken_alembic_install(self):
        # A package that shadows alembic and fails to import, ahead of the
        # real one on sys.path: the import error text is passed on.
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        write(
            os.path.join(tmp, "alembic", "__init__.py"),
            "raise ImportError('alembic is half installed (test)')\n",
        )
        env = dict(os.environ, PYTHONPATH=tmp)
        self.check_worker(Worker(env=env), "ImportError: alembic is half installed (test)")


# ------------------------------------------------------------------ project


class TestProject(WorkerCase):
    def project(self, path, **extra):
        return self.w(op="project", path=path, **extra)

    def shop_files(self):
        return sorted(
            os.path.join(SHOP_V, n) for n in os.listdir(SHOP_V) if n.endswith(".py")
        )

    def test_shop_ini(self):
        r = self.project(os.path.join(SHOP, "alembic.ini"))
        self.assertEqual(
            r,
            {
                "ok": True,
                "ini": os.path.join(SHOP, "alembic.ini"),
                "script_location": os.path.join(SHOP, "migrations"),
                "version_locations": [SHOP_V],
                "recursive_version_locations": False,
                "prepend_sys_path": [SHOP],
                "env_py": os.path.join(SHOP, "migrations", "env.py"),
                "files": self.shop_files(),
                "sourceless": False,
                "sqlalchemy_url": "postgresql://shop:shop@localhost/shop",
            },
        )
        self.assertEqual(len(r["files"]), 13)

    def test_relative_path_and_here_interpolation(self):
        r = self.project(os.path.relpath(os.path.join(MULTI, "alembic.ini"), REPO))
        self.assertEqual(r["ini"], os.path.join(MULTI, "alembic.ini"))
        self.assertEqual(r["script_location"], os.path.join(MULTI, "migrations"))
        self.assertEqual(len(r["files"]), 6)

    def test_scripts_folder_without_ini(self):
        r = self.project(os.path.join(SHOP, "migrations"))
        self.assertEqual(r["ini"], None)
        self.assertEqual(r["script_location"], os.path.join(SHOP, "migrations"))
        self.assertEqual(r["version_locations"], [SHOP_V])
        self.assertEqual(r["prepend_sys_path"], [])
        self.assertEqual(r["env_py"], os.path.join(SHOP, "migrations", "env.py"))
        self.assertEqual(r["files"], self.shop_files())

    def test_folder_holding_alembic_ini(self):
        r = self.project(LITE)
        self.assertEqual(r["ini"], os.path.join(LITE, "alembic.ini"))
        self.assertEqual(r["script_location"], os.path.join(LITE, "alembic"))
        self.assertEqual(len(r["files"]), 5)

    def test_revision_files_are_not_imported(self):
        tmp = self.make_tmp()
        marker = os.path.join(tmp, "imported")
        write(os.path.join(tmp, "alembic.ini"), "[alembic]\nscript_location = mig\n")
        write(os.path.join(tmp, "mig", "env.py"), "raise SystemExit('env.py ran')\n")
        write(
            os.path.join(tmp, "mig", "versions", "a1_x.py"),
            "open(%r, 'w').close()\nrevision = 'a1'\ndown_revision = None\n" % marker,
        )
        r = self.project(os.path.join(tmp, "alembic.ini"))
        self.assertEqual(r["files"], [os.path.join(tmp, "mig", "versions", "a1_x.py")])
        self.assertFalse(os.path.exists(marker))

    def make_tmp(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        return tmp

    def test_listing_skips_what_alembic_skips(self):
        tmp = self.make_tmp()
        v = os.path.join(tmp, "mig", "versions")
        write(os.path.join(tmp, "mig", "env.py"), "")
        for name in (
            "a1_first.py",
            "b2_second.py",
            "__init__.py",
            ".#a1_first.py",
            "a1_first.py~",
            "a1_first.py.orig",
            "notes.txt",
            "a1_first.pyc",
            "__pycache__/a1_first.cpython-311.py",
            "sub/c3_nested.py",
        ):
            write(os.path.join(v, name), "revision = 'x'\n")
        r = self.project(os.path.join(tmp, "mig"))
        self.assertEqual(
            r["files"], [os.path.join(v, "a1_first.py"), os.path.join(v, "b2_second.py")]
        )

    def test_version_locations_separator_recursive_and_sys_path(self):
        tmp = self.make_tmp()
        write(
            os.path.join(tmp, "alembic.ini"),
            """
            [alembic]
            script_location = %(here)s/db
            version_locations = %(here)s/db/versions;%(here)s/plugins/billing;%(here)s/missing
            version_path_separator = ;
            recursive_version_locations = true
            prepend_sys_path = . src
            """,
        )
        write(os.path.join(tmp, "db", "env.py"), "")
        write(os.path.join(tmp, "db", "versions", "a1_x.py"), "")
        write(os.path.join(tmp, "db", "versions", "2024", "b2_y.py"), "")
        write(os.path.join(tmp, "db", "versions", "2024", "__pycache__", "z.py"), "")
        write(os.path.join(tmp, "plugins", "billing", "c3_z.py"), "")
        r = self.project(os.path.join(tmp, "alembic.ini"))
        self.assertTrue(r["ok"], r)
        self.assertEqual(
            r["version_locations"],
            [
                os.path.join(tmp, "db", "versions"),
                os.path.join(tmp, "plugins", "billing"),
                os.path.join(tmp, "missing"),
            ],
        )
        self.assertTrue(r["recursive_version_locations"])
        self.assertEqual(r["prepend_sys_path"], [tmp, os.path.join(tmp, "src")])
        self.assertEqual(
            r["files"],
            [
                os.path.join(tmp, "db", "versions", "a1_x.py"),
                os.path.join(tmp, "db", "versions", "2024", "b2_y.py"),
                os.path.join(tmp, "plugins", "billing", "c3_z.py"),
            ],
        )

    def test_version_locations_legacy_space_comma_split(self):
        tmp = self.make_tmp()
        write(
            os.path.join(tmp, "alembic.ini"),
            "[alembic]\nscript_location = db\nversion_locations = v1, v2\n",
        )
        write(os.path.join(tmp, "db", "env.py"), "")
        write(os.path.join(tmp, "v1", "a_1.py"), "")
        write(os.path.join(tmp, "v2", "b_2.py"), "")
        write(os.path.join(tmp, "v2", "sub", "c_3.py"), "")
        r = self.project(os.path.join(tmp, "alembic.ini"))
        self.assertEqual(
            r["version_locations"], [os.path.join(tmp, "v1"), os.path.join(tmp, "v2")]
        )
        self.assertFalse(r["recursive_version_locations"])
        self.assertEqual(
            r["files"], [os.path.join(tmp, "v1", "a_1.py"), os.path.join(tmp, "v2", "b_2.py")]
        )

    def test_package_script_location(self):
        tmp = self.make_tmp()
        write(
            os.path.join(tmp, "alembic.ini"),
            "[alembic]\nscript_location = myapp_migr_pkg:alembic\nprepend_sys_path = .\n",
        )
        write(os.path.join(tmp, "myapp_migr_pkg", "__init__.py"), "")
        write(os.path.join(tmp, "myapp_migr_pkg", "alembic", "env.py"), "")
        write(os.path.join(tmp, "myapp_migr_pkg", "alembic", "versions", "a_1.py"), "")
        r = self.project(os.path.join(tmp, "alembic.ini"))
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["script_location"], os.path.join(tmp, "myapp_migr_pkg", "alembic"))
        self.assertEqual(
            r["files"], [os.path.join(tmp, "myapp_migr_pkg", "alembic", "versions", "a_1.py")]
        )

    def test_errors(self):
        tmp = self.make_tmp()
        cases = [
            ("nosection.ini", "[loggers]\nkeys = root\n", "no [alembic] section"),
            ("nolocation.ini", "[alembic]\nsqlalchemy.url = x\n", "has no script_location"),
            ("notafolder.ini", "[alembic]\nscript_location = nowhere\n", "'nowhere'"),
            ("garbage.ini", "this is not an ini file\n", "not a readable ini file"),
            (
                "badsep.ini",
                "[alembic]\nscript_location = .\nversion_locations = a b\n"
                "version_path_separator = os  # Use os.pathsep.\n",
                "version_path_separator",
            ),
        ]
        for name, text, expect in cases:
            r = self.project(write(os.path.join(tmp, name), text))
            self.assertEqual((r["ok"], r["error"]), (False, "project"), r)
            self.assertIn(expect, r["message"])
        r = self.project(os.path.join(tmp, "notafolder.ini"))
        self.assertIn("is not a folder", r["message"])
        r = self.project(os.path.join(tmp, "does-not-exist"))
        self.assertEqual(r["error"], "project")
        self.assertIn("does not exist", r["message"])
        os.makedirs(os.path.join(tmp, "noversions"))
        write(os.path.join(tmp, "noversions", "env.py"), "")
        r = self.project(os.path.join(tmp, "noversions"))
        self.assertEqual(r["error"], "project")
        self.assertIn("no version folder", r["message"])


# ------------------------------------------------------------------- header

# revision: (down_revisions, branch_labels, depends_on, message, create_date)
HEADERS = {
    SHOP_V: {
        "3f1c2a9d8e47": ([], [], [], "create customers and products", "2023-03-14 09:12:44.918273"),
        "8b4d7e2f1a90": (["3f1c2a9d8e47"], [], [], "create orders and order items", "2023-03-20 16:40:02.331905"),
        "c7a1e5b93d02": (["8b4d7e2f1a90"], [], [], "customer phone and loyalty points", "2023-04-02 11:05:37.004417"),
        "e5d2b8c4f6a1": (["c7a1e5b93d02"], [], [], "rename customers.name to full_name, drop fax", "2023-04-11 08:51:19.660128"),
        "2a9c4e7b1d35": (["e5d2b8c4f6a1"], [], [], "tighten constraints", "2023-05-02 14:27:53.118302"),
        "5e8f1b3c7a24": (["2a9c4e7b1d35"], [], [], "rename products to catalog_items", "2023-06-19 10:02:41.275530"),
        "9d3a6c2e8f17": (["5e8f1b3c7a24"], [], [], "order statuses reference table", "2023-07-03 13:44:09.902771"),
        "b1f7d9a3c5e2": (["9d3a6c2e8f17"], [], [], "backfill loyalty points from past orders", "2023-07-10 17:20:58.441036"),
        "4c6e8a0b2d91": ([], ["reporting"], ["8b4d7e2f1a90"], "reporting: daily sales", "2023-07-12 09:31:27.518840"),
        "7f0b2d4e6a83": (["b1f7d9a3c5e2", "4c6e8a0b2d91"], [], [], "merge reporting into main", "2023-07-12 11:02:15.772310"),
        "d8e0f2a4c6b5": (["7f0b2d4e6a83"], [], [], "drop wishlists", "2024-01-09 15:13:40.067281"),
        "0e6a3c9f2b58": (["d8e0f2a4c6b5"], [], [], "welcome credit for customers without orders", "2024-02-01 10:45:12.390114"),
        "6b2d8f4a1c37": (["0e6a3c9f2b58"], [], [], "orders.items_total, with an opt-in backfill", "2024-02-20 08:09:33.731652"),
    },
    MULTI_V: {
        "1a7f3c5e9b20": ([], ["auth"], [], "auth: users", "2023-09-04 10:15:02.114307"),
        "6d2b8e0f4a13": (["1a7f3c5e9b20"], [], [], "auth: roles", "2023-09-18 14:40:55.083216"),
        "c4e6a8b0d2f5": (["6d2b8e0f4a13"], [], [], "auth: sessions", "2023-10-02 09:03:48.561990"),
        "3b5d7f9a1c2e": ([], ["inventory"], [], "inventory: items", "2023-09-05 11:22:37.640051"),
        "8f0a2c4e6b71": (["3b5d7f9a1c2e"], [], [], "inventory: stock movements", "2023-09-26 16:57:10.218843"),
        "e2f4a6c8d0b9": (["8f0a2c4e6b71"], [], [], "inventory: reorder level", "2023-11-07 08:36:21.905512"),
    },
    LITE_V: {
        "5c1e9a3f7b20": ([], [], [], "create notes", "2024-03-02 18:20:11.506731"),
        "9e4b2d6f8a13": (["5c1e9a3f7b20"], [], [], "tags", "2024-03-05 21:03:47.120968"),
        "2f7a1c9e5d34": (["9e4b2d6f8a13"], [], [], "drop notes.archived", "2024-03-11 07:58:30.644812"),
        "7b3d5f1e9c62": (["2f7a1c9e5d34"], [], [], "longer, required titles", "2024-03-20 12:41:05.978233"),
        "d0c8e6a4b2f1": (["7b3d5f1e9c62"], [], [], "tags unique per note", "2024-04-02 09:15:26.330591"),
    },
}


class TestHeader(WorkerCase):
    def header(self, path):
        return self.w(op="header", path=path)

    def test_every_fixture_revision(self):
        count = 0
        for folder, revs in HEADERS.items():
            self.assertEqual(
                sorted(n.split("_")[0] for n in os.listdir(folder) if n.endswith(".py")),
                sorted(revs),
                folder,
            )
            for rev, (down, labels, deps, message, date) in revs.items():
                path = rev_file(folder, rev)
                r = self.header(path)
                expected = {
                    "ok": True,
                    "revision": rev,
                    "down_revisions": down,
                    "branch_labels": labels,
                    "depends_on": deps,
                    "message": message,
                    "create_date": date,
                    "upgrade_line": def_line(path, "upgrade"),
                    "downgrade_line": def_line(path, "downgrade"),
                }
                long_doc = r.pop("long_doc")
                self.assertEqual(r, expected, path)
                self.assertNotIn("Revision ID", long_doc)
                self.assertNotIn("Create Date", long_doc)
                count += 1
        self.assertEqual(count, 24)

    def test_headers_agree_with_alembic(self):
        """What the worker reads statically is what Alembic loads."""
        from alembic.config import Config
        from alembic.script import ScriptDirectory
        from alembic.util import to_tuple

        for ini in (
            os.path.join(SHOP, "alembic.ini"),
            os.path.join(MULTI, "alembic.ini"),
            os.path.join(LITE, "alembic.ini"),
        ):
            saved_path, saved_cwd = list(sys.path), os.getcwd()
            try:
                os.chdir(os.path.dirname(ini))
                script = ScriptDirectory.from_config(Config(ini))
                revisions = list(script.walk_revisions())
            finally:
                os.chdir(saved_cwd)
                sys.path[:] = saved_path
            for sc in revisions:
                r = self.header(sc.path)
                self.assertEqual(r["revision"], sc.revision)
                self.assertEqual(tuple(r["down_revisions"]), to_tuple(sc.down_revision, ()))
                self.assertEqual(tuple(r["branch_labels"]), sc._orig_branch_labels)
                self.assertEqual(tuple(r["depends_on"]), to_tuple(sc.dependencies, ()))
                self.assertEqual(r["message"], sc.doc.split("\n")[0])

    def test_long_doc(self):
        r = self.header(rev_file(SHOP_V, "3f1c2a9d8e47"))
        self.assertEqual(
            r["long_doc"],
            "The first tables of the shop: customers (with their status as a PostgreSQL\n"
            "enum), the product catalogue and wish lists.",
        )
        r = self.header(rev_file(SHOP_V, "8b4d7e2f1a90"))
        self.assertEqual(r["long_doc"], "")

    def test_annotated_assignments(self):
        r = self.header(rev_file(SHOP_V, "d8e0f2a4c6b5"))
        self.assertEqual(
            (r["revision"], r["down_revisions"], r["branch_labels"], r["depends_on"]),
            ("d8e0f2a4c6b5", ["7f0b2d4e6a83"], [], []),
        )

    def test_syntax_error(self):
        r = self.header(rev_file(BROKEN_V, "11aa22bb33cc"))
        self.assertEqual((r["ok"], r["error"], r["line"]), (False, "header", 18))
        self.assertIn("syntax error", r["message"])

    def test_non_literal_name(self):
        r = self.header(rev_file(BROKEN_V, "22bb33cc44dd"))
        self.assertEqual(
            r,
            {
                "ok": False,
                "error": "header",
                "line": 14,
                "message": "down_revision is not a literal (a name: PARENT); retort "
                "reads headers without running the file: write it as a string, a "
                "tuple of strings or None",
            },
        )

    def test_non_literal_call(self):
        r = self.header(rev_file(BROKEN_V, "33cc44dd55ee"))
        self.assertEqual((r["error"], r["line"]), ("header", 12))
        self.assertTrue(
            r["message"].startswith(
                'branch_labels is not a literal (a call: tuple(["billing"]))'
            ),
            r["message"],
        )

    def test_missing_revision(self):
        r = self.header(os.path.join(BROKEN_V, "helpers.py"))
        self.assertEqual(
            r,
            {
                "ok": False,
                "error": "header",
                "line": 0,
                "message": "no 'revision = ...' assignment; is this an Alembic "
                "revision file?",
            },
        )

    def test_missing_file(self):
        r = self.header("/nonexistent/a.py")
        self.assertEqual((r["ok"], r["error"], r["line"]), (False, "header", 0))

    def test_forms_alembic_accepts(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        cases = {
            "single_string_labels.py": (
                'revision = "a1"\ndown_revision = ["p1", "p2"]\n'
                'branch_labels = "billing"\ndepends_on = ("d1",)\n',
                ("a1", ["p1", "p2"], ["billing"], ["d1"]),
            ),
            "empty_and_missing.py": (
                "revision: str = 'a2'\ndown_revision: str = ''\nbranch_labels = ()\n",
                ("a2", [], [], []),
            ),
            "tuple_assignment.py": (
                "revision, down_revision = 'a3', 'p3'\n",
                ("a3", ["p3"], [], []),
            ),
            "last_one_wins.py": (
                "revision = 'old'\nrevision = 'a4'\ndown_revision = None\n",
                ("a4", [], [], []),
            ),
        }
        for name, (text, expected) in cases.items():
            r = self.header(write(os.path.join(tmp, name), text))
            self.assertTrue(r["ok"], (name, r))
            self.assertEqual(
                (r["revision"], r["down_revisions"], r["branch_labels"], r["depends_on"]),
                expected,
                name,
            )
            self.assertEqual((r["message"], r["long_doc"], r["create_date"]), ("", "", ""))
            self.assertEqual((r["upgrade_line"], r["downgrade_line"]), (0, 0))

    def test_non_literals_rejected(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        cases = {
            "fstring.py": ('P = "x"\nrevision = f"{P}1"\n', 2, "revision is not a literal (an f-string)"),
            "call.py": ('revision = "a"\ndown_revision = parent()\n', 2, "down_revision is not a literal (a call: parent())"),
            "attr.py": ('revision = "a"\ndepends_on = other.revision\n', 2, "depends_on is not a literal (an attribute: other.revision)"),
            "elt.py": ('revision = "a"\ndown_revision = ("x",\n    Y)\n', 3, "down_revision is not a literal (a name: Y)"),
            "int.py": ("revision = 5\n", 1, "revision must be a string (found 5)"),
        }
        for name, (text, line, start) in cases.items():
            r = self.header(write(os.path.join(tmp, name), text))
            self.assertEqual((r["ok"], r["error"], r["line"]), (False, "header", line), (name, r))
            self.assertTrue(r["message"].startswith(start), (name, r["message"]))

    def test_header_does_not_run_the_file(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        marker = os.path.join(tmp, "ran")
        f = write(
            os.path.join(tmp, "a_x.py"),
            '"""m"""\nopen(%r, "w").close()\nrevision = "a"\n' % marker,
        )
        self.assertEqual(self.header(f)["revision"], "a")
        self.assertFalse(os.path.exists(marker))


# --------------------------------------------------------------------- env


class TestEnv(WorkerCase):
    def test_multischema(self):
        r = self.w(op="env", path=os.path.join(MULTI, "migrations", "env.py"))
        self.assertEqual(
            r,
            {
                "ok": True,
                "schema_version_tables": {
                    "auth": "alembic_version_auth",
                    "inventory": "alembic_version_inventory",
                },
                "name": "SCHEMA_VERSION_TABLES",
                "line": 15,
                "version_table": None,
                "version_table_schema": None,
                "include_schemas": True,
            },
        )

    def test_plain_env(self):
        r = self.w(op="env", path=os.path.join(SHOP, "migrations", "env.py"))
        self.assertEqual(
            r,
            {
                "ok": True,
                "schema_version_tables": None,
                "name": None,
                "line": 0,
                "version_table": None,
                "version_table_schema": None,
                "include_schemas": None,
            },
        )

    def test_literals(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        f = write(
            os.path.join(tmp, "env.py"),
            """
            from alembic import context

            SETTINGS = {"a": "b"}
            TENANT_VERSIONS: dict = {"acme": "versions_acme", "globex": "versions_globex"}

            def run():
                context.configure(
                    url="x",
                    version_table="schema_versions",
                    version_table_schema="meta",
                    include_schemas=False,
                )
            """,
        )
        r = self.w(op="env", path=f)
        self.assertEqual(
            r,
            {
                "ok": True,
                "schema_version_tables": {"acme": "versions_acme", "globex": "versions_globex"},
                "name": "TENANT_VERSIONS",
                "line": 4,
                "version_table": "schema_versions",
                "version_table_schema": "meta",
                "include_schemas": False,
            },
        )

    def test_errors(self):
        r = self.w(op="env", path="/nonexistent/env.py")
        self.assertEqual((r["ok"], r["error"]), (False, "env"))
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        r = self.w(op="env", path=write(os.path.join(tmp, "env.py"), "x = (\n"))
        self.assertEqual((r["ok"], r["error"], r["line"]), (False, "env", 1))


# ------------------------------------------------------------ render: shop


class TestRenderPostgres(WorkerCase):
    sys_path = (SHOP,)

    def setUp(self):
        self.setup_session()

    def check(self, rev, up, down):
        path = rev_file(SHOP_V, rev)
        r = self.render(path)
        self.assertEqual(r["upgrade"]["statements"], up)
        self.assertEqual(r["downgrade"]["statements"], down)
        for name in ("upgrade", "downgrade"):
            sec = r[name]
            self.assertIsNone(sec["todo"], sec["todo"])
            self.assertEqual(sec["empty"], not sec["statements"])
            self.assertFalse(sec["needs_scratch"])
            self.assertFalse(sec["schema_used"])
            self.assertEqual(sec["function_line"], def_line(path, name))
        return r

    def test_create_table_enum_identity_check_unique_fk(self):
        r = self.check(
            "3f1c2a9d8e47",
            [
                "CREATE TYPE customer_status AS ENUM ('active', 'suspended', 'closed')",
                "CREATE TABLE customers (\n"
                "    id INTEGER GENERATED ALWAYS AS IDENTITY, \n"
                "    email VARCHAR(255) NOT NULL, \n"
                "    name VARCHAR(200), \n"
                "    fax VARCHAR(32), \n"
                "    status customer_status DEFAULT 'active' NOT NULL, \n"
                "    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, \n"
                "    PRIMARY KEY (id), \n"
                "    CONSTRAINT uq_customers_email UNIQUE (email), \n"
                "    CONSTRAINT ck_customers_email_length CHECK (char_length(email) > 3)\n"
                ")",
                "CREATE TABLE products (\n"
                "    id SERIAL NOT NULL, \n"
                "    sku VARCHAR(32) NOT NULL, \n"
                "    title VARCHAR(200) NOT NULL, \n"
                "    price NUMERIC(10, 2) NOT NULL, \n"
                "    weight_grams VARCHAR(16), \n"
                "    PRIMARY KEY (id), \n"
                "    CONSTRAINT ck_products_price_positive CHECK (price >= 0), \n"
                "    CONSTRAINT uq_products_title UNIQUE (title), \n"
                "    UNIQUE (sku)\n"
                ")",
                "CREATE TABLE wishlists (\n"
                "    customer_id INTEGER NOT NULL, \n"
                "    product_id INTEGER NOT NULL, \n"
                "    note TEXT, \n"
                "    PRIMARY KEY (customer_id, product_id), \n"
                "    FOREIGN KEY(customer_id) REFERENCES customers (id) ON DELETE CASCADE\n"
                ")",
            ],
            [
                "DROP TABLE wishlists",
                "DROP TABLE products",
                "DROP TABLE customers",
                "DROP TYPE customer_status",
            ],
        )
        path = rev_file(SHOP_V, "3f1c2a9d8e47")
        with open(path) as f:
            lines = f.read().split("\n")
        self.assertEqual(r["downgrade"]["source"], "\n".join(lines[66:71]))
        self.assertTrue(r["downgrade"]["source"].startswith("def downgrade() -> None:\n"))
        self.assertTrue(
            r["downgrade"]["source"].endswith(
                '    postgresql.ENUM(name="customer_status").drop(op.get_bind(), checkfirst=False)'
            )
        )

    def test_indexes_partial_unique_and_drop(self):
        r = self.render(rev_file(SHOP_V, "8b4d7e2f1a90"))
        self.assertEqual(
            r["upgrade"]["statements"][1:4],
            [
                "CREATE INDEX ix_orders_customer_id ON orders (customer_id)",
                "CREATE INDEX ix_orders_placed_at ON orders (placed_at)",
                "CREATE UNIQUE INDEX uq_orders_one_open_per_customer ON orders "
                "(customer_id) WHERE status = 'new'",
            ],
        )
        self.assertIn(
            "CONSTRAINT fk_orders_customer_id_customers FOREIGN KEY(customer_id) "
            "REFERENCES customers (id) ON DELETE CASCADE",
            r["upgrade"]["statements"][0],
        )
        self.assertEqual(
            r["downgrade"]["statements"],
            [
                "DROP TABLE order_items",
                "DROP INDEX uq_orders_one_open_per_customer",
                "DROP INDEX ix_orders_placed_at",
                "DROP INDEX ix_orders_customer_id",
                "DROP TABLE orders",
            ],
        )

    def test_add_column_and_alter_column(self):
        self.check(
            "c7a1e5b93d02",
            [
                "ALTER TABLE customers ADD COLUMN phone VARCHAR(32)",
                "ALTER TABLE customers ADD COLUMN loyalty_points INTEGER DEFAULT '0' NOT NULL",
                "ALTER TABLE products ALTER COLUMN weight_grams TYPE INTEGER USING weight_grams::integer",
                "ALTER TABLE customers ALTER COLUMN name SET NOT NULL",
                "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'pending'",
            ],
            [
                "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new'",
                "ALTER TABLE customers ALTER COLUMN name DROP NOT NULL",
                "ALTER TABLE products ALTER COLUMN weight_grams TYPE VARCHAR(16)",
                "ALTER TABLE customers DROP COLUMN loyalty_points",
                "ALTER TABLE customers DROP COLUMN phone",
            ],
        )

    def test_rename_and_drop_column(self):
        self.check(
            "e5d2b8c4f6a1",
            [
                "ALTER TABLE customers RENAME name TO full_name",
                "ALTER TABLE customers DROP COLUMN fax",
            ],
            [
                "ALTER TABLE customers ADD COLUMN fax VARCHAR(32)",
                "ALTER TABLE customers RENAME full_name TO name",
            ],
        )

    def test_constraints(self):
        self.check(
            "2a9c4e7b1d35",
            [
                "ALTER TABLE customers ADD CONSTRAINT uq_customers_phone UNIQUE (phone)",
                "ALTER TABLE wishlists ADD CONSTRAINT fk_wishlists_product_id_products "
                "FOREIGN KEY(product_id) REFERENCES products (id) ON DELETE CASCADE",
                "ALTER TABLE order_items ADD CONSTRAINT ck_order_items_quantity_positive "
                "CHECK (quantity > 0)",
                "ALTER TABLE products DROP CONSTRAINT uq_products_title",
                "DROP INDEX ix_orders_placed_at",
            ],
            [
                "CREATE INDEX ix_orders_placed_at ON orders (placed_at)",
                "ALTER TABLE products ADD CONSTRAINT uq_products_title UNIQUE (title)",
                "ALTER TABLE order_items DROP CONSTRAINT ck_order_items_quantity_positive",
                "ALTER TABLE wishlists DROP CONSTRAINT fk_wishlists_product_id_products",
                "ALTER TABLE customers DROP CONSTRAINT uq_customers_phone",
            ],
        )

    def test_rename_table_and_batch_on_postgresql(self):
        self.check(
            "5e8f1b3c7a24",
            [
                "ALTER TABLE products RENAME TO catalog_items",
                "ALTER SEQUENCE products_id_seq RENAME TO catalog_items_id_seq",
                "ALTER TABLE catalog_items ADD COLUMN discontinued BOOLEAN DEFAULT false NOT NULL",
                "ALTER TABLE catalog_items ALTER COLUMN title TYPE VARCHAR(300)",
            ],
            [
                "ALTER TABLE catalog_items ALTER COLUMN title TYPE VARCHAR(200)",
                "ALTER TABLE catalog_items DROP COLUMN discontinued",
                "ALTER TABLE catalog_items RENAME TO products",
                "ALTER SEQUENCE catalog_items_id_seq RENAME TO products_id_seq",
            ],
        )

    def test_bulk_insert_with_project_helper_module(self):
        self.check(
            "9d3a6c2e8f17",
            [
                "CREATE TABLE order_statuses (\n"
                "    code VARCHAR(20) NOT NULL, \n"
                "    label VARCHAR(100) NOT NULL, \n"
                "    is_final BOOLEAN NOT NULL, \n"
                "    PRIMARY KEY (code)\n"
                ")",
                "INSERT INTO order_statuses (code, label, is_final) VALUES ('pending', 'Pending payment', false)",
                "INSERT INTO order_statuses (code, label, is_final) VALUES ('paid', 'Paid', false)",
                "INSERT INTO order_statuses (code, label, is_final) VALUES ('shipped', 'Shipped', false)",
                "INSERT INTO order_statuses (code, label, is_final) VALUES ('delivered', 'Delivered', true)",
                "INSERT INTO order_statuses (code, label, is_final) VALUES "
                "('cancelled', 'Cancelled (customer''s request)', true)",
                "UPDATE orders SET status = 'pending' WHERE status = 'new'",
                "ALTER TABLE orders ADD CONSTRAINT fk_orders_status_order_statuses "
                "FOREIGN KEY(status) REFERENCES order_statuses (code)",
            ],
            [
                "ALTER TABLE orders DROP CONSTRAINT fk_orders_status_order_statuses",
                "DROP TABLE order_statuses",
            ],
        )

    def test_helper_module_needs_sys_path(self):
        self.setup_session(sys_path=[])
        r = self.render(rev_file(SHOP_V, "9d3a6c2e8f17"))
        for name in ("upgrade", "downgrade"):
            self.assertEqual(
                r[name]["todo"],
                {
                    "line": 11,
                    "reason": "ModuleNotFoundError: No module named 'shopdb' "
                    "(9d3a6c2e8f17_order_statuses.py:11)",
                },
            )
            self.assertFalse(r[name]["empty"])

    def test_execute_raw_sql_kept_verbatim(self):
        self.check(
            "4c6e8a0b2d91",
            [
                "CREATE TABLE daily_sales (\n"
                "    day DATE NOT NULL, \n"
                "    orders INTEGER NOT NULL, \n"
                "    revenue NUMERIC(14, 2) NOT NULL, \n"
                "    PRIMARY KEY (day)\n"
                ")",
                "CREATE VIEW open_orders AS\n"
                "            SELECT o.id, o.customer_id, o.total\n"
                "            FROM orders o\n"
                "            WHERE o.status IN ('new', 'pending');\n"
                "        COMMENT ON VIEW open_orders IS 'orders not paid yet';",
            ],
            ["DROP VIEW open_orders", "DROP TABLE daily_sales"],
        )

    def test_merge_revision_is_empty(self):
        r = self.check("7f0b2d4e6a83", [], [])
        self.assertTrue(r["upgrade"]["empty"])
        self.assertTrue(r["downgrade"]["empty"])
        self.assertEqual(r["upgrade"]["source"], "def upgrade() -> None:\n    pass")

    def test_downgrade_pass_is_empty(self):
        r = self.render(rev_file(SHOP_V, "b1f7d9a3c5e2"))
        self.assertEqual(r["downgrade"]["statements"], [])
        self.assertTrue(r["downgrade"]["empty"])
        self.assertIsNone(r["downgrade"]["todo"])
        self.assertEqual(r["downgrade"]["function_line"], 32)

    def test_annotated_header_revision(self):
        self.check(
            "d8e0f2a4c6b5",
            ["DROP TABLE wishlists"],
            [
                "CREATE TABLE wishlists (\n"
                "    customer_id INTEGER NOT NULL, \n"
                "    product_id INTEGER NOT NULL, \n"
                "    note TEXT, \n"
                "    PRIMARY KEY (customer_id, product_id), \n"
                "    FOREIGN KEY(customer_id) REFERENCES customers (id) ON DELETE CASCADE, \n"
                "    CONSTRAINT fk_wishlists_product_id_products FOREIGN KEY(product_id) "
                "REFERENCES catalog_items (id) ON DELETE CASCADE\n"
                ")",
            ],
        )

    def test_every_shop_revision_renders(self):
        todo = {"b1f7d9a3c5e2", "0e6a3c9f2b58", "6b2d8f4a1c37"}
        for rev in HEADERS[SHOP_V]:
            r = self.render(rev_file(SHOP_V, rev))
            self.assertEqual(r["upgrade"]["todo"] is not None, rev in todo, rev)
            self.assertIsNone(r["downgrade"]["todo"], rev)

    def test_repeated_renders_are_identical(self):
        path = rev_file(SHOP_V, "3f1c2a9d8e47")
        first = self.render(path)
        self.render(rev_file(BROKEN_V, "55ee66ff7788"))  # raises inside upgrade()
        second = self.render(path)
        self.assertEqual(first, second)

    def test_no_op_proxy_leaks_between_renders(self):
        # Revision code that uses `op` at import time fails in Alembic (the
        # proxy only exists while upgrade() runs); a leaked proxy from an
        # earlier render would make it work here.
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        self.render(rev_file(BROKEN_V, "55ee66ff7788"))
        f = write(
            os.path.join(tmp, "aa_x.py"),
            revision_text("aa", None, "pass", tail="BIND = op.get_bind()\n"),
        )
        r = self.render(f)
        line = line_of(f, "BIND = op.get_bind()")
        self.assertEqual(
            r["upgrade"]["todo"],
            {
                "line": line,
                "reason": "AttributeError: 'NoneType' object has no attribute "
                "'get_bind' (aa_x.py:%d)" % line,
            },
        )

    def test_missing_function(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        f = write(
            os.path.join(tmp, "aa_x.py"),
            'from alembic import op\nrevision = "aa"\ndown_revision = None\n\n\n'
            'def upgrade():\n    op.drop_table("t")\n',
        )
        r = self.render(f)
        self.assertEqual(r["upgrade"]["statements"], ["DROP TABLE t"])
        self.assertEqual(
            r["downgrade"],
            {
                "statements": [],
                "empty": True,
                "todo": None,
                "needs_scratch": False,
                "function_line": 0,
                "source": "",
                "schema_used": False,
            },
        )

    def test_execute_with_parameters_and_percent(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        f = write(
            os.path.join(tmp, "aa_x.py"),
            revision_text(
                "aa",
                None,
                """
                op.execute("UPDATE items SET flag = 1 WHERE sku LIKE 'DISC-%'")
                conn = op.get_bind()
                conn.execute(
                    sa.text("UPDATE items SET name = :n WHERE id = :i"),
                    {"n": "it's 100%", "i": 7},
                )
                t = sa.table("items", sa.column("id", sa.Integer), sa.column("name", sa.String))
                conn.execute(t.insert(), [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
                op.execute(t.update().where(t.c.id == 3).values(name=None))
                """,
            ),
        )
        r = self.render(f)
        self.assertIsNone(r["upgrade"]["todo"])
        self.assertEqual(
            r["upgrade"]["statements"],
            [
                "UPDATE items SET flag = 1 WHERE sku LIKE 'DISC-%'",
                "UPDATE items SET name = 'it''s 100%' WHERE id = 7",
                "INSERT INTO items (id, name) VALUES (1, 'a')",
                "INSERT INTO items (id, name) VALUES (2, 'b')",
                "UPDATE items SET name=NULL WHERE items.id = 3",
            ],
        )

    def test_context_config_and_x_arguments(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        self.setup_session(x={"tenant": "acme"}, ini=os.path.join(SHOP, "alembic.ini"))
        f = write(
            os.path.join(tmp, "aa_x.py"),
            revision_text(
                "aa",
                None,
                """
                x = context.get_x_argument(as_dictionary=True)
                url = context.config.get_main_option("sqlalchemy.url")
                op.execute("-- %s %s %s %s" % (x["tenant"], x["schema"], url, context.is_offline_mode()))
                """,
                tail="from alembic import context\n",
            ),
        )
        r = self.render(f)
        self.assertEqual(
            r["upgrade"]["statements"],
            ["-- acme retort_schema_sentinel postgresql://shop:shop@localhost/shop True"],
        )
        self.assertTrue(r["upgrade"]["schema_used"])

    def test_batch_recreate_on_postgresql_is_a_todo_without_scratch(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        f = write(
            os.path.join(tmp, "aa_x.py"),
            revision_text(
                "aa",
                None,
                'with op.batch_alter_table("t", recreate="always") as b:\n'
                '    b.drop_column("c")',
            ),
        )
        r = self.render(f)
        self.assertFalse(r["upgrade"]["needs_scratch"])
        self.assertEqual(r["upgrade"]["todo"]["line"], 18)
        self.assertTrue(
            r["upgrade"]["todo"]["reason"].startswith(
                "This operation cannot proceed in --sql mode; batch mode with dialect "
                "postgresql requires a live database connection"
            )
        )

    def test_render_errors(self):
        r = self.w(op="render", path="/nonexistent/x.py", module_name="m")
        self.assertEqual((r["ok"], r["error"]), (False, "render"))
        w = Worker()
        try:
            r = w(op="render", path=rev_file(SHOP_V, "3f1c2a9d8e47"), module_name="m")
            self.assertEqual((r["ok"], r["error"]), (False, "setup"))
            r = w(op="setup", dialect="oracle9000", sys_path=[], x={})
            self.assertEqual((r["ok"], r["error"]), (False, "setup"))
        finally:
            w.close()


# ----------------------------------------------------- render: data reads


class TestDataMigrations(WorkerCase):
    sys_path = (SHOP,)

    def setUp(self):
        self.setup_session()

    def test_detected_both_ways_render_time_wins(self):
        r = self.render(rev_file(SHOP_V, "b1f7d9a3c5e2"))
        up = r["upgrade"]
        self.assertEqual(
            up["todo"],
            {
                "line": 22,
                "reason": "reads rows: the result of execute() at "
                "b1f7d9a3c5e2_backfill_loyalty_points.py:22 is used (.fetchall at "
                "b1f7d9a3c5e2_backfill_loyalty_points.py:24); offline there is no "
                "database to read",
            },
        )
        self.assertFalse(up["empty"])
        self.assertTrue(r["downgrade"]["empty"])

    def test_static_only_gated_branch(self):
        # The backfill only runs with -x backfill=yes: rendering never reaches
        # it, the ast scan (following the module's helper function) does.
        r = self.render(rev_file(SHOP_V, "6b2d8f4a1c37"))
        self.assertEqual(
            r["upgrade"]["todo"],
            {
                "line": 30,
                "reason": "reads rows: the result of conn.execute(...) (line 30) is "
                "used (line 36)",
            },
        )
        self.assertEqual(
            r["upgrade"]["statements"],
            ["ALTER TABLE orders ADD COLUMN items_total NUMERIC(12, 2)"],
        )
        self.assertIsNone(r["downgrade"]["todo"])

    def test_render_time_only_read_in_a_helper_module(self):
        # The rows are read inside shopdb/backfill.py, which the ast scan does
        # not follow; the poisoned result catches it.
        r = self.render(rev_file(SHOP_V, "0e6a3c9f2b58"))
        self.assertEqual(
            r["upgrade"]["todo"],
            {
                "line": 35,
                "reason": "reads rows: the result of execute() at "
                "shopdb/backfill.py:7 is used (.fetchall at shopdb/backfill.py:14); "
                "offline there is no database to read",
            },
        )
        self.assertEqual(
            r["downgrade"]["statements"], ["ALTER TABLE customers DROP COLUMN welcome_credit"]
        )

    def test_static_only_with_x_argument_render_time_with_it(self):
        self.setup_session(x={"backfill": "yes"})
        r = self.render(rev_file(SHOP_V, "6b2d8f4a1c37"))
        todo = r["upgrade"]["todo"]
        self.assertEqual(todo["line"], 30)
        self.assertIn("iterated", todo["reason"])

    def test_harmless_bind_uses_are_not_data_migrations(self):
        # dialect.name checks (5e8f1b3c7a24) and ENUM(...).drop(op.get_bind())
        # (3f1c2a9d8e47) render normally.
        for rev in ("5e8f1b3c7a24", "3f1c2a9d8e47"):
            r = self.render(rev_file(SHOP_V, rev))
            self.assertIsNone(r["upgrade"]["todo"])
            self.assertIsNone(r["downgrade"]["todo"])

    def make(self, body, tail=""):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        return write(os.path.join(tmp, "aa_x.py"), revision_text("aa", None, body, tail=tail))

    def test_static_rules(self):
        # (body, module tail, expected reason prefix). Each body runs under
        # `if RUN:` with RUN false, so only the ast scan can see it; the
        # body's first line is line 19 of the generated file.
        cases = [
            (
                "session = Session(bind=op.get_bind())\nsession.query(User).delete()",
                "from sqlalchemy.orm import Session\nUser = None\n",
                "reads rows: opens an ORM session (Session(...), line 19)",
            ),
            (
                "insp = sa.inspect(op.get_bind())\nif 'legacy' in insp.get_table_names():\n    op.drop_table('legacy')",
                "",
                "reads the live database: sa.inspect(...) on the connection "
                "(op.get_bind(), line 19)",
            ),
            (
                "n = op.get_bind().scalar(sa.text('SELECT count(*) FROM t'))\nop.execute('SELECT %d' % n)",
                "",
                "reads rows: op.get_bind().scalar(...) reads a value",
            ),
            (
                "for row in op.get_bind().execute(sa.text('SELECT 1')):\n    pass",
                "",
                "reads rows: iterates over the result of op.get_bind().execute(...)",
            ),
            (
                "t = sa.Table('t', sa.MetaData(), autoload_with=op.get_bind())",
                "",
                "reads the live database: reflects a table",
            ),
        ]
        for body, tail, prefix in cases:
            body = "if RUN:\n" + textwrap.indent(body, "    ")
            r = self.render(self.make(body, tail + "RUN = False\n"))
            todo = r["upgrade"]["todo"]
            self.assertIsNotNone(todo, body)
            self.assertEqual(todo["line"], 19, (body, todo))
            self.assertTrue(todo["reason"].startswith(prefix), (body, todo))
            self.assertEqual(r["upgrade"]["statements"], [])

    def test_static_rules_through_get_context(self):
        # The migration context's connection (op.get_context().bind or
        # .connection, directly or through a name) is the same mock
        # connection as op.get_bind(): reading through it is caught by the
        # ast scan alone (each body runs under `if RUN:` with RUN false, its
        # first line is line 19).
        cases = [
            (
                "insp = sa.inspect(op.get_context().bind)\n"
                "if 'legacy' in insp.get_table_names():\n"
                "    op.drop_table('legacy')",
                "",
                19,
                "reads the live database: sa.inspect(...) on the connection "
                "(op.get_context().bind, line 19)",
            ),
            (
                "insp = inspect(op.get_context().bind)\n"
                "if insp.has_table('legacy'):\n"
                "    op.drop_table('legacy')",
                "from sqlalchemy import inspect\n",
                19,
                "reads the live database: inspect(...) on the connection "
                "(op.get_context().bind, line 19)",
            ),
            (
                "ctx = op.get_context()\n"
                "if sa.inspect(ctx.bind).has_table('legacy'):\n"
                "    op.drop_table('legacy')",
                "",
                20,
                "reads the live database: sa.inspect(...) on the connection "
                "(ctx.bind, line 20)",
            ),
            (
                "rows = op.get_context().connection.execute(sa.text('SELECT id FROM t')).fetchall()\n"
                "for row in rows:\n"
                "    op.execute('DELETE FROM u WHERE t_id = %d' % row.id)",
                "",
                19,
                "reads rows: op.get_context().connection.execute(...).fetchall is "
                "used (line 19)",
            ),
            (
                "conn = op.get_context().bind\n"
                "n = conn.scalar(sa.text('SELECT count(*) FROM t'))",
                "",
                20,
                "reads rows: conn.scalar(...) reads a value from the database "
                "(line 20)",
            ),
        ]
        for body, tail, line, reason in cases:
            body = "if RUN:\n" + textwrap.indent(body, "    ")
            r = self.render(self.make(body, tail + "RUN = False\n"))
            self.assertEqual(r["upgrade"]["todo"], {"line": line, "reason": reason}, body)
            self.assertEqual(r["upgrade"]["statements"], [])

    def test_inspect_through_get_context_at_render_time(self):
        # Run offline, the inspector would read the mock connection and fail
        # with SQLAlchemy's error deep inside has_table(); the scan names
        # the real reason.
        f = self.make(
            "ctx = op.get_context()\n"
            "if not sa.inspect(ctx.bind).has_table('legacy'):\n"
            "    op.create_table('legacy', sa.Column('id', sa.Integer))"
        )
        r = self.render(f)
        self.assertEqual(
            r["upgrade"]["todo"],
            {
                "line": 19,
                "reason": "reads the live database: sa.inspect(...) on the "
                "connection (ctx.bind, line 19)",
            },
        )

    def test_scalar_read_at_render_time(self):
        f = self.make("n = op.get_bind().scalar(sa.text('SELECT count(*) FROM t'))")
        r = self.render(f)
        self.assertEqual(
            r["upgrade"]["todo"],
            {
                "line": 18,
                "reason": "reads rows: scalar() at aa_x.py:18 reads a value; offline "
                "there is no database to read",
            },
        )
        self.assertEqual(r["upgrade"]["statements"], ["SELECT count(*) FROM t"])

    def test_writes_through_the_bind_are_rendered_not_flagged(self):
        f = self.make(
            "conn = op.get_bind()\n"
            "result = conn.execute(sa.text(\"UPDATE t SET a = 1\"))\n"
            "conn.execute(sa.text(\"DELETE FROM t WHERE a = 2\"))\n"
            "if conn.dialect.name == 'postgresql':\n"
            "    op.execute('VACUUM t')"
        )
        r = self.render(f)
        self.assertIsNone(r["upgrade"]["todo"])
        self.assertEqual(
            r["upgrade"]["statements"],
            ["UPDATE t SET a = 1", "DELETE FROM t WHERE a = 2", "VACUUM t"],
        )

    def test_swallowed_read_is_still_detected(self):
        f = self.make(
            "try:\n"
            "    rows = list(helper_rows(op.get_bind()))\n"
            "except:  # noqa: E722\n"
            "    rows = []\n"
            "op.execute('SELECT %d' % len(rows))",
            "def helper_rows(c):\n    return getattr(c, 'execute')(sa.text('SELECT 1'))\n",
        )
        r = self.render(f)
        todo = r["upgrade"]["todo"]
        self.assertEqual(todo["line"], line_of(f, "getattr(c, 'execute')"))
        self.assertIn("iterated", todo["reason"])
        self.assertEqual(r["upgrade"]["statements"], ["SELECT 1", "SELECT 0"])


# ------------------------------------------------------ render: multischema


class TestRenderMultischema(WorkerCase):
    sys_path = (MULTI,)

    def setUp(self):
        self.setup_session()

    def test_schema_kwarg_gets_the_sentinel(self):
        r = self.render(rev_file(MULTI_V, "1a7f3c5e9b20"))
        self.assertEqual(
            r["upgrade"]["statements"],
            [
                "CREATE SCHEMA IF NOT EXISTS auth",
                "CREATE TABLE retort_schema_sentinel.users (\n"
                "    id SERIAL NOT NULL, \n"
                "    email VARCHAR(255) NOT NULL, \n"
                "    password_hash VARCHAR(128) NOT NULL, \n"
                "    PRIMARY KEY (id), \n"
                "    CONSTRAINT uq_users_email UNIQUE (email)\n"
                ")",
            ],
        )
        self.assertEqual(r["downgrade"]["statements"], ["DROP TABLE retort_schema_sentinel.users"])
        self.assertTrue(r["upgrade"]["schema_used"])
        self.assertTrue(r["downgrade"]["schema_used"])

    def test_schema_qualified_index_and_foreign_key(self):
        r = self.render(rev_file(MULTI_V, "8f0a2c4e6b71"))
        self.assertEqual(
            r["upgrade"]["statements"][1],
            "ALTER TABLE retort_schema_sentinel.stock_movements ADD CONSTRAINT "
            "fk_stock_movements_item_id_items FOREIGN KEY(item_id) REFERENCES "
            "retort_schema_sentinel.items (id)",
        )
        r = self.render(rev_file(MULTI_V, "6d2b8e0f4a13"))
        self.assertEqual(
            r["downgrade"]["statements"],
            [
                "DROP INDEX retort_schema_sentinel.ix_users_is_admin",
                "ALTER TABLE retort_schema_sentinel.users DROP COLUMN is_admin",
            ],
        )

    def test_unqualified_names_do_not_use_the_sentinel(self):
        r = self.render(rev_file(MULTI_V, "c4e6a8b0d2f5"))
        self.assertFalse(r["upgrade"]["schema_used"])
        self.assertFalse(r["downgrade"]["schema_used"])
        self.assertEqual(
            r["upgrade"]["statements"][1], "ALTER TABLE users ADD COLUMN last_login_at timestamptz"
        )

    def test_kwargs_signature(self):
        r = self.render(rev_file(MULTI_V, "e2f4a6c8d0b9"))
        self.assertEqual(
            r["upgrade"]["statements"],
            [
                "ALTER TABLE retort_schema_sentinel.items ADD COLUMN reorder_level "
                "INTEGER DEFAULT '10' NOT NULL",
                "UPDATE items SET reorder_level = 0 WHERE sku LIKE 'DISC-%'",
            ],
        )
        self.assertEqual(
            r["downgrade"]["statements"],
            ["ALTER TABLE retort_schema_sentinel.items DROP COLUMN reorder_level"],
        )
        self.assertTrue(r["downgrade"]["schema_used"])

    def test_explicit_schema_x_argument(self):
        self.setup_session(x={"schema": "inventory"})
        r = self.render(rev_file(MULTI_V, "3b5d7f9a1c2e"))
        self.assertEqual(
            r["upgrade"]["statements"][2], "CREATE UNIQUE INDEX ix_items_sku ON inventory.items (sku)"
        )
        self.assertFalse(r["upgrade"]["schema_used"])

    def test_function_without_schema_parameter_gets_none(self):
        self.setup_session(sys_path=[SHOP])
        r = self.render(rev_file(SHOP_V, "e5d2b8c4f6a1"))
        self.assertFalse(r["upgrade"]["schema_used"])
        self.assertIsNone(r["upgrade"]["todo"])


# ----------------------------------------------------------- render: errors


class TestRenderErrors(WorkerCase):
    sys_path = (BROKEN,)

    def setUp(self):
        self.setup_session()

    def test_syntax_error(self):
        r = self.render(rev_file(BROKEN_V, "11aa22bb33cc"))
        for name in ("upgrade", "downgrade"):
            self.assertEqual(
                r[name]["todo"],
                {
                    "line": 18,
                    "reason": "SyntaxError: invalid syntax. Perhaps you forgot a comma? "
                    "(11aa22bb33cc_syntax_error.py:18)",
                },
            )
            self.assertEqual((r[name]["statements"], r[name]["empty"]), ([], False))

    def test_import_error_at_module_level(self):
        r = self.render(rev_file(BROKEN_V, "44dd55ee66ff"))
        for name, line in (("upgrade", 19), ("downgrade", 23)):
            self.assertEqual(
                r[name]["todo"],
                {
                    "line": 11,
                    "reason": "ModuleNotFoundError: No module named 'billing_legacy' "
                    "(44dd55ee66ff_import_error.py:11)",
                },
            )
            self.assertEqual(r[name]["function_line"], line)
            self.assertTrue(r[name]["source"].startswith("def %s():" % name))

    def test_exceptions_in_project_code(self):
        r = self.render(rev_file(BROKEN_V, "55ee66ff7788"))
        self.assertEqual(
            r["upgrade"]["todo"],
            {"line": 23, "reason": "KeyError: 'uk' (55ee66ff7788_raises.py:23)"},
        )
        self.assertEqual(
            r["downgrade"]["todo"],
            {
                "line": 28,
                "reason": "NotImplementedError: currency cannot be removed once "
                "invoices use it (55ee66ff7788_raises.py:28)",
            },
        )

    def test_exception_inside_alembic_names_both_places(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        f = write(
            os.path.join(tmp, "aa_x.py"),
            revision_text(
                "aa",
                None,
                'op.execute("SELECT 1")\nop.bulk_insert(sa.table("t", sa.column("a")), {"a": 1})',
            ),
        )
        r = self.render(f)
        todo = r["upgrade"]["todo"]
        self.assertEqual(todo["line"], 19)
        self.assertRegex(
            todo["reason"], r"^TypeError: List expected \(alembic/ddl/impl\.py:\d+, from aa_x\.py:19\)$"
        )
        self.assertEqual(r["upgrade"]["statements"], ["SELECT 1"])

    def test_non_literal_header_still_renders(self):
        # headers are the header op's business; render runs the module
        r = self.render(rev_file(BROKEN_V, "22bb33cc44dd"))
        self.assertEqual(
            r["upgrade"]["statements"], ["ALTER TABLE invoices ADD COLUMN paid BOOLEAN"]
        )

    def test_not_a_revision_is_empty(self):
        r = self.render(os.path.join(BROKEN_V, "helpers.py"))
        self.assertTrue(r["upgrade"]["empty"])
        self.assertEqual(r["upgrade"]["function_line"], 0)


# ------------------------------------------------- fixtures vs real Alembic


class TestFixturesWithAlembic(unittest.TestCase):
    """Debian's Alembic accepts the fixture projects."""

    def alembic(self, ini, *args):
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        return subprocess.run(
            [PY, "-m", "alembic", "-c", ini] + list(args),
            capture_output=True,
            text=True,
            cwd=os.path.dirname(ini),
            env=env,
            timeout=120,
        )

    def test_heads(self):
        for ini, heads in (
            (os.path.join(SHOP, "alembic.ini"), ["6b2d8f4a1c37 (reporting) (head)"]),
            (
                os.path.join(MULTI, "alembic.ini"),
                ["c4e6a8b0d2f5 (auth) (head)", "e2f4a6c8d0b9 (inventory) (head)"],
            ),
            (os.path.join(LITE, "alembic.ini"), ["d0c8e6a4b2f1 (head)"]),
        ):
            p = self.alembic(ini, "heads")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(sorted(p.stdout.split("\n")[:-1]), heads)

    def test_shop_offline_sql_up_to_the_data_migration(self):
        p = self.alembic(os.path.join(SHOP, "alembic.ini"), "upgrade", "9d3a6c2e8f17", "--sql")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("CREATE TYPE customer_status AS ENUM", p.stdout)
        # the data migration is exactly what offline mode cannot do
        p = self.alembic(os.path.join(SHOP, "alembic.ini"), "upgrade", "9d3a6c2e8f17:b1f7d9a3c5e2", "--sql")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("'NoneType' object has no attribute 'fetchall'", p.stderr)


# ----------------------------------------------------------- render: SQLite


LITE_ORDER = ["5c1e9a3f7b20", "9e4b2d6f8a13", "2f7a1c9e5d34", "7b3d5f1e9c62", "d0c8e6a4b2f1"]
BATCH_REFUSAL = (
    "This operation cannot proceed in --sql mode; batch mode with dialect sqlite "
    'requires a live database connection with which to reflect the table "notes". '
    'To generate a batch SQL migration script using table "move and copy", a '
    'complete Table object should be passed to the "copy_from" argument of the '
    "batch_alter_table() method so that table reflection can be skipped."
)

NOTES_REBUILT = [
    "CREATE TABLE _alembic_tmp_notes (\n"
    "    id INTEGER NOT NULL, \n"
    "    title VARCHAR(100), \n"
    "    body TEXT DEFAULT ('') NOT NULL, \n"
    "    created_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL, \n"
    "    pinned BOOLEAN, \n"
    "    PRIMARY KEY (id)\n"
    ")",
    "INSERT INTO _alembic_tmp_notes (id, title, body, created_at, pinned) SELECT "
    "notes.id, notes.title, notes.body, notes.created_at, notes.pinned \nFROM notes",
    "DROP TABLE notes",
    "ALTER TABLE _alembic_tmp_notes RENAME TO notes",
    "CREATE INDEX ix_notes_created_at ON notes (created_at)",
]


class TestRenderSqlite(WorkerCase):
    dialect = "sqlite"
    sys_path = (LITE,)

    def setUp(self):
        self.setup_session()

    def chain(self, rev):
        i = LITE_ORDER.index(rev)
        return [rev_file(LITE_V, r) for r in LITE_ORDER[:i]]

    def test_offline_create_table(self):
        r = self.render(rev_file(LITE_V, "5c1e9a3f7b20"))
        self.assertEqual(
            r["upgrade"]["statements"],
            [
                "CREATE TABLE notes (\n"
                "    id INTEGER NOT NULL, \n"
                "    title VARCHAR(100), \n"
                "    body TEXT DEFAULT '' NOT NULL, \n"
                "    archived BOOLEAN DEFAULT (0) NOT NULL, \n"
                "    created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, \n"
                "    PRIMARY KEY (id)\n"
                ")",
                "CREATE INDEX ix_notes_created_at ON notes (created_at)",
            ],
        )
        self.assertEqual(
            r["downgrade"]["statements"], ["DROP INDEX ix_notes_created_at", "DROP TABLE notes"]
        )

    def test_offline_batch_refused_needs_scratch(self):
        r = self.render(rev_file(LITE_V, "9e4b2d6f8a13"))
        self.assertIsNone(r["upgrade"]["todo"])
        self.assertFalse(r["upgrade"]["needs_scratch"])
        self.assertEqual(
            r["upgrade"]["statements"][3:],
            [
                "INSERT INTO notes (id, title, body) VALUES (1, 'Welcome', 'It''s your first note.')",
                "INSERT INTO tags (id, name, note_id) VALUES (1, 'inbox', 1)",
            ],
        )
        down = r["downgrade"]
        self.assertTrue(down["needs_scratch"])
        self.assertEqual(down["todo"], {"line": 37, "reason": BATCH_REFUSAL})
        self.assertEqual(down["statements"], ["DELETE FROM notes WHERE id = 1"])
        r = self.render(rev_file(LITE_V, "2f7a1c9e5d34"))
        self.assertTrue(r["upgrade"]["needs_scratch"])
        self.assertTrue(r["downgrade"]["needs_scratch"])

    def test_offline_batch_with_copy_from(self):
        r = self.render(rev_file(LITE_V, "d0c8e6a4b2f1"))
        self.assertIsNone(r["upgrade"]["todo"])
        self.assertEqual(
            r["upgrade"]["statements"],
            [
                "CREATE TABLE _alembic_tmp_tags (\n"
                "    id INTEGER NOT NULL, \n"
                "    name VARCHAR(40) NOT NULL, \n"
                "    note_id INTEGER NOT NULL, \n"
                "    PRIMARY KEY (id), \n"
                "    CONSTRAINT uq_tags_note_id_name UNIQUE (note_id, name), \n"
                "    FOREIGN KEY(note_id) REFERENCES notes (id)\n"
                ")",
                "INSERT INTO _alembic_tmp_tags (id, name, note_id) SELECT tags.id, "
                "tags.name, tags.note_id \nFROM tags",
                "DROP TABLE tags",
                "ALTER TABLE _alembic_tmp_tags RENAME TO tags",
                "CREATE INDEX ix_tags_name ON tags (name)",
            ],
        )

    def test_scratch_drop_column(self):
        r = self.render(rev_file(LITE_V, "2f7a1c9e5d34"), scratch_chain=self.chain("2f7a1c9e5d34"))
        up, down = r["upgrade"], r["downgrade"]
        self.assertIsNone(up["todo"])
        self.assertFalse(up["needs_scratch"])
        self.assertEqual(up["statements"], NOTES_REBUILT)
        self.assertIsNone(down["todo"])
        self.assertEqual(
            down["statements"][0],
            "CREATE TABLE _alembic_tmp_notes (\n"
            "    id INTEGER NOT NULL, \n"
            "    title VARCHAR(100), \n"
            "    body TEXT DEFAULT ('') NOT NULL, \n"
            "    created_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL, \n"
            "    pinned BOOLEAN, \n"
            "    archived BOOLEAN DEFAULT (0) NOT NULL, \n"
            "    PRIMARY KEY (id)\n"
            ")",
        )
        self.assertEqual(down["statements"][1:], NOTES_REBUILT[1:])

    def test_scratch_alter_column_type(self):
        r = self.render(rev_file(LITE_V, "7b3d5f1e9c62"), scratch_chain=self.chain("7b3d5f1e9c62"))
        up = r["upgrade"]
        self.assertIsNone(up["todo"])
        self.assertEqual(up["statements"][0], "UPDATE notes SET title = 'Untitled' WHERE title IS NULL")
        self.assertEqual(
            up["statements"][1],
            "CREATE TABLE _alembic_tmp_notes (\n"
            "    id INTEGER NOT NULL, \n"
            "    title VARCHAR(200) NOT NULL, \n"
            "    body TEXT DEFAULT ('') NOT NULL, \n"
            "    created_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL, \n"
            "    pinned BOOLEAN, \n"
            "    PRIMARY KEY (id), \n"
            "    CONSTRAINT uq_notes_title UNIQUE (title)\n"
            ")",
        )
        self.assertEqual(up["statements"][2:], NOTES_REBUILT[1:])
        self.assertEqual(r["downgrade"]["statements"][0], NOTES_REBUILT[0])
        self.assertIsNone(r["downgrade"]["todo"])

    def test_scratch_downgrade_only_batch(self):
        r = self.render(rev_file(LITE_V, "9e4b2d6f8a13"), scratch_chain=self.chain("9e4b2d6f8a13"))
        self.assertEqual(
            r["upgrade"]["statements"][3:],
            [
                "INSERT INTO notes (id, title, body) VALUES (1, 'Welcome', 'It''s your first note.')",
                "INSERT INTO tags (id, name, note_id) VALUES (1, 'inbox', 1)",
            ],
        )
        down = r["downgrade"]["statements"]
        self.assertEqual(down[0], "DELETE FROM notes WHERE id = 1")
        self.assertTrue(down[1].startswith("CREATE TABLE _alembic_tmp_notes ("))
        self.assertNotIn("pinned", down[1])
        self.assertEqual(down[-2:], ["DROP INDEX ix_tags_name", "DROP TABLE tags"])

    def test_scratch_inlines_parameters(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        f = write(
            os.path.join(tmp, "aa_x.py"),
            revision_text(
                "aa",
                "d0c8e6a4b2f1",
                """
                conn = op.get_bind()
                conn.execute(
                    sa.text("UPDATE notes SET title = :t, pinned = :p WHERE id = :i"),
                    {"t": "it's ? here", "p": None, "i": 1},
                )
                notes = sa.table("notes", sa.column("id"), sa.column("title"))
                conn.execute(notes.insert(), [{"id": 5, "title": "a"}, {"id": 6, "title": "b"}])
                with op.batch_alter_table("notes") as b:
                    b.drop_column("pinned")
                """,
            ),
        )
        r = self.render(f, scratch_chain=[rev_file(LITE_V, x) for x in LITE_ORDER])
        up = r["upgrade"]
        self.assertIsNone(up["todo"])
        self.assertEqual(
            up["statements"][:3],
            [
                "UPDATE notes SET title = 'it''s ? here', pinned = NULL WHERE id = 1",
                "INSERT INTO notes (id, title) VALUES (5, 'a')",
                "INSERT INTO notes (id, title) VALUES (6, 'b')",
            ],
        )
        self.assertTrue(up["statements"][3].startswith("CREATE TABLE _alembic_tmp_notes ("))
        self.assertTrue(r["downgrade"]["empty"])

    def test_scratch_run_failure(self):
        # Without its parent, tags' upgrade inserts into a missing table.
        r = self.render(rev_file(LITE_V, "9e4b2d6f8a13"), scratch_chain=[])
        todo = r["upgrade"]["todo"]
        self.assertEqual(todo["line"], line_of(rev_file(LITE_V, "9e4b2d6f8a13"), "op.add_column("))
        self.assertTrue(
            todo["reason"].startswith(
                "scratch database: OperationalError: (sqlite3.OperationalError) no such table: notes"
            ),
            todo,
        )
        self.assertEqual(
            r["downgrade"]["todo"],
            {
                "line": 35,
                "reason": "scratch database: not at this revision, its upgrade() failed",
            },
        )

    def test_scratch_chain_failure(self):
        self.setup_session(sys_path=[LITE, BROKEN])
        chain = self.chain("2f7a1c9e5d34")
        chain.insert(1, rev_file(BROKEN_V, "55ee66ff7788"))
        r = self.render(rev_file(LITE_V, "2f7a1c9e5d34"), scratch_chain=chain)
        for name in ("upgrade", "downgrade"):
            self.assertEqual(
                r[name]["todo"]["reason"],
                "scratch database: upgrading through 55ee66ff7788_raises.py (ancestor 2 "
                "of 3) failed: KeyError: 'uk' (55ee66ff7788_raises.py:23)",
            )

    def test_scratch_detects_data_reads(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        f = write(
            os.path.join(tmp, "aa_x.py"),
            revision_text(
                "aa",
                "d0c8e6a4b2f1",
                """
                ids = [r[0] for r in fetch(op.get_bind())]
                with op.batch_alter_table("notes") as b:
                    b.drop_column("pinned")
                """,
                tail="def fetch(c):\n    return getattr(c, 'execute')(sa.text('SELECT id FROM notes'))\n",
            ),
        )
        r = self.render(f, scratch_chain=[rev_file(LITE_V, x) for x in LITE_ORDER])
        self.assertEqual(r["upgrade"]["todo"]["line"], line_of(f, "getattr(c, 'execute')"))
        self.assertTrue(r["upgrade"]["todo"]["reason"].startswith("reads rows:"))


# -------------------------------------------------------------------- speed


class TestSpeed(unittest.TestCase):
    N = 200

    def test_render_200_generated_revisions(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        files = []
        down = None
        for i in range(self.N):
            rev = "%012x" % (0xABC000000000 + i)
            body_up = (
                'op.create_table("t%d", sa.Column("id", sa.Integer(), primary_key=True), '
                'sa.Column("name", sa.String(50), nullable=False))\n'
                'op.create_index("ix_t%d_name", "t%d", ["name"])' % (i, i, i)
            )
            body_down = 'op.drop_index("ix_t%d_name", table_name="t%d")\nop.drop_table("t%d")' % (
                i,
                i,
                i,
            )
            files.append(
                write(os.path.join(tmp, "%s_t%d.py" % (rev, i)), revision_text(rev, down, body_up, body_down))
            )
            down = rev
        w = Worker()
        try:
            self.assertEqual(w(op="setup", dialect="postgresql", sys_path=[tmp], x={}), {"ok": True})
            start = time.monotonic()
            for i, f in enumerate(files):
                r = w(op="render", path=f, module_name="retort_rev_%d" % i)
                self.assertEqual(len(r["upgrade"]["statements"]), 2)
                self.assertEqual(
                    r["downgrade"]["statements"], ["DROP INDEX ix_t%d_name" % i, "DROP TABLE t%d" % i]
                )
            elapsed = time.monotonic() - start
        finally:
            w.close()
        sys.stderr.write(
            "\n[speed] %d renders in %.2f s: %.2f ms per revision\n"
            % (self.N, elapsed, 1000.0 * elapsed / self.N)
        )


if __name__ == "__main__":
    unittest.main()

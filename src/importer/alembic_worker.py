"""retort's Alembic import worker: the Python side of `retort import-alembic`.

retort embeds this file's text and runs it as `python3 -u -c <text>`, so it is
one self-contained file: standard library, alembic and sqlalchemy only, and
nothing depends on its own path. It needs Python 3.8+ (ast end positions;
checked: the ast-only ops on 3.8 to 3.13, everything on Debian's 3.11 with
alembic 1.8.1 and SQLAlchemy 1.4.46). The C++ side (src/importer) drives it over
pipes; the project's code only ever runs in here.

Streams
-------
At start-up the worker duplicates the real stdout (fd 1) and stdin (fd 0) for
the protocol, then points fd 1 and sys.stdout at stderr and fd 0 / sys.stdin
at /dev/null. A `print()` in a revision, a library warning or an `input()`
can therefore never corrupt or eat the protocol stream. Bytecode is not
written (sys.dont_write_bytecode), so importing a project leaves no
__pycache__ in it. The worker removes the '' entry `-c` puts on sys.path: what
is importable is exactly what `setup` says.

Protocol (JSON lines)
---------------------
The worker reads one JSON object per line on stdin (UTF-8; blank lines are
skipped) and writes exactly one JSON object per line on stdout per request,
in order, flushing after each. It exits 0 at EOF. Every response has "ok".
Errors are {"ok": false, "error": KIND, "message": TEXT, ...}; an unexpected
failure of the worker itself is {"ok": false, "error": "internal",
"message": "<type: text (where)>"} for that request, and it keeps serving.
A line that is not a JSON object answers error "request"; an unknown "op"
answers error "unknown_op".

1. {"op": "hello"}
   -> {"ok": true, "python": "3.11.2", "alembic": "1.8.1",
       "sqlalchemy": "1.4.46"}
   If alembic or sqlalchemy could not be imported at start-up (the worker
   still starts), hello, project, setup and render answer
   {"ok": false, "error": "no_alembic", "message": "<the import error>"};
   header and env (pure `ast`) still work.

2. {"op": "project", "path": P, "section": "alembic" (optional)}
   P is an alembic.ini file, an Alembic scripts folder (the one holding
   env.py and versions/), or a folder holding an alembic.ini and no env.py.
   Alembic's own Config and ScriptDirectory.from_config read the ini
   (%(here)s, script_location incl. package:path, version_locations with
   version_path_separator, prepend_sys_path); relative paths are taken from
   the ini's folder, as when `alembic` runs there. env.py is not run, the
   revision files are not imported.
   -> {"ok": true, "ini": abs path | null, "script_location": abs dir,
       "version_locations": [abs dirs], "recursive_version_locations": bool,
       "prepend_sys_path": [abs dirs], "env_py": abs path | null,
       "files": [abs paths], "sourceless": bool,
       "sqlalchemy_url": the ini's sqlalchemy.url as Alembic reads it (for
       its dialect) | null}
   "files" are the revision files Alembic would load: the *.py files of each
   existing version location (sorted by name; recursive when the ini says
   recursive_version_locations = true, as Alembic 1.10+ does; Alembic 1.8
   ignores that key), skipping what Alembic skips (__init__.py, names
   starting with ".#", other extensions such as editor backups "x.py~",
   __pycache__), each file once. "sourceless" is the ini's value; only .py
   files are listed either way.
   Errors: {"ok": false, "error": "project", "message": "<what, where, what
   to do>"}.

3. {"op": "setup", "dialect": "postgresql" | "sqlite", "sys_path": [dirs],
    "x": {"k": "v"}, "schema_sentinel": "retort_schema_sentinel",
    "ini": abs path (optional)}
   -> {"ok": true}
   Session settings for render: sys_path is prepended to sys.path (replacing
   the previous setup's dirs), x are the -x arguments, ini (optional) is the
   file behind `context.config` (without it, an empty Config).
   Errors: {"ok": false, "error": "setup", "message": ...}.

4. {"op": "header", "path": F}
   Reads a revision file's header statically with `ast`; nothing runs.
   -> {"ok": true, "revision": "ae1027a6acf", "down_revisions": [...],
       "branch_labels": [...], "depends_on": [...], "message": "<first
       docstring line>", "long_doc": "<rest of the docstring without the
       Revision ID/Revises/Create Date lines>", "create_date": "<as written
       or ''>", "upgrade_line": N, "downgrade_line": M}
   Plain, annotated and tuple assignments at module level are read, the last
   one wins (as when the module runs); values may be a string, a
   tuple/list/set of strings or None (None or "" -> []).
   Errors: {"ok": false, "error": "header", "line": L, "message": ...}:
   a non-literal value ("down_revision is not a literal (a name: PARENT);
   retort reads headers without running the file: write it as a string, a
   tuple of strings or None"), no revision assignment (line 0: "no
   'revision = ...' assignment; is this an Alembic revision file?"), a
   syntax error (its line), an unreadable file (line 0).

5. {"op": "render", "path": F, "module_name": "retort_rev_<n>",
    "scratch_chain": [F1, F2, ...] (optional)}
   Renders upgrade() and downgrade() for the session's dialect with
   Alembic's own operations in offline mode, one revision at a time: the
   module is loaded from F under module_name (fresh each time, not put in
   sys.modules, as Alembic loads revisions), a MigrationContext is
   configured with as_sql, literal_binds and a collector output buffer (one
   write per statement), and the function runs inside Operations.context.
   `alembic.context` is an EnvironmentContext over a Config whose
   cmd_opts.x holds the session's x (plus schema=<sentinel> when x has no
   schema); upgrade/downgrade get schema=<x schema or sentinel> when their
   signature takes `schema` or **kwargs. Modules the revision imports (the
   project's helpers) stay imported across renders, as in one Alembic run;
   a setup that drops a sys_path dir forgets the modules loaded from it.
   -> {"ok": true, "upgrade": S, "downgrade": S}
   S = {"statements": [sql, ...], "empty": bool,
        "todo": null | {"line": L, "reason": "..."},
        "needs_scratch": bool, "function_line": N,
        "source": "<def ... last line, verbatim>", "schema_used": bool}
   - statements: as Alembic rendered them, whitespace-stripped, without the
     terminator Alembic appends; op.execute text is kept verbatim. The
     dialect uses paramstyle "named", as Alembic's offline env.py template
     does (otherwise PostgreSQL text would come out with % doubled).
     Parameters given to the bind's execute() are bound into the statement
     (Alembic's own offline connection would drop them).
   - empty: no statement and no todo (also a missing function, whose
     function_line is 0).
   - todo, data migrations: found statically in the function (and in the
     module's functions it calls): the result of an .execute(...) used
     (assigned then used, iterated, fetched, tested), .scalar(stmt),
     Session/sessionmaker/.query(...), inspect/reflect/autoload_with/read_sql
     on the connection of op.get_bind() and friends (but not harmless uses
     such as op.get_bind().dialect.name or Enum(...).create(bind)); and at
     render time: the connection behind op.get_bind() renders what it
     executes but hands project code a result that raises the moment it is
     read. line is the line in F of the offending code.
   - todo, errors: any other exception while loading or running ("<Type>:
     <message> (<F>:<line>)", naming the innermost frame in F and, when the
     error was raised elsewhere, that place too).
   - On SQLite, a batch operation Alembic cannot render offline (it must
     reflect the table) gives needs_scratch: true and a todo with Alembic's
     message (other dialects get the todo only). With scratch_chain (the
     ancestors' files, parents first) the worker renders on a scratch
     in-memory SQLite database instead (the sentinel and the x schema are
     ATTACHed in-memory databases there): it runs
     each chain file's upgrade() online, then this revision's upgrade() and
     downgrade() online, capturing each statement executed
     (before_cursor_execute, reflection queries left out, parameters inlined
     as SQLite literals). A failure there is a todo. scratch_chain is only
     used for dialect sqlite.
   - schema_used: the session's sentinel appears in a statement (the C++
     side replaces it; the worker does not).
   A data-read todo found at render time wins over one found statically,
   which wins over needs_scratch, which wins over other errors. A missing
   file answers {"ok": false, "error": "render", "message": ...}; render
   before setup answers error "setup".

6. {"op": "env", "path": "<env.py>"}
   Reads env.py statically (ast only).
   -> {"ok": true, "schema_version_tables": {schema: table} | null,
       "name": "SCHEMA_VERSION_TABLES" | null, "line": L | 0,
       "version_table": str | null, "version_table_schema": str | null,
       "include_schemas": bool | null}
   schema_version_tables is the first module-level dict literal of strings
   to strings whose values all start with "alembic_version" or whose name
   mentions VERSION. The other keys are literal keywords of a
   context.configure(...) call (the first literal found). Errors: {"ok":
   false, "error": "env", "line": L, "message": ...}.
"""

import argparse
import ast
import importlib
import importlib.util
import inspect
import json
import os
import platform
import re
import sys
import traceback


# ---------------------------------------------------------------- streams


def _claim_streams():
    """Keep fds 0/1 for the protocol; everything else sees stderr, /dev/null."""
    proto_in = os.dup(0)
    proto_out = os.dup(1)
    os.dup2(2, 1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdout = sys.stderr
    sys.stdin = open(os.devnull, "r")
    return os.fdopen(proto_in, "rb"), os.fdopen(proto_out, "wb")


_PROTO_IN, _PROTO_OUT = _claim_streams()
sys.dont_write_bytecode = True
if sys.path and sys.path[0] == "":
    del sys.path[0]

_IMPORT_ERROR = None
try:
    import alembic
    import sqlalchemy
    from alembic.config import Config
    from alembic.operations import Operations
    from alembic.runtime.environment import EnvironmentContext
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError
except Exception as _exc:  # noqa: BLE001 - any import failure is reported
    _IMPORT_ERROR = "%s: %s" % (type(_exc).__name__, _exc)

try:
    from alembic.script.base import _only_source_rev_file as _REV_FILE_RE
except Exception:  # noqa: BLE001 - private name; Alembic 1.8's rule
    _REV_FILE_RE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")
try:
    from alembic.script.base import _split_on_space_comma_colon as _SYS_PATH_SPLIT
except Exception:  # noqa: BLE001
    _SYS_PATH_SPLIT = re.compile(r", *|(?: +)|\:")


class _Fail(Exception):
    """An expected error answer: {"ok": false, "error": kind, ...}."""

    def __init__(self, kind, message, **extra):
        Exception.__init__(self, message)
        self.answer = {"ok": False, "error": kind, "message": message}
        self.answer.update(extra)


def _need_alembic():
    if _IMPORT_ERROR is not None:
        raise _Fail("no_alembic", _IMPORT_ERROR)


def _lib_dirs():
    dirs = []
    for mod in ("alembic", "sqlalchemy"):
        m = sys.modules.get(mod)
        if m is not None and getattr(m, "__file__", None):
            dirs.append(os.path.dirname(os.path.abspath(m.__file__)) + os.sep)
    return tuple(dirs)


_LIB_DIRS = _lib_dirs()


def _is_library_file(filename):
    return filename.startswith(_LIB_DIRS) or filename == "<string>"


# ------------------------------------------------------------ source files


def _read_source(path):
    """The file's text (PEP 263 aware, newlines normalised) and its lines."""
    with open(path, "rb") as f:
        data = f.read()
    text = importlib.util.decode_source(data)
    return text, text.split("\n")


def _parse(path, kind):
    try:
        text, lines = _read_source(path)
    except OSError as e:
        raise _Fail(kind, "cannot read the file: %s" % (e.strerror or e), line=0)
    except (SyntaxError, UnicodeDecodeError, LookupError) as e:
        raise _Fail(kind, "cannot decode the file: %s" % e, line=0)
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as e:
        line = e.lineno or 0
        raise _Fail(kind, "syntax error: %s" % e.msg, line=line)
    return text, lines, tree


def _src(node, text, limit=60):
    seg = ast.get_source_segment(text, node) or "?"
    seg = " ".join(seg.split())
    return seg if len(seg) <= limit else seg[: limit - 3] + "..."


def _top_functions(tree):
    funcs = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            funcs[node.name] = node
    return funcs


# ------------------------------------------------------------------ header

_HEADER_NAMES = ("revision", "down_revision", "branch_labels", "depends_on")
_DOC_FIELD_RE = re.compile(r"^\s*(Revision ID|Revises|Create Date)\s*:", re.I)
_CREATE_DATE_RE = re.compile(r"^\s*Create Date\s*:\s*(.*?)\s*$", re.I)


def _kind_of(node, text):
    if isinstance(node, ast.Name):
        return "a name: %s" % node.id
    if isinstance(node, ast.Call):
        return "a call: %s" % _src(node, text, 40)
    if isinstance(node, ast.JoinedStr):
        return "an f-string"
    if isinstance(node, ast.Attribute):
        return "an attribute: %s" % _src(node, text, 40)
    if isinstance(node, ast.Constant):
        return "a %s constant: %r" % (type(node.value).__name__, node.value)
    return "an expression: %s" % _src(node, text, 40)


def _header_value(name, node, text):
    """Literal value of a header assignment, as a list of strings."""

    def bad(n):
        raise _Fail(
            "header",
            "%s is not a literal (%s); retort reads headers without running "
            "the file: write it as a string, a tuple of strings or None"
            % (name, _kind_of(n, text)),
            line=n.lineno,
        )

    if isinstance(node, ast.Constant):
        if node.value is None:
            return []
        if isinstance(node.value, str):
            return [node.value] if node.value else []
        bad(node)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        out = []
        for elt in node.elts:
            if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                out.append(elt.value)
            else:
                bad(elt)
        return out
    bad(node)


def _header_assignments(tree):
    """{name: value node} of the module-level header assignments, last wins."""
    found = {}
    for stmt in tree.body:
        pairs = []
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    pairs.append((target, stmt.value))
                elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(
                    stmt.value, (ast.Tuple, ast.List)
                ):
                    if len(target.elts) == len(stmt.value.elts):
                        pairs.extend(zip(target.elts, stmt.value.elts))
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            pairs.append((stmt.target, stmt.value))
        for target, value in pairs:
            if isinstance(target, ast.Name) and target.id in _HEADER_NAMES:
                found[target.id] = value
    return found


def _docstring_parts(tree):
    doc = ast.get_docstring(tree, clean=True)
    if not doc:
        return "", "", ""
    lines = doc.split("\n")
    message = lines[0].strip()
    create_date = ""
    rest = []
    for line in lines[1:]:
        m = _CREATE_DATE_RE.match(line)
        if m and not create_date:
            create_date = m.group(1)
        if _DOC_FIELD_RE.match(line):
            continue
        rest.append(line.rstrip())
    return message, "\n".join(rest).strip(), create_date


def op_header(req):
    path = _req_path(req, "header")
    text, _lines, tree = _parse(path, "header")
    assigns = _header_assignments(tree)
    if "revision" not in assigns:
        raise _Fail(
            "header",
            "no 'revision = ...' assignment; is this an Alembic revision file?",
            line=0,
        )
    rev_node = assigns["revision"]
    if not (isinstance(rev_node, ast.Constant) and isinstance(rev_node.value, str)):
        if isinstance(rev_node, ast.Constant):
            raise _Fail(
                "header",
                "revision must be a string (found %r)" % (rev_node.value,),
                line=rev_node.lineno,
            )
        _header_value("revision", rev_node, text)  # raises "not a literal"
    if not rev_node.value.strip():
        raise _Fail("header", "revision is an empty string", line=rev_node.lineno)
    values = {}
    for name in _HEADER_NAMES[1:]:
        node = assigns.get(name)
        values[name] = [] if node is None else _header_value(name, node, text)
    message, long_doc, create_date = _docstring_parts(tree)
    funcs = _top_functions(tree)
    return {
        "ok": True,
        "revision": rev_node.value,
        "down_revisions": values["down_revision"],
        "branch_labels": values["branch_labels"],
        "depends_on": values["depends_on"],
        "message": message,
        "long_doc": long_doc,
        "create_date": create_date,
        "upgrade_line": funcs["upgrade"].lineno if "upgrade" in funcs else 0,
        "downgrade_line": funcs["downgrade"].lineno if "downgrade" in funcs else 0,
    }


# --------------------------------------------------------------------- env


def op_env(req):
    path = _req_path(req, "env")
    text, _lines, tree = _parse(path, "env")
    answer = {
        "ok": True,
        "schema_version_tables": None,
        "name": None,
        "line": 0,
        "version_table": None,
        "version_table_schema": None,
        "include_schemas": None,
    }
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        else:
            continue
        if not isinstance(target, ast.Name) or not isinstance(value, ast.Dict):
            continue
        if not value.keys:
            continue
        mapping = {}
        for k, v in zip(value.keys, value.values):
            if not (
                isinstance(k, ast.Constant)
                and isinstance(k.value, str)
                and isinstance(v, ast.Constant)
                and isinstance(v.value, str)
            ):
                mapping = None
                break
            mapping[k.value] = v.value
        if not mapping:
            continue
        if "VERSION" in target.id.upper() or all(
            v.startswith("alembic_version") for v in mapping.values()
        ):
            answer.update(
                schema_version_tables=mapping, name=target.id, line=stmt.lineno
            )
            break
    wanted = {
        "version_table": str,
        "version_table_schema": (str, type(None)),
        "include_schemas": bool,
    }
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "configure"
        ):
            continue
        for kw in node.keywords:
            if kw.arg in wanted and answer[kw.arg] is None:
                if isinstance(kw.value, ast.Constant) and isinstance(
                    kw.value.value, wanted[kw.arg]
                ):
                    answer[kw.arg] = kw.value.value
    return answer


# ----------------------------------------------------------------- project


def _project_error(message):
    return _Fail("project", message)


def op_project(req):
    _need_alembic()
    import configparser

    path = req.get("path")
    section = req.get("section") or "alembic"
    if not isinstance(path, str) or not path:
        raise _project_error("project: 'path' must be an alembic.ini file or a folder")
    p = os.path.abspath(path)
    ini = None
    if os.path.isdir(p):
        if not os.path.exists(os.path.join(p, "env.py")) and os.path.isfile(
            os.path.join(p, "alembic.ini")
        ):
            ini = os.path.join(p, "alembic.ini")
    elif os.path.isfile(p):
        ini = p
    else:
        raise _project_error(
            "%s does not exist; give the project's alembic.ini or its scripts "
            "folder (the one holding env.py and versions/)" % p
        )
    base = os.path.dirname(ini) if ini else p

    if ini is not None:
        cfg = Config(ini, ini_section=section)
        try:
            fc = cfg.file_config
        except configparser.Error as e:
            raise _project_error(
                "%s: not a readable ini file: %s" % (ini, " ".join(str(e).split()))
            )
        if not fc.has_section(section):
            raise _project_error(
                "%s: no [%s] section; an Alembic config file needs one with "
                "script_location (is this the right file?)" % (ini, section)
            )
        try:
            location = cfg.get_main_option("script_location")
        except configparser.Error as e:
            raise _project_error(
                "%s: [%s] script_location cannot be read: %s"
                % (ini, section, " ".join(str(e).split()))
            )
        if not location:
            raise _project_error(
                "%s: [%s] has no script_location; add e.g. "
                "'script_location = %%(here)s/migrations'" % (ini, section)
            )
    else:
        cfg = Config()
        location = p
        cfg.set_main_option("script_location", p.replace("%", "%%"))

    saved_path = list(sys.path)
    saved_cwd = os.getcwd()
    try:
        os.chdir(base)
        try:
            script = ScriptDirectory.from_config(cfg)
        except CommandError as e:
            raise _project_error(
                "script_location %r (from %s) is not a folder: %s; fix "
                "script_location" % (location, ini or p, e)
            )
        except (ImportError, ModuleNotFoundError, TypeError) as e:
            raise _project_error(
                "script_location %r (from %s): cannot resolve the package: "
                "%s: %s; put its package on prepend_sys_path"
                % (location, ini or p, type(e).__name__, e)
            )
        except (ValueError, configparser.Error) as e:
            raise _project_error("%s: %s" % (ini or p, " ".join(str(e).split())))
        script_dir = os.path.abspath(script.dir)
        if not os.path.isdir(script_dir):
            raise _project_error(
                "script_location %r (from %s) is not a folder (%s); fix "
                "script_location" % (location, ini or p, script_dir)
            )
        try:
            version_locations = [os.path.abspath(v) for v in script._version_locations]
        except (ImportError, TypeError) as e:
            raise _project_error(
                "%s: version_locations: cannot resolve a package location: %s"
                % (ini or p, e)
            )
        prepend = []
        raw = cfg.get_main_option("prepend_sys_path") if ini else None
        if raw:
            for item in _SYS_PATH_SPLIT.split(raw):
                if item.strip():
                    prepend.append(os.path.abspath(item.strip()))
        recursive = (
            (cfg.get_main_option("recursive_version_locations") if ini else None)
            == "true"
        )
        sourceless = bool(script.sourceless)
        url = None
        if ini:
            try:
                url = cfg.get_main_option("sqlalchemy.url")
            except (ValueError, configparser.Error):
                url = None
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path

    existing = [v for v in version_locations if os.path.isdir(v)]
    if not existing:
        raise _project_error(
            "no version folder: %s does not exist; create it or fix "
            "version_locations in %s"
            % (" / ".join(version_locations), ini or "the project")
        )
    files = []
    seen = set()
    for loc in existing:
        for f in _list_revision_files(loc, recursive):
            real = os.path.realpath(f)
            if real in seen:
                continue
            seen.add(real)
            files.append(f)
    env_py = os.path.join(script_dir, "env.py")
    return {
        "ok": True,
        "ini": ini,
        "script_location": script_dir,
        "version_locations": version_locations,
        "recursive_version_locations": recursive,
        "prepend_sys_path": prepend,
        "env_py": env_py if os.path.isfile(env_py) else None,
        "files": files,
        "sourceless": sourceless,
        "sqlalchemy_url": url,
    }


def _list_revision_files(loc, recursive):
    out = []
    for root, dirs, names in os.walk(loc):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            full = os.path.join(root, name)
            if _REV_FILE_RE.match(name) and os.path.isfile(full):
                out.append(os.path.abspath(full))
        if not recursive:
            break
    return out


# ------------------------------------------------------------------- setup


class _Session(object):
    def __init__(self):
        self.configured = False
        self.dialect = None
        self.sys_path = []
        self.x = {}
        self.sentinel = "retort_schema_sentinel"
        self.ini = None


_SESSION = _Session()


def op_setup(req):
    _need_alembic()
    from sqlalchemy.engine import url as sa_url

    dialect = req.get("dialect")
    if not isinstance(dialect, str) or not dialect:
        raise _Fail("setup", "setup: 'dialect' must be 'postgresql' or 'sqlite'")
    try:
        sa_url.make_url("%s://" % dialect).get_dialect()
    except Exception as e:  # noqa: BLE001
        raise _Fail("setup", "setup: unknown dialect %r: %s" % (dialect, e))
    sys_path = req.get("sys_path") or []
    x = req.get("x") or {}
    sentinel = req.get("schema_sentinel") or "retort_schema_sentinel"
    ini = req.get("ini")
    if not isinstance(sys_path, list) or not all(isinstance(d, str) for d in sys_path):
        raise _Fail("setup", "setup: 'sys_path' must be a list of folders")
    if not isinstance(x, dict):
        raise _Fail("setup", "setup: 'x' must be an object of strings")
    if not isinstance(sentinel, str):
        raise _Fail("setup", "setup: 'schema_sentinel' must be a string")
    if ini is not None and not (isinstance(ini, str) and os.path.isfile(ini)):
        raise _Fail("setup", "setup: 'ini' %r is not a file" % (ini,))
    new_path = [os.path.abspath(d) for d in sys_path]
    for d in _SESSION.sys_path:
        if d in sys.path:
            sys.path.remove(d)
    _forget_modules_under([d for d in _SESSION.sys_path if d not in new_path])
    sys.path[:0] = new_path
    importlib.invalidate_caches()
    _SESSION.configured = True
    _SESSION.dialect = dialect
    _SESSION.sys_path = new_path
    _SESSION.x = dict((str(k), str(v)) for k, v in x.items())
    _SESSION.sentinel = sentinel
    _SESSION.ini = os.path.abspath(ini) if ini else None
    return {"ok": True}


def _forget_modules_under(dirs):
    """Drop project modules imported from folders a new setup leaves out."""
    if not dirs:
        return
    prefixes = tuple(os.path.join(d, "") for d in dirs)
    for name, mod in list(sys.modules.items()):
        f = getattr(mod, "__file__", None)
        if isinstance(f, str) and os.path.abspath(f).startswith(prefixes):
            del sys.modules[name]


# --------------------------------------------------- static data-read scan

_EXEC_METHODS = ("execute", "exec_driver_sql")
_SESSION_NAMES = ("Session", "sessionmaker", "scoped_session")
_REFLECT_NAMES = (
    "inspect",
    "reflect",
    "reflecttable",
    "reflect_table",
    "from_engine",
    "read_sql",
    "read_sql_query",
    "read_sql_table",
)


def _is_get_context(node):
    """op.get_context() (or context.get_context()): the MigrationContext."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get_context"
    )


def _func_name(call):
    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return None


class _StaticScan(object):
    """Finds data reads in a function and the module functions it calls."""

    def __init__(self, tree, text):
        self.text = text
        self.funcs = _top_functions(tree)
        self.context_names = set()

    def first_read(self, name):
        fn = self.funcs.get(name)
        if fn is None:
            return None
        findings = []
        todo, done = [fn], set()
        while todo:
            node = todo.pop()
            if id(node) in done:
                continue
            done.add(id(node))
            findings.extend(self._scan(node))
            for sub in ast.walk(node):
                if (
                    isinstance(sub, ast.Call)
                    and isinstance(sub.func, ast.Name)
                    and sub.func.id in self.funcs
                ):
                    todo.append(self.funcs[sub.func.id])
        if not findings:
            return None
        findings.sort(key=lambda f: f[0])
        return {"line": findings[0][0], "reason": findings[0][1]}

    def _is_bind(self, node, bind_names):
        if isinstance(node, ast.Name):
            return node.id in bind_names
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "get_bind":
                return True
            if node.func.attr in ("connect", "execution_options"):
                return self._is_bind(node.func.value, bind_names)
        if isinstance(node, ast.Attribute) and node.attr in ("bind", "connection"):
            # op.get_context().bind, or ctx.bind after ctx = op.get_context()
            v = node.value
            return _is_get_context(v) or (
                isinstance(v, ast.Name) and v.id in self.context_names
            )
        return False

    def _scan(self, fn):
        text = self.text
        parents = {}
        for node in ast.walk(fn):
            for child in ast.iter_child_nodes(node):
                parents[child] = node
        # names bound to the migration context (`ctx = op.get_context()`),
        # whose .bind and .connection are the connection
        self.context_names = set()
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign) and _is_get_context(node.value):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        self.context_names.add(t.id)
        # names bound to the connection (two passes reach `c = b.connect()`)
        bind_names = set()
        for _ in range(2):
            for node in ast.walk(fn):
                if isinstance(node, ast.Assign) and self._is_bind(node.value, bind_names):
                    for t in node.targets:
                        if isinstance(t, ast.Name):
                            bind_names.add(t.id)
                elif isinstance(node, ast.withitem) and isinstance(
                    node.optional_vars, ast.Name
                ):
                    if self._is_bind(node.context_expr, bind_names):
                        bind_names.add(node.optional_vars.id)
        loads = [
            n for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        ]
        out = []
        for node in ast.walk(fn):
            if not isinstance(node, ast.Call):
                continue
            name = _func_name(node)
            what = _src(node.func, text)
            if (
                name in _EXEC_METHODS
                and isinstance(node.func, ast.Attribute)
                and not (
                    isinstance(node.func.value, ast.Name)
                    and node.func.value.id in ("op", "context")
                )
            ):
                r = self._exec_use(node, parents, loads, what)
                if r:
                    out.append(r)
            elif name in _SESSION_NAMES:
                out.append(
                    (
                        node.lineno,
                        "reads rows: opens an ORM session (%s(...), line %d); "
                        "offline there is no database to read" % (what, node.lineno),
                    )
                )
            elif name == "query" and isinstance(node.func, ast.Attribute):
                out.append(
                    (
                        node.lineno,
                        "reads rows: runs an ORM query (%s(...), line %d)"
                        % (what, node.lineno),
                    )
                )
            elif name in ("scalar", "scalars") and isinstance(node.func, ast.Attribute):
                if node.args or self._is_bind(node.func.value, bind_names):
                    out.append(
                        (
                            node.lineno,
                            "reads rows: %s(...) reads a value from the database "
                            "(line %d)" % (what, node.lineno),
                        )
                    )
            elif name in _REFLECT_NAMES:
                args = list(node.args) + [k.value for k in node.keywords]
                conns = [a for a in args if self._is_bind(a, bind_names)]
                if conns:
                    out.append(
                        (
                            node.lineno,
                            "reads the live database: %s(...) on the connection "
                            "(%s, line %d)" % (what, _src(conns[0], text), node.lineno),
                        )
                    )
            for kw in node.keywords:
                if kw.arg == "autoload_with" and self._is_bind(kw.value, bind_names):
                    out.append(
                        (
                            node.lineno,
                            "reads the live database: reflects a table "
                            "(autoload_with=..., line %d)" % node.lineno,
                        )
                    )
        return out

    def _exec_use(self, call, parents, loads, what):
        parent = parents.get(call)
        line = call.lineno
        if parent is None or isinstance(parent, ast.Expr):
            return None
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is call:
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            names = []
            for t in targets:
                if isinstance(t, ast.Name):
                    names.append(t.id)
                elif isinstance(t, (ast.Tuple, ast.List)):
                    names.extend(e.id for e in t.elts if isinstance(e, ast.Name))
                else:
                    return (
                        line,
                        "reads rows: the result of %s(...) is stored (line %d)"
                        % (what, line),
                    )
            end = (parent.end_lineno, parent.end_col_offset)
            for n in loads:
                if n.id in names and (n.lineno, n.col_offset) > end:
                    return (
                        line,
                        "reads rows: the result of %s(...) (line %d) is used "
                        "(line %d)" % (what, line, n.lineno),
                    )
            return None
        if isinstance(parent, ast.Attribute):
            how = "%s(...).%s" % (what, parent.attr)
            return (line, "reads rows: %s is used (line %d)" % (how, line))
        if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)):
            return (
                line,
                "reads rows: iterates over the result of %s(...) (line %d)"
                % (what, line),
            )
        if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.BoolOp, ast.UnaryOp, ast.Assert)):
            return (
                line,
                "reads rows: tests the result of %s(...) (line %d)" % (what, line),
            )
        return (
            line,
            "reads rows: the result of %s(...) is used (line %d)" % (what, line),
        )


# -------------------------------------------------------- render-time reads


class _DataRead(BaseException):
    """Raised when project code reads what an offline execute() returned.

    A BaseException so that `except Exception` in the project cannot hide it;
    the state also records it in case something swallows it anyway.
    """


class _ReadState(object):
    def __init__(self, path):
        self.path = path
        self.read = None  # {"line": L, "reason": R} once a read is seen

    def frame_line(self, frames):
        for fs in reversed(frames):
            if os.path.abspath(fs.filename) == self.path:
                return fs.lineno
        return 0


def _where(frames, path):
    """'file:line' of the innermost frame that is project code."""
    for fs in reversed(frames):
        if not _is_library_file(fs.filename):
            return "%s:%d" % (_short(fs.filename, path), fs.lineno)
    return "?"


def _short(filename, path):
    if filename.startswith("<"):
        return filename
    filename = os.path.abspath(filename)
    if filename == path:
        return os.path.basename(path)
    for d in _LIB_DIRS:
        if filename.startswith(d):
            return os.path.join(os.path.basename(d.rstrip(os.sep)), filename[len(d):])
    for d in sorted(_SESSION.sys_path, key=len, reverse=True):
        if filename.startswith(d + os.sep):
            return filename[len(d) + 1:]
    return filename


class _PoisonResult(object):
    """What project code gets from execute(): reading it is a data read."""

    def __init__(self, state, what, where, line=0):
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "_what", what)
        object.__setattr__(self, "_where", where)
        object.__setattr__(self, "_line", line)

    def _read(self, how):
        state = object.__getattribute__(self, "_state")
        frames = traceback.extract_stack()[:-2]
        line = object.__getattribute__(self, "_line") or state.frame_line(frames)
        what = object.__getattribute__(self, "_what")
        where = object.__getattribute__(self, "_where")
        if how is None:
            reason = "reads rows: %s at %s reads a value" % (what, where)
        else:
            reason = "reads rows: the result of %s at %s is used (%s at %s)" % (
                what, where, how, _where(frames, state.path)
            )
        reason += "; offline there is no database to read"
        if state.read is None:
            state.read = {"line": line, "reason": reason}
        raise _DataRead(reason)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        self._read(".%s" % name)

    def __iter__(self):
        self._read("iterated")

    def __next__(self):
        self._read("next()")

    def __bool__(self):
        self._read("truth-tested")

    def __len__(self):
        self._read("len()")

    def __getitem__(self, key):
        self._read("indexed")

    def __contains__(self, item):
        self._read("'in' test")

    def __enter__(self):
        self._read("used in 'with'")

    def __exit__(self, *a):
        return False


def _caller_is_library(depth=2):
    return _is_library_file(sys._getframe(depth).f_code.co_filename)


def _poison(state, what):
    """A poisoned result for the project code that called an execute()."""
    frames = traceback.extract_stack()[:-2]
    return _PoisonResult(
        state, what, _where(frames, state.path), state.frame_line(frames)
    )


def _param_sets(multiparams, params):
    """SQLAlchemy's execute() argument forms as a list of dicts."""
    from collections.abc import Mapping

    params = dict(params)
    params.pop("execution_options", None)
    sets = []
    if multiparams:
        first = multiparams[0]
        if len(multiparams) == 1 and first is None:
            sets = []
        elif len(multiparams) == 1 and isinstance(first, (list, tuple)) and all(
            isinstance(d, Mapping) for d in first
        ):
            sets = [dict(d) for d in first]
        elif all(isinstance(m, Mapping) for m in multiparams):
            sets = [dict(m) for m in multiparams]
        else:
            raise NotImplementedError(
                "execute() with positional parameters cannot be rendered offline"
            )
    if params:
        sets = [dict(s, **params) for s in sets] if sets else [params]
    return sets


def _with_params(construct, values):
    """The construct with its bound parameters (or insert values) filled in."""
    from sqlalchemy.sql import visitors
    from sqlalchemy.sql.elements import BindParameter
    from sqlalchemy.sql.dml import Insert, Update

    from sqlalchemy.sql.elements import TextClause
    from sqlalchemy.types import NullType

    if isinstance(construct, str):
        construct = sqlalchemy.text(construct)
    names = set()
    for node in visitors.iterate(construct):
        if isinstance(node, BindParameter):
            names.add(node.key)
    bind = dict((k, v) for k, v in values.items() if k in names)
    rest = dict((k, v) for k, v in values.items() if k not in names)
    if bind and isinstance(construct, TextClause):
        # bindparams() infers each value's type, so literal_binds can render it
        construct = construct.bindparams(**bind)
    elif bind:

        def replace(elem):
            if isinstance(elem, BindParameter) and elem.key in bind:
                typ = None if isinstance(elem.type, NullType) else elem.type
                return sqlalchemy.bindparam(
                    elem.key, bind[elem.key], type_=typ, unique=elem.unique
                )
            return None

        construct = visitors.replacement_traverse(construct, {}, replace)
    if rest:
        if isinstance(construct, (Insert, Update)):
            construct = construct.values(**rest)
        else:
            raise NotImplementedError(
                "execute(): parameters %s are not in the statement"
                % ", ".join(sorted(rest))
            )
    return construct


def _patch_offline_bind(ctx, state):
    """Make the offline connection hand project code poisoned results."""
    conn = ctx.connection
    impl = ctx.impl

    def emit(construct, multiparams, params):
        sets = _param_sets(multiparams, params)
        if not sets:
            impl._exec(construct)
        for values in sets:
            impl._exec(_with_params(construct, values))

    def execute(construct, *multiparams, **params):
        emit(construct, multiparams, params)
        if _caller_is_library():
            return None
        return _poison(state, "execute()")

    def exec_driver_sql(statement, parameters=None, execution_options=None):
        if parameters:
            raise NotImplementedError(
                "exec_driver_sql() with parameters cannot be rendered offline"
            )
        impl._exec(statement)
        if _caller_is_library():
            return None
        return _poison(state, "exec_driver_sql()")

    def scalar(construct, *multiparams, **params):
        emit(construct, multiparams, params)
        return _poison(state, "scalar()")._read(None)

    def scalars(construct, *multiparams, **params):
        emit(construct, multiparams, params)
        return _poison(state, "scalars()")

    conn.execute = execute
    conn.exec_driver_sql = exec_driver_sql
    conn.scalar = scalar
    conn.scalars = scalars


def _patch_online_bind(conn, state):
    """Online (scratch) variant: execute for real, poison project callers."""
    originals = {}
    for name in ("execute", "exec_driver_sql", "scalar", "scalars"):
        if hasattr(conn, name):
            originals[name] = getattr(conn, name)

    def wrap(name):
        orig = originals[name]

        def call(*a, **kw):
            result = orig(*a, **kw)
            if _caller_is_library():
                return result
            poison = _poison(state, "%s()" % name)
            if name == "scalar":
                poison._read(None)
            return poison

        return call

    for name in originals:
        setattr(conn, name, wrap(name))

    def restore():
        for name in originals:
            try:
                delattr(conn, name)
            except AttributeError:
                pass

    return restore


# ------------------------------------------------------------------ render


class _Collector(object):
    """output_buffer for Alembic: each static_output() is one write()."""

    def __init__(self):
        self.statements = []
        self.terminator = ";"

    def write(self, text):
        s = text.strip()
        t = self.terminator
        if t and s.endswith(t):
            s = s[: -len(t)].rstrip()
        if s:
            self.statements.append(s)

    def flush(self):
        pass


def _accepts_schema(fn):
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    for prm in params:
        if prm.kind == prm.VAR_KEYWORD:
            return True
        if prm.name == "schema" and prm.kind != prm.POSITIONAL_ONLY:
            return True
    return False


def _x_with_schema():
    x = dict(_SESSION.x)
    x.setdefault("schema", _SESSION.sentinel)
    return x


def _new_env(as_sql):
    cfg = Config(_SESSION.ini) if _SESSION.ini else Config()
    cfg.cmd_opts = argparse.Namespace(
        x=["%s=%s" % kv for kv in _x_with_schema().items()]
    )
    return EnvironmentContext(cfg, None, as_sql=as_sql)


def _uninstall(proxy):
    try:
        proxy._remove_proxy()
    except KeyError:
        pass


def _load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError("cannot load %s as a Python module" % path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _error_todo(exc, path, what=""):
    frames = traceback.extract_tb(exc.__traceback__)
    line = 0
    for fs in reversed(frames):
        if os.path.abspath(fs.filename) == path:
            line = fs.lineno
            break
    if isinstance(exc, SyntaxError) and exc.filename and os.path.abspath(exc.filename) == path:
        line = exc.lineno or line
    msg = " ".join(str(exc).split())
    if isinstance(exc, SyntaxError) and line and exc.msg:
        msg = exc.msg
        frames = [fs for fs in frames if os.path.abspath(fs.filename) == path]
    if len(msg) > 600:
        msg = msg[:597] + "..."
    base = os.path.basename(path)
    here = "%s:%d" % (base, line) if line else base
    frames = [fs for fs in frames if not fs.filename.startswith("<")]
    inner = frames[-1] if frames else None
    if inner is not None and os.path.abspath(inner.filename) != path:
        place = "%s:%d, from %s" % (_short(inner.filename, path), inner.lineno, here)
    else:
        place = here
    reason = "%s%s: %s (%s)" % (what, type(exc).__name__, msg, place)
    return {"line": line, "reason": reason}


def _is_batch_refusal(exc):
    if not isinstance(exc, CommandError):
        return False
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "flush" and code.co_filename.endswith(
            os.path.join("operations", "batch.py")
        ):
            return True
        tb = tb.tb_next
    return False


def _section(info, fname):
    fn = info["funcs"].get(fname)
    sec = {
        "statements": [],
        "empty": False,
        "todo": None,
        "needs_scratch": False,
        "function_line": 0,
        "source": "",
        "schema_used": False,
    }
    if fn is not None:
        sec["function_line"] = fn.lineno
        sec["source"] = "\n".join(info["lines"][fn.lineno - 1: fn.end_lineno])
    return sec


def _finish(sec, statements, static_read, runtime_read, exc, path, sentinel):
    sec["statements"] = statements
    todo = None
    if runtime_read is not None:
        todo = runtime_read
    elif static_read is not None:
        todo = static_read
    elif exc is not None:
        if isinstance(exc, _DataRead):
            todo = {"line": 0, "reason": str(exc)}
        elif _is_batch_refusal(exc):
            t = _error_todo(exc, path)
            todo = {"line": t["line"], "reason": " ".join(str(exc).split())}
            # the scratch database is SQLite: it can only help SQLite sessions
            sec["needs_scratch"] = _SESSION.dialect == "sqlite"
        else:
            todo = _error_todo(exc, path)
    sec["todo"] = todo
    sec["empty"] = not statements and todo is None
    sec["schema_used"] = any(sentinel in s for s in statements) if sentinel else False
    return sec


def _static_info(path):
    try:
        text, lines = _read_source(path)
        tree = ast.parse(text, filename=path)
    except (SyntaxError, UnicodeDecodeError, LookupError, ValueError):
        return {"funcs": {}, "lines": [], "scan": None}
    return {"funcs": _top_functions(tree), "lines": lines, "scan": _StaticScan(tree, text)}


def _static_read(info, fname):
    scan = info["scan"]
    return scan.first_read(fname) if scan is not None else None


def op_render(req):
    _need_alembic()
    if not _SESSION.configured:
        raise _Fail("setup", "render needs a setup request first (dialect, sys_path, x)")
    path = _req_path(req, "render")
    if not os.path.isfile(path):
        raise _Fail("render", "%s: no such revision file" % path)
    module_name = req.get("module_name") or _next_module_name()
    chain = req.get("scratch_chain")
    if chain is not None:
        if not isinstance(chain, list) or not all(isinstance(c, str) for c in chain):
            raise _Fail("render", "render: 'scratch_chain' must be a list of files")
    info = _static_info(path)
    if chain is not None and _SESSION.dialect == "sqlite":
        return _render_scratch(path, module_name, [os.path.abspath(c) for c in chain], info)
    return _render_offline(path, module_name, info)


_MODULE_COUNTER = [0]


def _next_module_name():
    _MODULE_COUNTER[0] += 1
    return "retort_rev_auto_%d" % _MODULE_COUNTER[0]


def _offline_context(env):
    collector = _Collector()
    # paramstyle "named", as in Alembic's offline env.py template: with the
    # drivers' default "pyformat", a literal % would come out doubled (%%).
    ctx = MigrationContext.configure(
        dialect_name=_SESSION.dialect,
        dialect_opts={"paramstyle": "named"},
        environment_context=env,
        opts={
            "as_sql": True,
            "output_buffer": collector,
            "literal_binds": True,
        },
    )
    collector.terminator = ctx.impl.command_terminator
    env._migration_context = ctx
    return ctx, collector


def _call(fn, ctx, kw):
    """Run fn inside Operations.context(ctx); return the exception, if any."""
    err = None
    with Operations.context(ctx):
        try:
            fn(**kw)
        except BaseException as e:  # noqa: BLE001 - project code; reported
            if isinstance(e, KeyboardInterrupt):
                raise
            err = e
    return err


def _schema_kw(fn):
    if _accepts_schema(fn):
        return {"schema": _x_with_schema()["schema"]}
    return {}


def _render_offline(path, module_name, info):
    sentinel = _SESSION.sentinel
    env = _new_env(as_sql=True)
    env._install_proxy()
    answer = {"ok": True}
    try:
        # the upgrade's context is in place (and its bind patched) while the
        # module loads: module-level code may use alembic.context
        ctx_up, col_up = _offline_context(env)
        state_up = _ReadState(path)
        _patch_offline_bind(ctx_up, state_up)
        load_err = None
        module = None
        try:
            module = _load_module(path, module_name)
        except BaseException as e:  # noqa: BLE001
            if isinstance(e, KeyboardInterrupt):
                raise
            load_err = e
        for fname in ("upgrade", "downgrade"):
            sec = _section(info, fname)
            static_read = _static_read(info, fname)
            if load_err is not None:
                answer[fname] = _finish(
                    sec, [], static_read, None, load_err, path, sentinel
                )
                continue
            fn = getattr(module, fname, None)
            if not callable(fn):
                answer[fname] = _finish(sec, [], None, None, None, path, sentinel)
                continue
            if fname == "upgrade":
                ctx, col, state = ctx_up, col_up, state_up
            else:
                ctx, col = _offline_context(env)
                state = _ReadState(path)
                _patch_offline_bind(ctx, state)
            err = _call(fn, ctx, _schema_kw(fn))
            answer[fname] = _finish(
                sec, col.statements, static_read, state.read, err, path, sentinel
            )
    finally:
        env._migration_context = None
        _uninstall(env)
    return answer


# ------------------------------------------------------- scratch (SQLite)


def _sqlite_literal(value):
    import datetime
    import decimal

    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "X'%s'" % bytes(value).hex().upper()
    if isinstance(value, (datetime.date, datetime.time, datetime.datetime)):
        value = value.isoformat(" ") if isinstance(value, datetime.datetime) else value.isoformat()
    return "'%s'" % str(value).replace("'", "''")


def _inline_sqlite(statement, params):
    """Replace ?, ?NNN, :name, @name, $name outside quotes and comments."""
    if not params:
        return statement
    out = []
    i, n = 0, len(statement)
    pos = 0
    named = isinstance(params, dict)
    while i < n:
        c = statement[i]
        if c in "'\"`":
            j = i + 1
            while j < n:
                if statement[j] == c:
                    if j + 1 < n and statement[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            out.append(statement[i: j + 1])
            i = j + 1
        elif c == "[":
            j = statement.find("]", i)
            j = n - 1 if j < 0 else j
            out.append(statement[i: j + 1])
            i = j + 1
        elif statement.startswith("--", i):
            j = statement.find("\n", i)
            j = n if j < 0 else j
            out.append(statement[i:j])
            i = j
        elif statement.startswith("/*", i):
            j = statement.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(statement[i:j])
            i = j
        elif c == "?" and not named:
            j = i + 1
            while j < n and statement[j].isdigit():
                j += 1
            idx = int(statement[i + 1: j]) - 1 if j > i + 1 else pos
            pos = idx + 1
            out.append(_sqlite_literal(params[idx]))
            i = j
        elif c in ":@$" and named and i + 1 < n and (
            statement[i + 1].isalpha() or statement[i + 1] == "_"
        ):
            j = i + 1
            while j < n and (statement[j].isalnum() or statement[j] == "_"):
                j += 1
            key = statement[i + 1: j]
            if key in params:
                out.append(_sqlite_literal(params[key]))
            else:
                out.append(statement[i:j])
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _in_reflection():
    f = sys._getframe(2)
    while f is not None:
        fn = f.f_code.co_filename
        if fn.endswith(os.path.join("engine", "reflection.py")):
            return True
        if os.sep + "dialects" + os.sep in fn and f.f_code.co_name.startswith(
            ("get_", "has_", "_get_")
        ):
            return True
        f = f.f_back
    return False


def _render_scratch(path, module_name, chain, info):
    from sqlalchemy import event

    sentinel = _SESSION.sentinel
    answer = {"ok": True}
    capture = {"into": None}

    def before(conn, cursor, statement, parameters, context, executemany):
        into = capture["into"]
        if into is None or _in_reflection():
            return
        sets = parameters if executemany else [parameters]
        for p in sets:
            s = _inline_sqlite(statement, p).replace("\t", "    ").strip()
            if s:
                into.append(s)

    engine = sqlalchemy.create_engine("sqlite://")
    event.listen(engine, "before_cursor_execute", before)
    env = _new_env(as_sql=False)
    env._install_proxy()
    conn = engine.connect()
    try:
        for schema in sorted(set([sentinel, _x_with_schema()["schema"]])):
            if schema and schema not in ("main", "temp"):
                conn.exec_driver_sql(
                    "ATTACH DATABASE ':memory:' AS \"%s\"" % schema.replace('"', '""')
                )
        trans = conn.begin()

        def online_ctx():
            ctx = MigrationContext.configure(
                connection=conn, environment_context=env, opts={"as_sql": False}
            )
            env._migration_context = ctx
            return ctx

        for i, f in enumerate(chain):
            err = None
            try:
                mod = _load_module(f, "%s_scratch_%d" % (module_name, i))
                fn = getattr(mod, "upgrade", None)
                if callable(fn):
                    err = _call(fn, online_ctx(), _schema_kw(fn))
            except BaseException as e:  # noqa: BLE001
                if isinstance(e, KeyboardInterrupt):
                    raise
                err = e
            if err is not None:
                t = _error_todo(err, f)
                reason = (
                    "scratch database: upgrading through %s (ancestor %d of %d) "
                    "failed: %s" % (os.path.basename(f), i + 1, len(chain), t["reason"])
                )
                for fname in ("upgrade", "downgrade"):
                    sec = _section(info, fname)
                    sec["todo"] = {"line": sec["function_line"], "reason": reason}
                    answer[fname] = sec
                return answer

        load_err = None
        module = None
        try:
            module = _load_module(path, module_name)
        except BaseException as e:  # noqa: BLE001
            if isinstance(e, KeyboardInterrupt):
                raise
            load_err = e
        up_failed = False
        for fname in ("upgrade", "downgrade"):
            sec = _section(info, fname)
            static_read = _static_read(info, fname)
            if load_err is not None:
                answer[fname] = _finish(sec, [], static_read, None, load_err, path, sentinel)
                continue
            fn = getattr(module, fname, None)
            if not callable(fn):
                answer[fname] = _finish(sec, [], None, None, None, path, sentinel)
                continue
            if up_failed:
                sec["todo"] = {
                    "line": sec["function_line"],
                    "reason": "scratch database: not at this revision, its "
                    "upgrade() failed",
                }
                answer[fname] = sec
                continue
            state = _ReadState(path)
            statements = []
            ctx = online_ctx()
            restore = _patch_online_bind(conn, state)
            capture["into"] = statements
            try:
                err = _call(fn, ctx, _schema_kw(fn))
            finally:
                capture["into"] = None
                restore()
            answer[fname] = _finish(
                sec, statements, static_read, state.read, err, path, sentinel
            )
            todo = answer[fname]["todo"]
            if (
                err is not None
                and state.read is None
                and static_read is None
                and not isinstance(err, _DataRead)
            ):
                todo["reason"] = "scratch database: " + todo["reason"]
            if fname == "upgrade" and (err is not None or state.read is not None):
                up_failed = True
        try:
            trans.rollback()
        except Exception:  # noqa: BLE001
            pass
    finally:
        env._migration_context = None
        _uninstall(env)
        conn.close()
        engine.dispose()
    return answer


# ------------------------------------------------------------------ server


def _req_path(req, kind):
    path = req.get("path")
    if not isinstance(path, str) or not path:
        raise _Fail(kind, "%s: 'path' must be a file path" % kind, line=0)
    return os.path.abspath(path)


def op_hello(req):
    _need_alembic()
    return {
        "ok": True,
        "python": platform.python_version(),
        "alembic": alembic.__version__,
        "sqlalchemy": sqlalchemy.__version__,
    }


_OPS = {
    "hello": op_hello,
    "project": op_project,
    "setup": op_setup,
    "header": op_header,
    "render": op_render,
    "env": op_env,
}


def _internal(exc):
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    if frames:
        fs = frames[-1]
        where = " (%s:%d in %s)" % (os.path.basename(fs.filename), fs.lineno, fs.name)
    return {
        "ok": False,
        "error": "internal",
        "message": "%s: %s%s" % (type(exc).__name__, " ".join(str(exc).split()), where),
    }


def handle(req):
    if not isinstance(req, dict):
        return {"ok": False, "error": "request", "message": "a request is a JSON object"}
    op = req.get("op")
    fn = _OPS.get(op) if isinstance(op, str) else None
    if fn is None:
        return {
            "ok": False,
            "error": "unknown_op",
            "message": "unknown op %r; known: %s" % (op, ", ".join(sorted(_OPS))),
        }
    try:
        return fn(req)
    except _Fail as f:
        return f.answer
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # noqa: BLE001 - keep serving
        return _internal(e)


def _send(obj):
    try:
        data = json.dumps(obj, ensure_ascii=False)
    except (TypeError, ValueError) as e:
        data = json.dumps(_internal(e))
    _PROTO_OUT.write(data.encode("utf-8", "replace") + b"\n")
    _PROTO_OUT.flush()


def main():
    while True:
        raw = _PROTO_IN.readline()
        if not raw:
            return 0
        raw = raw.strip()
        if not raw:
            continue
        try:
            req = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            _send({"ok": False, "error": "request", "message": "not JSON: %s" % e})
            continue
        _send(handle(req))


if __name__ == "__main__":
    sys.exit(main())

"""retort's SQLAlchemy model worker: the DDL of a project's SQLAlchemy models.

retort embeds this file's text and runs it as `python3 -u -c <text>`
(src/autogen/sqlalchemy_models.cc, through src/python/python_worker.h), so it
is one self-contained file: standard library and sqlalchemy only, nothing
depends on its own path. It needs SQLAlchemy 1.4 or newer (create_mock_engine;
checked with Debian's 1.4.46 on Python 3.11).

The DDL is SQLAlchemy's own: `metadata.create_all()` on a mock engine of the
target's dialect, each DDL element compiled by that dialect, so enum types,
comments, indexes and sequences come with the tables in SQLAlchemy's
dependency order, and naming conventions and schemas are applied by
SQLAlchemy itself. Nothing here re-implements a compiler.

Streams
-------
At start-up the worker keeps fd 0 / fd 1 for the protocol and points fd 1 and
sys.stdout at stderr, fd 0 and sys.stdin at /dev/null, so a print() in a
model module can never corrupt the protocol. No bytecode is written
(sys.dont_write_bytecode, and PYTHONDONTWRITEBYTECODE from the C++ side), so
importing a project leaves no __pycache__ in it. The '' entry `-c` puts on
sys.path is removed: the project's folders come from PYTHONPATH.

Protocol (JSON lines, one answer per request, in order; at EOF the worker
exits 0 at once, without the interpreter's teardown)
-------------------------------------------------------------------------
1. {"op": "hello"}
   -> {"ok": true, "python": "3.11.2", "executable": "/usr/bin/python3.11",
       "sqlalchemy": "1.4.46"}
   or {"ok": false, "error": "no_sqlalchemy", "message": "No module named
   'sqlalchemy'"} / {"ok": false, "error": "old_sqlalchemy", "message":
   "SQLAlchemy 1.3.24 has no create_mock_engine: ..."}.

2. {"op": "emit", "entry": "app.models:Base.metadata",
    "dialect": "postgresql" | "sqlite", "project": "/abs/project",
    "roots": ["/abs/project", "/abs/project/src"]}
   Imports the module, walks the attribute path, takes the MetaData (the
   object itself, or its .metadata), and runs create_all(checkfirst=False)
   on create_mock_engine("<dialect>://", executor).
   -> {"ok": true, "sqlalchemy": "1.4.46", "schemas": ["cars", ...],
       "statements": ["CREATE SCHEMA IF NOT EXISTS cars", "CREATE TYPE ...",
                      "CREATE TABLE ...", ...],
       "files": [{"path": P, "sha256": H} | {"path": P, "size": N,
                  "mtime_ns": T}, ...],
       "dirs": [{"path": D, "names": [...]}, ...]}
   - statements: "CREATE SCHEMA IF NOT EXISTS <s>" for every schema the
     metadata uses (tables, enum and other schema types, sequences), sorted,
     first (PostgreSQL only); then every statement create_all executed, as
     compiled, without a terminator.
   - files: every module file loaded in the interpreter (sys.modules), for
     the C++ side's cache: files under a root by the SHA-256 of their bytes
     (as read by the import system when it read the source), the others
     (the standard library, SQLAlchemy, other installed packages) by size
     and modification time.
   - dirs: the importable names (*.py files and folders other than
     __pycache__ and hidden ones) of each root and of each folder holding a
     project module: a module added there (found by a package that imports
     its folder's modules itself, or shadowing another) changes them.
   Errors ({"ok": false, "error": KIND, "message": TEXT}), TEXT being what
   retort prints:
   - "no_module": the entry's module (or a package above it) is not found:
     "sqlalchemy:app.models:Base.metadata: no module named 'app' (looked in
     /proj, /proj/src); set python_path in retort.toml".
   - "project": an exception in the project's code, named by the innermost
     frame in a file under a root (relative to the project folder when
     under it): "app/models.py:14: NameError: name 'Strin' is not defined";
     a SyntaxError by its file and line. Without such a frame:
     "sqlalchemy:app.models:Base.metadata: <Type>: <message>".
   - "attribute": "sqlalchemy:app.models:Base.metadta: app.models:Base has
     no attribute 'metadta'; did you mean 'metadata'?"
   - "not_metadata": "sqlalchemy:app.models:engine: app.models:engine is an
     instance of sqlalchemy.engine.base.Engine, not a SQLAlchemy MetaData
     (nor an object whose .metadata is one, such as a declarative Base)".
   - "empty": the MetaData holds no table (the model modules were not
     imported).
   - "sqlite_schema": a table or type in a schema with dialect sqlite.
   - "entry": a malformed entry.
   Any other failure of the worker itself answers "internal".
"""

import difflib
import hashlib
import importlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import traceback


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

# The SHA-256 of each source file as the import system read it, by path, so
# the cache is keyed on the bytes that were compiled, not on what the file
# holds a moment later.
_SOURCE_HASHES = {}
_original_get_data = importlib.machinery.SourceFileLoader.get_data


def _hashing_get_data(self, path):
    data = _original_get_data(self, path)
    if isinstance(path, str) and path.endswith(".py"):
        _SOURCE_HASHES[os.path.abspath(path)] = hashlib.sha256(data).hexdigest()
    return data


importlib.machinery.SourceFileLoader.get_data = _hashing_get_data

_SA_ERROR = None
_SA_KIND = None
try:
    import sqlalchemy
    from sqlalchemy import MetaData
except Exception as _exc:  # noqa: BLE001 - any import failure is reported
    _SA_KIND = "no_sqlalchemy"
    _SA_ERROR = str(_exc) or type(_exc).__name__
else:
    try:
        from sqlalchemy import create_mock_engine
    except ImportError:
        _SA_KIND = "old_sqlalchemy"
        _SA_ERROR = (
            "SQLAlchemy %s has no create_mock_engine: retort needs SQLAlchemy "
            "1.4 or newer" % getattr(sqlalchemy, "__version__", "?")
        )


class _Fail(Exception):
    """An expected error answer: {"ok": false, "error": kind, ...}."""

    def __init__(self, kind, message):
        Exception.__init__(self, message)
        self.answer = {"ok": False, "error": kind, "message": message}


def _one_line(text):
    return " ".join(str(text).split())


class _Project:
    """Where the project's files are, for messages and the cache."""

    def __init__(self, project, roots):
        self.project = os.path.realpath(project)
        self.roots = [os.path.realpath(r) for r in roots]

    def contains(self, path):
        # "<string>" (this worker), "<frozen importlib._bootstrap>": never.
        if not path or not os.path.isabs(path):
            return False
        real = os.path.realpath(path)
        for root in self.roots:
            if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
                return True
        return False

    def shown(self, path):
        real = os.path.realpath(path)
        base = self.project.rstrip(os.sep) + os.sep
        if real.startswith(base):
            return real[len(base):]
        return real

    def error(self, label, exc):
        """The message of an exception raised while running project code."""
        if isinstance(exc, SyntaxError) and exc.filename and self.contains(exc.filename):
            return "%s:%d: %s: %s" % (
                self.shown(exc.filename),
                exc.lineno or 0,
                type(exc).__name__,
                _one_line(exc.msg),
            )
        inner = None
        for frame in traceback.extract_tb(exc.__traceback__):
            if self.contains(frame.filename):
                inner = frame
        text = "%s: %s" % (type(exc).__name__, _one_line(exc))
        if inner is not None:
            return "%s:%d: %s" % (self.shown(inner.filename), inner.lineno, text)
        return "%s: %s" % (label, text)

    def has_frame(self, exc):
        return any(
            self.contains(f.filename) for f in traceback.extract_tb(exc.__traceback__)
        )


def _describe(obj):
    if obj is None:
        return "None"
    if isinstance(obj, type):
        return "the class %s.%s" % (obj.__module__, obj.__qualname__)
    if type(obj).__name__ == "module":
        return "the module %s" % obj.__name__
    if callable(obj) and hasattr(obj, "__qualname__"):
        return "the function %s.%s" % (getattr(obj, "__module__", "?"), obj.__qualname__)
    cls = type(obj)
    return "an instance of %s.%s" % (cls.__module__, cls.__qualname__)


def _is_module(name):
    try:
        return importlib.util.find_spec(name) is not None
    except Exception:  # noqa: BLE001 - a broken package: not a module then
        return False


def _suggest(obj, name):
    try:
        names = [n for n in dir(obj) if not n.startswith("__")]
    except Exception:  # noqa: BLE001 - a hostile __dir__
        return ""
    close = difflib.get_close_matches(name, names, n=1)
    return "; did you mean %r?" % close[0] if close else ""


def _type_schemas(typ, out, depth=0):
    """Schemas of schema-bound types (enums, ...) inside a column type."""
    if typ is None or depth > 8:
        return
    schema = getattr(typ, "schema", None)
    if isinstance(schema, str) and schema and getattr(typ, "name", None):
        out.add(schema)
    for attr in ("impl", "item_type"):
        inner = getattr(typ, attr, None)
        if inner is not None and inner is not typ and not isinstance(inner, type):
            _type_schemas(inner, out, depth + 1)
    variants = getattr(typ, "mapping", None)
    if isinstance(variants, dict):
        for inner in variants.values():
            _type_schemas(inner, out, depth + 1)


def _metadata_schemas(md):
    """Every schema the metadata puts something in."""
    schemas = set()
    if getattr(md, "schema", None):
        schemas.add(md.schema)
    for table in md.tables.values():
        if table.schema:
            schemas.add(table.schema)
        for column in table.columns:
            _type_schemas(column.type, schemas)
            default = column.default
            if default is not None and getattr(default, "is_sequence", False):
                if default.schema:
                    schemas.add(default.schema)
    for seq in getattr(md, "_sequences", {}).values():
        if getattr(seq, "schema", None):
            schemas.add(seq.schema)
    return sorted(schemas)


def _utf8(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in a file name
        return False
    return True


def _importable_names(folder):
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return None
    names = []
    for e in entries:
        if e.name.startswith(".") or e.name == "__pycache__":
            continue
        try:
            is_dir = e.is_dir()
        except OSError:
            continue
        if not _utf8(e.name):
            continue
        if is_dir or e.name.endswith(".py"):
            names.append(e.name)
    names.sort()
    return names


def _dependencies(project):
    files = []
    folders = set(project.roots)
    seen = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path or not _utf8(path):
            continue
        path = os.path.abspath(path)
        if path in seen:
            continue
        seen.add(path)
        try:
            st = os.stat(path)
        except OSError:
            continue
        if project.contains(path):
            digest = _SOURCE_HASHES.get(path)
            if digest is None:
                try:
                    with open(path, "rb") as f:
                        digest = hashlib.sha256(f.read()).hexdigest()
                except OSError:
                    continue
            files.append({"path": path, "sha256": digest})
            folders.add(os.path.dirname(path))
        else:
            files.append({"path": path, "size": st.st_size, "mtime_ns": st.st_mtime_ns})
    files.sort(key=lambda f: f["path"])
    dirs = []
    for folder in sorted(folders):
        names = _importable_names(folder)
        if names is not None:
            dirs.append({"path": folder, "names": names})
    return files, dirs


def _emit(req):
    if _SA_ERROR is not None:
        raise _Fail(_SA_KIND, _SA_ERROR)
    entry = req.get("entry", "")
    label = "sqlalchemy:" + entry
    module_name, sep, attr_path = entry.partition(":")
    if not sep or not module_name or not attr_path:
        raise _Fail(
            "entry",
            "%s: expected sqlalchemy:<module>:<attribute>, e.g. "
            "sqlalchemy:app.models:Base.metadata" % label,
        )
    dialect_name = req.get("dialect", "postgresql")
    roots = list(req.get("roots", []))
    project = _Project(req.get("project", os.getcwd()), roots)

    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        missing = e.name or ""
        ours = module_name == missing or module_name.startswith(missing + ".")
        if missing and ours and not project.has_frame(e):
            raise _Fail(
                "no_module",
                "%s: no module named %r (looked in %s); set python_path in "
                "retort.toml" % (label, missing, ", ".join(roots)),
            )
        raise _Fail("project", project.error(label, e))
    except BaseException as e:  # noqa: BLE001 - SystemExit in a model too
        raise _Fail("project", project.error(label, e))

    obj = module
    owner = "module " + module_name
    walked = module_name + ":"
    for i, part in enumerate(attr_path.split(".")):
        try:
            value = getattr(obj, part)
        except AttributeError as e:
            if project.has_frame(e):
                raise _Fail("project", project.error(label, e))
            hint = _suggest(obj, part)
            if not hint and obj is module and _is_module(module_name + "." + part):
                hint = "; %s.%s is a module: write sqlalchemy:%s.%s:<attribute>" % (
                    module_name, part, module_name, part)
            raise _Fail(
                "attribute",
                "%s: %s has no attribute %r%s" % (label, owner, part, hint),
            )
        except BaseException as e:  # noqa: BLE001 - a property of the project
            raise _Fail("project", project.error(label, e))
        walked += ("." if i else "") + part
        owner = walked
        obj = value

    metadata = obj
    if not isinstance(metadata, MetaData):
        try:
            inner = getattr(obj, "metadata", None)
        except Exception:  # noqa: BLE001 - a property that raises: not one
            inner = None
        if isinstance(inner, MetaData):
            metadata = inner
        else:
            extra = ""
            if inner is not None:
                extra = " (its .metadata is %s)" % _describe(inner)
            raise _Fail(
                "not_metadata",
                "%s: %s is %s%s, not a SQLAlchemy MetaData (nor an object whose "
                ".metadata is one, such as a declarative Base)"
                % (label, walked, _describe(obj), extra),
            )

    if not metadata.tables:
        raise _Fail(
            "empty",
            "%s: the MetaData holds no table, so every table of the database "
            "would look like a drop; import the modules that define the models "
            "in %s (or name a module that imports them all)" % (label, module_name),
        )

    schemas = _metadata_schemas(metadata)
    if dialect_name == "sqlite" and schemas:
        raise _Fail(
            "sqlite_schema",
            "%s: the models use schema %r: retort compares an SQLite "
            "database's main schema only, so SQLite models cannot use schemas"
            % (label, schemas[0]),
        )

    compiled = []
    engine = None

    def executor(sql, *multiparams, **params):
        compiled.append(str(sql.compile(dialect=engine.dialect)).strip())

    engine = create_mock_engine(dialect_name + "://", executor)
    try:
        metadata.create_all(engine, checkfirst=False)
    except BaseException as e:  # noqa: BLE001 - the project's types and events
        raise _Fail("project", project.error(label, e))

    statements = []
    if dialect_name != "sqlite":
        quote = engine.dialect.identifier_preparer.quote_schema
        statements = ["CREATE SCHEMA IF NOT EXISTS %s" % quote(s) for s in schemas]
    statements.extend(s for s in compiled if s)
    files, dirs = _dependencies(project)
    return {
        "ok": True,
        "sqlalchemy": sqlalchemy.__version__,
        "schemas": schemas,
        "statements": statements,
        "files": files,
        "dirs": dirs,
    }


def _hello(req):
    if _SA_ERROR is not None:
        raise _Fail(_SA_KIND, _SA_ERROR)
    return {
        "ok": True,
        "python": "%d.%d.%d" % sys.version_info[:3],
        "executable": sys.executable,
        "sqlalchemy": sqlalchemy.__version__,
    }


_OPS = {"hello": _hello, "emit": _emit}


def handle(req):
    if not isinstance(req, dict):
        return {"ok": False, "error": "request", "message": "not a JSON object"}
    op = _OPS.get(req.get("op"))
    if op is None:
        return {"ok": False, "error": "unknown_op", "message": "unknown op %r" % req.get("op")}
    try:
        return op(req)
    except _Fail as f:
        return f.answer
    except Exception as e:  # noqa: BLE001 - the worker's own failure
        tb = traceback.extract_tb(e.__traceback__)
        where = "%s:%d" % (tb[-1].filename, tb[-1].lineno) if tb else "?"
        return {
            "ok": False,
            "error": "internal",
            "message": "%s: %s (%s)" % (type(e).__name__, _one_line(e), where),
        }


def _send(answer):
    _PROTO_OUT.write(json.dumps(answer).encode("utf-8") + b"\n")
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
    main()
    # Skip the interpreter's teardown: with thousands of mapped classes,
    # freeing them takes seconds nobody waits for usefully.
    try:
        sys.stderr.flush()
    finally:
        os._exit(0)

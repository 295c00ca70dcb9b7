#!/usr/bin/env python3
"""Write an Alembic project for the tests and benchmarks that run retort side
by side with Alembic: alembic.ini, env.py, script.py.mako, versions/ and,
on request, models.py. Standard library only (it writes text); the project
it writes needs Alembic and SQLAlchemy (Debian: /usr/bin/python3 with
python3-alembic).

usage: gen_alembic.py DIR --revisions N [--url URL]
           [--shape linear|branchy] [--ops simple|mixed] [--seed S]
           [--data-every K] [--header-style classic|annotated]
           [--models-tables T] [--models-extra-column]

Revisions. Revision i (0-based) has id f"{i+1:012x}" ("000000000001" for
i = 0), lives in versions/<id>_rev_<i>.py and has the message "rev i".
upgrade() and downgrade() take `schema=None`: env.py passes
`-x schema=...` through context.run_migrations(schema=...).

  --shape linear    (default) a chain: revision i revises revision i-1.
  --shape branchy   the graph of bench/gen_project.py --shape branchy, with
                    the same ids and the same parents, so the two tools see
                    comparable graphs: every 50 revisions a branch point
                    forks two chains that merge (a tuple down_revision) 10
                    revisions later. On top of gen_project.py's graph: the
                    second revision of each fork (i % 50 == 1) has the
                    branch label fork_<i>, and the revision at i % 50 == 5
                    (second chain) depends_on the one at i % 50 == 4 (first
                    chain). A project that stops inside a fork has two
                    heads: use `alembic upgrade heads`.
  --ops simple      (default) revision i runs
                        op.execute("CREATE TABLE t_<i> (id integer PRIMARY
                        KEY, name text NOT NULL, created_at timestamptz
                        DEFAULT now())")
                    and op.execute("DROP TABLE t_<i>") on downgrade: the
                    statement retort's own test projects use, so offline
                    output compares byte for byte.
  --ops mixed       the operations real projects are made of, in a fixed
                    rotation: op.create_table (sa.Integer, sa.String,
                    sa.Enum, sa.Numeric, sa.Boolean, sa.DateTime, sa.Text,
                    sa.JSON columns; tables t_<i>), op.add_column,
                    op.alter_column (type, nullable, server_default),
                    op.create_index / op.drop_index, op.create_foreign_key,
                    op.create_unique_constraint, op.drop_column,
                    op.batch_alter_table, op.bulk_insert and op.execute;
                    every downgrade undoes its upgrade exactly. A revision
                    only changes tables of its own line of descent (the
                    second chain of a fork starts with a table of its own),
                    so every order Alembic may pick is valid. Merge
                    revisions are empty, as `alembic merge` writes them.
                    Written for PostgreSQL (ALTER of constraints, enum
                    types).
  --seed S          (default 0) picks where the rotation starts, the tables
                    and the column types; the same arguments always write
                    the same files.
  --data-every K    (default 50; 0: none) with --ops mixed, revision i with
                    i % K == K-1 is a data migration instead: it adds a
                    column and fills it from rows read through
                    op.get_bind(). Such revisions need a live connection:
                    `alembic upgrade --sql` stops on them, as on any
                    project with one.
  --header-style classic     (default) revision = '...', def upgrade(...):
                             Alembic's script template before 1.11.
  --header-style annotated   revision: str = '...', down_revision:
                             Union[str, None] = ..., def upgrade(...) ->
                             None: the template of Alembic 1.11 and later.

env.py: version table alembic_version, or alembic_version_<schema> with
`-x schema=<schema>`. Online (PostgreSQL), that schema is created if missing
and put first on the search_path; offline, configure() has
literal_binds=True (the tests sed the text "literal_binds=True,
version_table=vt," to add options: keep it). target_metadata is models.py's
metadata when the project has one.

--models-tables T writes models.py for autogenerate: tables m_0 .. m_<T-1>,
each (id integer primary key, name text not null, ref integer references
m_<i//10>(id), created_at timestamptz default now()) with an index
ix_m_<i>_name on name; --models-extra-column adds a column extra text to
each, so autogenerate against a database without it finds T new columns.

Check a project with Debian's Alembic:
  /usr/bin/python3 -m alembic -c DIR/alembic.ini heads
  /usr/bin/python3 -m alembic -c DIR/alembic.ini history
  /usr/bin/python3 -m alembic -c DIR/alembic.ini upgrade heads --sql
"""
import argparse
import datetime
import os
import random

DEFAULT_URL = "postgresql+psycopg2://postgres@127.0.0.1:54329/bench"
SIMPLE_CREATE = ("CREATE TABLE t_{i} (id integer PRIMARY KEY, name text NOT NULL, "
                 "created_at timestamptz DEFAULT now())")
CREATE_DATE = datetime.datetime(2026, 1, 1)


def rev_id(i):
    return f"{i + 1:012x}"


# ---------------------------------------------------------------------------
# The revision graph.

class Node:
    """One revision: index, id, parent ids, branch labels, dependencies."""

    def __init__(self, i, parents, labels=(), depends=()):
        self.i = i
        self.rev = rev_id(i)
        self.parents = list(parents)
        self.labels = list(labels)
        self.depends = list(depends)


def build_graph(n, shape):
    if shape == "linear":
        return [Node(i, [rev_id(i - 1)] if i else []) for i in range(n)]
    # bench/gen_project.py's branchy walk, step for step (same ids, same
    # parents); only the labels and the dependencies are added here.
    nodes = []
    heads = []  # open chains
    i = 0
    while i < n:
        if not heads:
            nodes.append(Node(i, []))
            heads = [rev_id(i)]
        elif i % 50 == 0 and len(heads) == 1:
            # branch point: two children of the same parent
            nodes.append(Node(i, [heads[0]]))
            i += 1
            if i >= n:
                break
            nodes.append(Node(i, [heads[0]], labels=[f"fork_{i}"]))
            heads = [rev_id(i - 1), rev_id(i)]
        elif i % 50 == 10 and len(heads) == 2:
            nodes.append(Node(i, heads))  # merge point
            heads = [rev_id(i)]
        elif i % 200 == 100:
            # gen_project.py's labelled side branch (a base of its own). As
            # written there it is never reached (i % 50 == 0 comes first);
            # kept so that the two walks stay the same.
            nodes.append(Node(i, [], labels=[f"side{i}"]))
        else:
            k = i % len(heads)
            depends = []
            if len(heads) == 2 and i % 50 == 5:
                depends = [heads[1 - k]]  # the other chain's latest revision
            nodes.append(Node(i, [heads[k]], depends=depends))
            heads[k] = rev_id(i)
        i += 1
    return nodes


# ---------------------------------------------------------------------------
# --ops mixed: a model of the schema, so that every operation is valid where
# it runs and every downgrade restores what its upgrade changed.

# kind -> (SQLAlchemy type as written in a revision, server_default as
# written, or None for types that get no default here)
TYPES = {
    "str50": ("sa.String(length=50)", "'n/a'"),
    "str100": ("sa.String(length=100)", None),
    "str200": ("sa.String(length=200)", "'n/a'"),
    "int": ("sa.Integer()", "'0'"),
    "bigint": ("sa.BigInteger()", "'0'"),
    "num": ("sa.Numeric(precision=12, scale=2)", "'0'"),
    "num2": ("sa.Numeric(precision=18, scale=4)", "'0'"),
    "bool": ("sa.Boolean()", "sa.text('false')"),
    "text": ("sa.Text()", "''"),
    "date": ("sa.Date()", "sa.text('CURRENT_DATE')"),
    "ts": ("sa.DateTime(timezone=True)", "sa.text('now()')"),
    "json": ("sa.JSON()", None),
}
WIDEN = {"str50": "str200", "int": "bigint", "num": "num2"}
ADDED_KINDS = ["str50", "int", "num", "bool", "text", "date", "ts"]
STATUSES = ("new", "active", "archived")

# The rotation: revision i does ROTATION[(i + offset) % len(ROTATION)].
ROTATION = [
    "create_table", "add_column", "bulk_insert", "create_index",
    "alter_column", "create_foreign_key", "add_column", "execute",
    "create_unique_constraint", "alter_column", "batch_alter_table",
    "drop_index", "bulk_insert", "drop_column", "alter_column",
]


class Column:
    def __init__(self, kind, nullable=True, default=None, fixed=False):
        self.kind = kind
        self.nullable = nullable
        self.default = default        # server_default as written, or None
        # every row has a value: the column got its default when added and
        # has kept one since (so NOT NULL can be set)
        self.always_default = default is not None
        # was NOT NULL at some point: dropping it without a default would
        # make the downgrade re-add it full of NULLs, which an older
        # revision's downgrade to NOT NULL could not take
        self.was_not_null = not nullable
        self.fixed = fixed            # id, name, status, reference columns

    def type_src(self):
        return TYPES[self.kind][0]


class Table:
    def __init__(self, name):
        self.name = name
        self.columns = {}   # name -> Column, in creation order
        self.indexes = {}   # name -> list of column names
        self.uniques = {}   # name -> list of column names
        self.fks = {}       # name -> list of column names
        self.comment = None

    def referenced(self):
        used = set()
        for group in (self.indexes, self.uniques, self.fks):
            for cols in group.values():
                used.update(cols)
        return used


def q(s):
    return repr(s)


class MixedOps:
    """Writes the upgrade and downgrade bodies of --ops mixed revisions."""

    def __init__(self, seed, data_every):
        self.rng = random.Random(seed)
        self.offset = self.rng.randrange(len(ROTATION))
        self.data_every = data_every
        self.tables = {}     # name -> Table
        self.owned = {}      # rev -> sorted table names that revision owns
        self.existing = {}   # rev -> set of table names in its ancestry
        self.claimed = set()

    # Ownership: a revision inherits its parents' tables when it is the
    # first child of each; a second child (the other chain of a fork) owns
    # nothing inherited, so the two chains never touch the same table.
    def _inherit(self, node):
        owned, existing = set(), set()
        for parent in node.parents:
            existing |= self.existing[parent]
            if parent not in self.claimed:
                self.claimed.add(parent)
                owned |= set(self.owned[parent])
        return owned, existing

    def body(self, node):
        owned, existing = self._inherit(node)
        self.cur_owned, self.cur_existing = owned, existing
        if len(node.parents) > 1:
            up, down = ["pass"], ["pass"]
        elif not owned:
            up, down = self.create_table(node.i)
        elif self.data_every and node.i % self.data_every == self.data_every - 1:
            up, down = self.data_migration(node.i)
        else:
            kind = ROTATION[(node.i + self.offset) % len(ROTATION)]
            up, down = getattr(self, kind)(node.i)
        self.owned[node.rev] = sorted(self.cur_owned)
        self.existing[node.rev] = self.cur_existing | self.cur_owned
        return up, down

    def pick_table(self):
        return self.tables[self.rng.choice(sorted(self.cur_owned))]

    def _candidates(self, pred):
        """(table, column name) pairs of owned tables matching pred."""
        out = []
        for tname in sorted(self.cur_owned):
            t = self.tables[tname]
            for cname, col in t.columns.items():
                if pred(t, cname, col):
                    out.append((t, cname))
        return out

    @staticmethod
    def column_src(name, col):
        args = [q(name), col.type_src()]
        if col.default is not None:
            args.append(f"server_default={col.default}")
        args.append(f"nullable={col.nullable}")
        return f"sa.Column({', '.join(args)})"

    # -- the operations ------------------------------------------------------

    def create_table(self, i):
        name = f"t_{i}"
        t = Table(name)
        enum = f"{name}_status"
        t.columns["id"] = Column("int", nullable=False, fixed=True)
        t.columns["name"] = Column("str100", nullable=False, fixed=True)
        t.columns["status"] = Column("enum", nullable=False, default="'new'",
                                     fixed=True)
        lines = [
            "sa.Column('id', sa.Integer(), nullable=False),",
            "sa.Column('name', sa.String(length=100), nullable=False),",
            f"sa.Column('status', sa.Enum({', '.join(map(q, STATUSES))}, "
            f"name={q(enum)}), server_default='new', nullable=False),",
        ]
        extras = [
            ("amount", Column("num")),
            ("is_active", Column("bool", nullable=False, default="sa.text('true')")),
            ("created_at", Column("ts", default="sa.text('now()')")),
            ("notes", Column("text")),
            ("payload", Column("json")),
        ]
        for cname, col in extras:
            if self.rng.random() < 0.6:
                t.columns[cname] = col
                lines.append(self.column_src(cname, col) + ",")
        lines.append(f"sa.PrimaryKeyConstraint('id', name={q('pk_' + name)}),")
        self.tables[name] = t
        self.cur_owned.add(name)
        up = ["op.create_table(", f"    {q(name)},"]
        up += ["    " + line for line in lines]
        up.append(")")
        down = [f"op.drop_table({q(name)})",
                f"op.execute({q('DROP TYPE ' + enum)})"]
        return up, down

    def add_column(self, i):
        t = self.pick_table()
        kind = self.rng.choice(ADDED_KINDS)
        default = TYPES[kind][1] if self.rng.random() < 0.5 else None
        col = Column(kind, default=default)
        cname = f"c_{i}"
        t.columns[cname] = col
        return ([f"op.add_column({q(t.name)}, {self.column_src(cname, col)})"],
                [f"op.drop_column({q(t.name)}, {q(cname)})"])

    def _existing_args(self, col, skip=()):
        args = []
        if "type" not in skip:
            args.append(f"existing_type={col.type_src()}")
        if "nullable" not in skip:
            args.append(f"existing_nullable={col.nullable}")
        if "default" not in skip and col.default is not None:
            args.append(f"existing_server_default={col.default}")
        return args

    @staticmethod
    def _alter(t, cname, args):
        return (f"op.alter_column({q(t.name)}, {q(cname)}, "
                + ", ".join(args) + ")")

    def alter_column(self, i):
        preds = {
            "type": lambda t, c, col: not col.fixed and col.kind in WIDEN,
            "nullable": lambda t, c, col: not col.fixed and (
                (col.nullable and col.always_default) or not col.nullable),
            "default": lambda t, c, col: not col.fixed and col.nullable
            and TYPES[col.kind][1] is not None,
        }
        order = ["type", "nullable", "default"]
        start = (i // len(ROTATION)) % 3
        for what in order[start:] + order[:start]:
            cands = self._candidates(preds[what])
            if cands:
                break
        else:
            return self.add_column(i)
        t, cname = self.rng.choice(cands)
        col = t.columns[cname]
        if what == "type":
            old, new = col.type_src(), TYPES[WIDEN[col.kind]][0]
            rest = self._existing_args(col, skip=("type",))
            up = self._alter(t, cname, [f"existing_type={old}", f"type_={new}"] + rest)
            down = self._alter(t, cname, [f"existing_type={new}", f"type_={old}"] + rest)
            col.kind = WIDEN[col.kind]
        elif what == "nullable":
            rest = self._existing_args(col, skip=("nullable",))
            before = col.nullable
            up = self._alter(t, cname, rest + [f"nullable={not before}"])
            down = self._alter(t, cname, rest + [f"nullable={before}"])
            col.nullable = not before
            col.was_not_null = True
        else:
            rest = self._existing_args(col, skip=("default",))
            old = col.default
            new = None if old is not None else TYPES[col.kind][1]
            up = self._alter(t, cname, rest + [f"server_default={new}"]
                             + ([f"existing_server_default={old}"] if old else []))
            down = self._alter(t, cname, rest + [f"server_default={old}"]
                               + ([f"existing_server_default={new}"] if new else []))
            col.default = new
            if new is None:
                col.always_default = False
        return [up], [down]

    def _indexable(self, t, cname, col):
        return (cname != "id" and col.kind != "json"
                and [cname] not in t.indexes.values())

    def create_index(self, i):
        cands = self._candidates(self._indexable)
        if not cands:
            return self.add_column(i)
        t, cname = self.rng.choice(cands)
        cols = [cname]
        if cname != "status" and "status" in t.columns and self.rng.random() < 0.3:
            cols = ["status", cname]
        name = f"ix_{t.name}_{'_'.join(cols)}"
        if name in t.indexes:
            cols, name = [cname], f"ix_{t.name}_{cname}"
        t.indexes[name] = cols
        return ([f"op.create_index({q(name)}, {q(t.name)}, {cols!r}, unique=False)"],
                [f"op.drop_index({q(name)}, table_name={q(t.name)})"])

    def drop_index(self, i):
        cands = [(self.tables[tn], ix) for tn in sorted(self.cur_owned)
                 for ix in self.tables[tn].indexes]
        if not cands:
            return self.create_index(i)
        t, name = self.rng.choice(cands)
        cols = t.indexes.pop(name)
        return ([f"op.drop_index({q(name)}, table_name={q(t.name)})"],
                [f"op.create_index({q(name)}, {q(t.name)}, {cols!r}, unique=False)"])

    def create_foreign_key(self, i):
        t = self.pick_table()
        target = self.rng.choice(sorted(self.cur_existing | self.cur_owned))
        cname, fk = f"ref_{i}", f"fk_{t.name}_ref_{i}"
        t.columns[cname] = Column("int", fixed=True)
        t.fks[fk] = [cname]
        up = [f"op.add_column({q(t.name)}, {self.column_src(cname, t.columns[cname])})",
              f"op.create_foreign_key({q(fk)}, {q(t.name)}, {q(target)}, "
              f"[{q(cname)}], ['id'], ondelete='CASCADE')"]
        down = [f"op.drop_constraint({q(fk)}, {q(t.name)}, type_='foreignkey')",
                f"op.drop_column({q(t.name)}, {q(cname)})"]
        return up, down

    def create_unique_constraint(self, i):
        t = self.pick_table()
        up, down = [], []
        if ["name"] not in t.uniques.values():
            cols, name = ["name"], f"uq_{t.name}_name"
        else:
            cname = f"code_{i}"
            t.columns[cname] = Column("str50", fixed=True)
            up.append(f"op.add_column({q(t.name)}, "
                      f"{self.column_src(cname, t.columns[cname])})")
            down.append(f"op.drop_column({q(t.name)}, {q(cname)})")
            cols, name = [cname], f"uq_{t.name}_{cname}"
        t.uniques[name] = cols
        up.append(f"op.create_unique_constraint({q(name)}, {q(t.name)}, {cols!r})")
        down.insert(0, f"op.drop_constraint({q(name)}, {q(t.name)}, type_='unique')")
        return up, down

    def batch_alter_table(self, i):
        t = self.pick_table()
        kind = self.rng.choice(ADDED_KINDS)
        cname, ix = f"c_{i}", f"ix_{t.name}_c_{i}"
        col = Column(kind)
        t.columns[cname] = col
        t.indexes[ix] = [cname]
        up = [f"with op.batch_alter_table({q(t.name)}, schema=None) as batch_op:",
              f"    batch_op.add_column({self.column_src(cname, col)})",
              f"    batch_op.create_index({q(ix)}, [{q(cname)}], unique=False)"]
        down = [f"with op.batch_alter_table({q(t.name)}, schema=None) as batch_op:",
                f"    batch_op.drop_index({q(ix)})",
                f"    batch_op.drop_column({q(cname)})"]
        return up, down

    def drop_column(self, i):
        cands = self._candidates(
            lambda t, c, col: not col.fixed and c not in t.referenced()
            and (col.default is not None or not col.was_not_null))
        if not cands:
            return self.add_column(i)
        t, cname = self.rng.choice(cands)
        col = t.columns.pop(cname)
        return ([f"op.drop_column({q(t.name)}, {q(cname)})"],
                [f"op.add_column({q(t.name)}, {self.column_src(cname, col)})"])

    def execute(self, i):
        t = self.pick_table()
        old, new = t.comment, f"rev {i}: {t.name} holds generated rows"
        t.comment = new

        def comment(text):
            value = "NULL" if text is None else "'" + text.replace("'", "''") + "'"
            return f"op.execute({q(f'COMMENT ON TABLE {t.name} IS {value}')})"
        return [comment(new)], [comment(old)]

    def bulk_insert(self, i):
        t = self.pick_table()
        var = f"{t.name}_table"
        ids = [i * 100 + k for k in range(3)]
        up = [f"{var} = sa.table(",
              f"    {q(t.name)},",
              "    sa.column('id', sa.Integer()),",
              "    sa.column('name', sa.String()),",
              "    sa.column('status', sa.String()),",
              ")",
              f"op.bulk_insert({var}, ["]
        for k, row_id in enumerate(ids):
            status = STATUSES[(i + k) % len(STATUSES)]
            up.append(f"    {{'id': {row_id}, 'name': 'Row {i} {k}', "
                      f"'status': {q(status)}}},")
        up.append("])")
        delete = f"DELETE FROM {t.name} WHERE id IN ({', '.join(map(str, ids))})"
        down = [f"op.execute({q(delete)})"]
        return up, down

    def data_migration(self, i):
        t = self.pick_table()
        cname = f"slug_{i}"
        col = Column("str200")
        t.columns[cname] = col
        select = f"SELECT id, name FROM {t.name} ORDER BY id"
        update = f"UPDATE {t.name} SET {cname} = :slug WHERE id = :id"
        up = [f"op.add_column({q(t.name)}, {self.column_src(cname, col)})",
              "# data migration: needs a live connection (no --sql)",
              "bind = op.get_bind()",
              f"rows = bind.execute(sa.text({q(select)})).fetchall()",
              "for row_id, name in rows:",
              "    bind.execute(",
              f"        sa.text({q(update)}),",
              "        {'slug': name.lower().replace(' ', '-'), 'id': row_id},",
              "    )"]
        down = [f"op.drop_column({q(t.name)}, {q(cname)})"]
        return up, down


# ---------------------------------------------------------------------------
# Files.

ALEMBIC_INI = """\
# An Alembic project written by retort's tests/tools/gen_alembic.py.
[alembic]
script_location = %(here)s
sqlalchemy.url = {url}

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)s %(message)s
"""

ENV_PY = '''\
"""Alembic environment of a project written by gen_alembic.py.

-x schema=S: version table alembic_version_S (else alembic_version); online
on PostgreSQL, schema S is created if missing and put first on the
search_path. The schema is passed to every upgrade()/downgrade().
"""
import importlib.util
import os

from alembic import context
from sqlalchemy import engine_from_config, pool, text

config = context.config
schema = context.get_x_argument(as_dictionary=True).get("schema")
vt = f"alembic_version_{schema}" if schema else "alembic_version"

# models.py beside this file, when there is one (for autogenerate).
target_metadata = None
_models = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models.py")
if os.path.exists(_models):
    _spec = importlib.util.spec_from_file_location("gen_alembic_models", _models)
    _module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
    target_metadata = _module.metadata


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      literal_binds=True, version_table=vt,
                      target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations(schema=schema)


def run_migrations_online():
    engine = engine_from_config(config.get_section(config.config_ini_section),
                                prefix="sqlalchemy.", poolclass=pool.NullPool,
                                future=True)
    with engine.connect() as connection:
        if schema and connection.dialect.name == "postgresql":
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            connection.execute(text(f'SET search_path TO "{schema}", public'))
            connection.commit()
        context.configure(connection=connection, version_table=vt,
                          target_metadata=target_metadata,
                          include_schemas=False)
        with context.begin_transaction():
            context.run_migrations(schema=schema)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

MAKO = {
    "classic": '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade(schema=None):
    ${upgrades if upgrades else "pass"}


def downgrade(schema=None):
    ${downgrades if downgrades else "pass"}
''',
    "annotated": '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: Union[str, None] = ${repr(down_revision)}
branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}
depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}


def upgrade(schema: Union[str, None] = None) -> None:
    ${upgrades if upgrades else "pass"}


def downgrade(schema: Union[str, None] = None) -> None:
    ${downgrades if downgrades else "pass"}
''',
}


def header_values(node):
    """down_revision, branch_labels, depends_on as Python source."""
    if not node.parents:
        down = "None"
    elif len(node.parents) == 1:
        down = q(node.parents[0])
    else:
        down = repr(tuple(node.parents))
    labels = repr(tuple(node.labels)) if node.labels else "None"
    if not node.depends:
        depends = "None"
    elif len(node.depends) == 1 and node.i % 100 < 50:
        depends = q(node.depends[0])  # a single id as a string ...
    else:
        depends = repr(tuple(node.depends))  # ... or a tuple, as Alembic writes
    return down, labels, depends


def revision_source(node, up, down, style):
    down_rev, labels, depends = header_values(node)
    date = CREATE_DATE + datetime.timedelta(minutes=node.i)
    out = [f'"""rev {node.i}', "",
           f"Revision ID: {node.rev}",
           f"Revises: {', '.join(node.parents)}",
           f"Create Date: {date:%Y-%m-%d %H:%M:%S}.000000", "", '"""']
    if style == "annotated":
        out += ["from typing import Sequence, Union", ""]
    out += ["from alembic import op", "import sqlalchemy as sa", "", "",
            "# revision identifiers, used by Alembic."]
    if style == "annotated":
        down_type = ("Union[str, Sequence[str], None]" if len(node.parents) > 1
                     else "Union[str, None]")
        out += [f"revision: str = {q(node.rev)}",
                f"down_revision: {down_type} = {down_rev}",
                f"branch_labels: Union[str, Sequence[str], None] = {labels}",
                f"depends_on: Union[str, Sequence[str], None] = {depends}"]
        sig = "(schema: Union[str, None] = None) -> None:"
    else:
        out += [f"revision = {q(node.rev)}",
                f"down_revision = {down_rev}",
                f"branch_labels = {labels}",
                f"depends_on = {depends}"]
        sig = "(schema=None):"
    out += ["", "", "def upgrade" + sig]
    out += ["    " + line for line in up]
    out += ["", "", "def downgrade" + sig]
    out += ["    " + line for line in down]
    return "\n".join(out) + "\n"


def models_source(tables, extra):
    out = ['"""Models for autogenerate, written by gen_alembic.py."""',
           "import sqlalchemy as sa", "", "metadata = sa.MetaData()", ""]
    extra_col = "\n    sa.Column('extra', sa.Text)," if extra else ""
    for i in range(tables):
        out.append(
            f"sa.Table(\n"
            f"    'm_{i}', metadata,\n"
            f"    sa.Column('id', sa.Integer, primary_key=True),\n"
            f"    sa.Column('name', sa.Text, nullable=False),\n"
            f"    sa.Column('ref', sa.Integer, sa.ForeignKey('m_{i // 10}.id')),\n"
            f"    sa.Column('created_at', sa.DateTime(timezone=True),\n"
            f"              server_default=sa.text('now()')),{extra_col}\n"
            f"    sa.Index('ix_m_{i}_name', 'name'),\n"
            f")")
    return "\n".join(out) + "\n"


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Write an Alembic project (see the module docstring).")
    ap.add_argument("dir")
    ap.add_argument("--revisions", type=int, default=100)
    ap.add_argument("--url", default=DEFAULT_URL)
    ap.add_argument("--shape", choices=["linear", "branchy"], default="linear")
    ap.add_argument("--ops", choices=["simple", "mixed"], default="simple")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data-every", type=int, default=50,
                    help="--ops mixed: every K-th revision is a data migration "
                         "(0: none)")
    ap.add_argument("--header-style", choices=["classic", "annotated"],
                    default="classic")
    ap.add_argument("--models-tables", type=int, default=0,
                    help="write models.py with T tables (for autogenerate)")
    ap.add_argument("--models-extra-column", action="store_true")
    a = ap.parse_args(argv)
    if a.revisions < 0 or a.models_tables < 0 or a.data_every < 0:
        ap.error("counts must not be negative")

    versions = os.path.join(a.dir, "versions")
    os.makedirs(versions, exist_ok=True)
    write(os.path.join(a.dir, "alembic.ini"), ALEMBIC_INI.format(url=a.url))
    write(os.path.join(a.dir, "env.py"), ENV_PY)
    write(os.path.join(a.dir, "script.py.mako"), MAKO[a.header_style])
    mixed = MixedOps(a.seed, a.data_every) if a.ops == "mixed" else None
    for node in build_graph(a.revisions, a.shape):
        if mixed:
            up, down = mixed.body(node)
        else:
            up = [f"op.execute({q(SIMPLE_CREATE.format(i=node.i))})"]
            down = [f"op.execute({q(f'DROP TABLE t_{node.i}')})"]
        write(os.path.join(versions, f"{node.rev}_rev_{node.i}.py"),
              revision_source(node, up, down, a.header_style))
    if a.models_tables:
        write(os.path.join(a.dir, "models.py"),
              models_source(a.models_tables, a.models_extra_column))


if __name__ == "__main__":
    main()

"""Creates a database the way a SQLAlchemy project does: metadata.create_all().

    python3 -B create_all.py URL ENTRY ROOT...

ENTRY is "<module>:<attribute path>" (a MetaData, or an object with
.metadata); the ROOTs are put first on sys.path. Every schema the tables and
enum types use is created first (create_all does not create schemas; an
Alembic project's first revision does). Used by tests/sqlalchemy_models_test.cc
to make the databases retort's SQLAlchemy models are checked against; it
shares no code with retort's own worker (src/autogen/sqlalchemy_models.py).
"""
import importlib
import sys

import sqlalchemy as sa


def main():
    url, entry = sys.argv[1], sys.argv[2]
    sys.path[:0] = sys.argv[3:]
    module_name, attrs = entry.split(":")
    obj = importlib.import_module(module_name)
    for attr in attrs.split("."):
        obj = getattr(obj, attr)
    metadata = obj if isinstance(obj, sa.MetaData) else obj.metadata
    engine = sa.create_engine(url)
    schemas = set()
    for table in metadata.tables.values():
        if table.schema:
            schemas.add(table.schema)
        for column in table.columns:
            schema = getattr(column.type, "schema", None)
            if schema:
                schemas.add(schema)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for schema in sorted(schemas):
                conn.execute(sa.text('CREATE SCHEMA IF NOT EXISTS "%s"' % schema))
        metadata.create_all(conn)
    engine.dispose()
    print("created %d tables" % len(metadata.tables))


if __name__ == "__main__":
    main()

"""Migrations for one schema at a time: alembic -x schema=<name> ...

Each schema (domain) has its own branch, labelled with the schema's name, and
its own version table, so the domains migrate independently.
"""
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool, text

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

SCHEMA_VERSION_TABLES = {
    "auth": "alembic_version_auth",
    "inventory": "alembic_version_inventory",
}

schema = context.get_x_argument(as_dictionary=True).get("schema")
if schema not in SCHEMA_VERSION_TABLES:
    raise SystemExit(
        "pass the schema to migrate: -x schema=%s" % "|".join(SCHEMA_VERSION_TABLES)
    )
version_table = SCHEMA_VERSION_TABLES[schema]

target_metadata = None


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        version_table=version_table,
        version_table_schema=schema,
        include_schemas=True,
    )
    with context.begin_transaction():
        context.execute("SET search_path TO %s" % schema)
        context.run_migrations(schema=schema)


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        connection.execute(text("CREATE SCHEMA IF NOT EXISTS %s" % schema))
        connection.execute(text("SET search_path TO %s" % schema))
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=version_table,
            version_table_schema=schema,
            include_schemas=True,
        )
        with context.begin_transaction():
            context.run_migrations(schema=schema)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

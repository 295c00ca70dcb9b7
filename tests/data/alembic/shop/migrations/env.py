import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

from shopdb.models import metadata

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)

if os.environ.get("SHOP_DATABASE_URL"):
    config.set_main_option("sqlalchemy.url", os.environ["SHOP_DATABASE_URL"])

target_metadata = metadata


def run_migrations_offline() -> None:
    """Emit the SQL to stdout instead of running it (alembic --sql)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

"""Alembic environment, driven from code (bot.store.db.alembic_config), not alembic.ini.

The Config carries either `engine` (an Engine to migrate through) or `engine_url`.
On PostgreSQL an advisory lock makes bots that start together migrate one at a time;
on SQLite, later migrations that alter a table run in batch mode (copy and swap).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

import vpctest.bot.digest.models  # noqa: F401  (its tables join Base.metadata)
from vpctest.bot.store.db import make_engine
from vpctest.bot.store.models import Base

MIGRATION_LOCK = 0x7670_6374_6573_74  # pg_advisory_xact_lock key: "vpctest"


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_online() -> None:
    attributes = context.config.attributes
    engine = attributes.get("engine")
    owned = engine is None
    if owned:
        engine = make_engine(attributes["engine_url"])
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        if owned:
            engine.dispose()


def run_offline() -> None:
    """`alembic upgrade --sql`: the DDL as text, for review."""
    context.configure(
        url=context.config.attributes["engine_url"],
        target_metadata=Base.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()

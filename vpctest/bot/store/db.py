"""Engines, sessions and migrations for the fix-request store.

SQLite (the default, one file) and PostgreSQL (`DATABASE_URL`) behave alike here:
every transaction takes its write lock up front, so the conditional UPDATEs in
service.py serialize instead of failing with "database is locked", and the schema is
brought to the newest migration at start without an alembic.ini on disk.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from vpctest.bot.config import DEFAULT_DATABASE_URL, ConfigError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000  # a writer waits this long for another's lock
ACCEPTED = (
    "sqlite:///PATH (the default is sqlite:///vpc-test.db) or "
    "postgresql://USER:PASSWORD@HOST:PORT/DB (postgres:// and postgresql+psycopg:// "
    "are accepted too)"
)
POSTGRES_SCHEMES = {"postgres", "postgresql", "postgresql+psycopg"}


class DatabaseUrlError(ConfigError):
    """DATABASE_URL cannot be used; the message says what is accepted."""


def _redacted(text: str) -> str:
    """The URL as it may be printed: never with its password."""
    return re.sub(r"://([^:/@]*):[^@]*@", r"://\1:***@", text)


def parse_database_url(url: str | URL | None) -> URL:
    """The SQLAlchemy URL for `url`, with PostgreSQL mapped to the psycopg 3 driver.

    Heroku-style deployments give `postgres://…`; SQLAlchemy would read that as an
    unknown dialect, and `postgresql://` as psycopg2, which is not installed.
    """
    if url is None or (isinstance(url, str) and not url.strip()):
        url = DEFAULT_DATABASE_URL
    if isinstance(url, str):
        try:
            parsed = make_url(url.strip())
        except ArgumentError:
            raise DatabaseUrlError(
                f"DATABASE_URL={_redacted(url)!r} is not a database URL: give {ACCEPTED}"
            ) from None
    else:
        parsed = url
    shown = parsed.render_as_string(hide_password=True)
    if parsed.drivername in POSTGRES_SCHEMES:
        if not parsed.host and not parsed.query.get("host"):
            raise DatabaseUrlError(f"DATABASE_URL={shown!r} names no host: give {ACCEPTED}")
        if not parsed.database:
            raise DatabaseUrlError(f"DATABASE_URL={shown!r} names no database: give {ACCEPTED}")
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername in {"sqlite", "sqlite+pysqlite"}:
        if parsed.database in (None, "", ":memory:") or parsed.database.startswith("file::memory:"):
            raise DatabaseUrlError(
                f"DATABASE_URL={shown!r} is an in-memory database, which forgets the pending "
                f"requests at restart: give {ACCEPTED}"
            )
        return parsed.set(drivername="sqlite")
    raise DatabaseUrlError(f"DATABASE_URL={shown!r} is not supported: give {ACCEPTED}")


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin) instead of the driver's
    # legacy mode, which skips BEGIN before reads and DDL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # Take the write lock at BEGIN: a transaction that read first and writes later
    # could otherwise fail at once with SQLITE_BUSY instead of waiting busy_timeout.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | URL | None = None, **kwargs: Any) -> Engine:
    """An engine for `url` (default sqlite:///vpc-test.db) that many threads may share.

    Raises DatabaseUrlError for a URL this store cannot use.
    """
    parsed = parse_database_url(url)
    if parsed.drivername == "sqlite":
        connect_args = {"check_same_thread": False, **kwargs.pop("connect_args", {})}
        engine = create_engine(parsed, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)  # a restarted server leaves dead connections
    return create_engine(parsed, **kwargs)


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (they are handed to other threads)."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url_or_engine: str | URL | Engine | None = None) -> Config:
    """An Alembic Config built in code, for `upgrade` and for authoring new revisions.

    A new migration, e.g. for the digest tables::

        from alembic import command
        command.revision(alembic_config("sqlite:///dev.db"), "digest subscriptions",
                         rev_id="0002", autogenerate=True)
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if isinstance(url_or_engine, Engine):
        config.attributes["engine"] = url_or_engine
    else:
        config.attributes["engine_url"] = parse_database_url(url_or_engine)
    return config


def upgrade(url_or_engine: str | URL | Engine | None = None, revision: str = "head") -> None:
    """Bring the schema to `revision` (the newest by default); run at every start."""
    if isinstance(url_or_engine, Engine):
        command.upgrade(alembic_config(url_or_engine), revision)
        return
    engine = make_engine(url_or_engine)
    try:
        command.upgrade(alembic_config(engine), revision)
    finally:
        engine.dispose()

"""The bot's one database: its engine, sessions, retry policy and migrations.

`Database.open(DATABASE_URL)` is made once by the app wiring (cli/serve.py) and shared by
every store on it: fix requests and the audit log (`Store`), digests (`DigestStore`) and
the seen Slack deliveries (`Deliveries`). Each store runs its transactions through
`Database.transaction` or `Database.read`, so one retry policy covers them all.

SQLite (the default, one file) and PostgreSQL (`DATABASE_URL`) behave alike here:
every transaction takes its write lock up front, so the conditional UPDATEs in
service.py serialize instead of failing with "database is locked"; a transaction the
database rolled back for contention (SQLite still busy after its timeout, a PostgreSQL
serialization failure or deadlock) is run again, whole; and the schema is brought to the
newest migration at start without an alembic.ini on disk.
"""

from __future__ import annotations

import logging
import random
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from vpctest.bot.config import DEFAULT_DATABASE_URL, ConfigError

log = logging.getLogger(__name__)
T = TypeVar("T")

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000  # a writer waits this long for another's lock
SQLITE_BUSY_CODES = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED (the low byte of extended codes)
POSTGRES_RETRY_STATES = ("40001", "40P01")  # serialization_failure, deadlock_detected
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


def _sqlite_connect(
    dbapi_connection: Any, _record: Any, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS
) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin) instead of the driver's
    # legacy mode, which skips BEGIN before reads and DDL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # Take the write lock at BEGIN: a transaction that read first and writes later
    # could otherwise fail at once with SQLITE_BUSY instead of waiting busy_timeout.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(
    url: str | URL | None = None, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any
) -> Engine:
    """An engine for `url` (default sqlite:///vpc-test.db) that many threads may share.

    `busy_timeout_ms` is how long a SQLite writer waits for another's lock before the
    driver reports it busy. Raises DatabaseUrlError for a URL this store cannot use.
    """
    parsed = parse_database_url(url)
    if parsed.drivername == "sqlite":
        connect_args = {"check_same_thread": False, **kwargs.pop("connect_args", {})}
        engine = create_engine(parsed, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", partial(_sqlite_connect, busy_timeout_ms=busy_timeout_ms))
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


# One retry policy for every store


@dataclass(frozen=True)
class RetryPolicy:
    """How often, and how far apart, a transaction rolled back for contention is run again."""

    attempts: int = 5  # tries in all, the first included
    base_s: float = 0.05
    cap_s: float = 1.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed try `attempt` (1, 2, …): full jitter, capped."""
        return random.uniform(0, min(self.cap_s, self.base_s * 2 ** (attempt - 1)))


RETRY = RetryPolicy()


def is_transient(exc: BaseException) -> bool:
    """Whether the database rolled the transaction back for contention alone, so running
    it again may pass: SQLite busy or locked, PostgreSQL serialization failure or deadlock.

    A lost connection is not among them: whether its COMMIT landed is unknown.
    """
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in SQLITE_BUSY_CODES
    if isinstance(orig, sqlite3.OperationalError):  # a driver without error codes
        return any(word in str(orig) for word in ("database is locked", "database is busy"))
    return getattr(orig, "sqlstate", None) in POSTGRES_RETRY_STATES


class Database:
    """The engine, its sessions and the retry policy every store on this database shares.

    Every method opens its own session, so one Database may be shared by every thread.
    Sessions keep their objects readable after commit (they are handed to other threads).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        retry: RetryPolicy = RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.engine = engine
        self.sessions = make_sessions(engine)
        self.retry = retry
        self.retries = 0  # transactions run again, since this object was made
        self._sleep = sleep

    @classmethod
    def open(
        cls,
        url: str | URL | None = None,
        *,
        migrate: bool = True,
        retry: RetryPolicy = RETRY,
        **engine_args: Any,
    ) -> Database:
        """The database at `url` (DATABASE_URL; default sqlite:///vpc-test.db), migrated to
        the newest schema unless `migrate` is false. Raises DatabaseUrlError for a URL it
        cannot use."""
        database = cls(make_engine(url, **engine_args), retry=retry)
        if migrate:
            try:
                database.migrate()
            except BaseException:
                database.close()
                raise
        return database

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision` (the newest by default)."""
        upgrade(self.engine, revision)

    def transaction(self, work: Callable[[Session], T]) -> T:
        """`work(session)` in one transaction, committed when it returns; run again, whole,
        when the database rolled it back for contention (`is_transient`)."""

        def attempt() -> T:
            with self.sessions.begin() as session:
                return work(session)

        return self._retried(attempt)

    def read(self, work: Callable[[Session], T]) -> T:
        """`work(session)` for reads: nothing is committed; retried as `transaction` is."""

        def attempt() -> T:
            with self.sessions() as session:
                return work(session)

        return self._retried(attempt)

    def close(self) -> None:
        """Close the pooled connections; the stores on this database stop working."""
        self.engine.dispose()

    def _retried(self, attempt: Callable[[], T]) -> T:
        for number in range(1, self.retry.attempts + 1):
            try:
                return attempt()
            except DBAPIError as exc:
                if number == self.retry.attempts or not is_transient(exc):
                    raise
                delay = self.retry.delay(number)
                self.retries += 1
                log.info(
                    "database contention (%s); try %d of %d in %.2fs",
                    type(exc.orig).__name__,
                    number + 1,
                    self.retry.attempts,
                    delay,
                )
                self._sleep(delay)
        raise AssertionError("unreachable")

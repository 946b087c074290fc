"""One `Database` for the whole bot: every store on one engine, one retry policy for a
transaction the database rolled back for contention, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError

from vpctest.bot.config import BotConfig
from vpctest.bot.context import BotContext
from vpctest.bot.deliveries import Deliveries
from vpctest.bot.digest.live import Digests
from vpctest.bot.digest.schedule import parse_schedule
from vpctest.bot.digest.service import DigestStore
from vpctest.bot.store import Database, RetryPolicy, Store, is_transient
from vpctest.diagnostics.fixes import AddAclEntries

QUICK = RetryPolicy(attempts=4, base_s=0.001, cap_s=0.002)
T0 = datetime(2026, 5, 4, 9, tzinfo=UTC)
FIX = AddAclEntries("acl-1", ("100.104.13.0/26",))


def contention(db: Database) -> BaseException:
    """What the backend's driver raises when a transaction loses to another."""
    if db.dialect == "postgresql":
        return psycopg.errors.SerializationFailure("could not serialize access")
    return sqlite3.OperationalError("database is locked")


class Failing:
    """Makes the next `times` writes fail as contention would (the driver's own error,
    raised where the statement would run, so SQLAlchemy wraps it as for a real one)."""

    def __init__(self, db: Database, times: int, error: BaseException | None = None) -> None:
        self.left = times
        self.error = error or contention(db)
        self.failed = 0
        event.listen(db.engine, "before_cursor_execute", self)
        self.db = db

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if self.left and statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            self.left -= 1
            self.failed += 1
            raise self.error

    def remove(self) -> None:
        event.remove(self.db.engine, "before_cursor_execute", self)


@pytest.fixture
def quick_db(database_url: str) -> Iterator[Database]:
    opened = Database.open(database_url, retry=QUICK)
    try:
        yield opened
    finally:
        opened.close()


def subscribe(digests: DigestStore) -> Any:
    return digests.add_subscription(
        team_id="T1",
        channel_id="C1",
        created_by="U1",
        schedule=parse_schedule(["daily"]),
        now=T0,
    )


def request(store: Store) -> Any:
    return store.create_request(
        team_id="T1",
        requester_id="U1",
        channel_id="C1",
        vpc_access_id="va-1",
        gateway_id="gw",
        check_id="clb.acl",
        fix=FIX,
        now=T0,
    )


def test_the_bots_stores_share_its_one_database(quick_db: Database) -> None:
    """The wiring: the fix requests, the digests and the delivery keys on one engine."""
    no_cloud: Any = None
    ctx = BotContext(BotConfig(bot_token="xoxb-t"), no_cloud, Store(quick_db))
    digests = Digests.open(ctx.config, quick_db, ctx.diagnosis, client=None)
    deliveries = Deliveries(ctx.database)
    assert ctx.database is quick_db
    assert ctx.store is not None and ctx.store.db is quick_db
    assert digests.store.db is quick_db and deliveries.db is quick_db
    assert len({id(s.db.engine) for s in (ctx.store, digests.store, deliveries)}) == 1
    digests.close()
    assert request(ctx.store)  # closing the digests left the shared database open
    assert subscribe(digests.store) and deliveries.claim("command:T1")


STORE_WRITES: dict[str, Callable[[Database], Any]] = {
    "fix requests": lambda db: request(Store(db)),
    "digests": lambda db: subscribe(DigestStore(db)),
    "deliveries": lambda db: Deliveries(db).claim("command:T1"),
}


@pytest.mark.parametrize("write", STORE_WRITES.values(), ids=STORE_WRITES.keys())
def test_every_store_runs_a_transaction_lost_to_contention_again(
    quick_db: Database, write: Callable[[Database], Any]
) -> None:
    failing = Failing(quick_db, times=QUICK.attempts - 1)
    try:
        assert write(quick_db)
    finally:
        failing.remove()
    assert failing.failed == QUICK.attempts - 1
    assert quick_db.retries == QUICK.attempts - 1


def test_a_retried_transaction_leaves_only_its_last_try(quick_db: Database) -> None:
    store = Store(quick_db)
    failing = Failing(quick_db, times=2)
    try:
        made = request(store)
    finally:
        failing.remove()
    assert [e.action for e in store.latest_audit()] == ["requested"]
    assert store.get(made.id) is not None


@pytest.mark.parametrize("write", STORE_WRITES.values(), ids=STORE_WRITES.keys())
def test_every_store_gives_up_after_the_policys_tries(
    quick_db: Database, write: Callable[[Database], Any]
) -> None:
    failing = Failing(quick_db, times=QUICK.attempts)
    try:
        with pytest.raises(OperationalError) as raised:
            write(quick_db)
    finally:
        failing.remove()
    assert is_transient(raised.value)
    assert failing.failed == QUICK.attempts and quick_db.retries == QUICK.attempts - 1


def test_other_errors_are_not_retried(quick_db: Database) -> None:
    error = psycopg.errors.UniqueViolation if quick_db.dialect == "postgresql" else None
    failing = Failing(
        quick_db, times=1, error=(error or sqlite3.IntegrityError)("UNIQUE constraint failed")
    )
    try:
        with pytest.raises(IntegrityError):
            subscribe(DigestStore(quick_db))
    finally:
        failing.remove()
    assert failing.failed == 1 and quick_db.retries == 0


def test_sqlite_busy_past_its_timeout_is_waited_out_by_both_stores(tmp_path: Path) -> None:
    """A real lock: another connection holds the write lock longer than the driver waits."""
    path = tmp_path / "busy.db"
    patient = RetryPolicy(attempts=40, base_s=0.02, cap_s=0.05)
    db = Database.open(f"sqlite:///{path}", retry=patient, busy_timeout_ms=20)
    try:
        store, digests = Store(db), DigestStore(db)
        holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
        release.start()
        started = time.monotonic()
        try:
            made = request(store)
        finally:
            release.join()
        assert time.monotonic() - started >= 0.25
        assert db.retries >= 1
        retried = db.retries
        holder.execute("BEGIN IMMEDIATE")
        release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
        release.start()
        try:
            sub = subscribe(digests)
        finally:
            release.join()
            holder.close()
        assert db.retries > retried
        assert store.get(made.id) is not None and digests.get_subscription(sub.id) is not None
    finally:
        db.close()


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite3.OperationalError("no such table: fix_requests"), False),
        (sqlite3.IntegrityError("UNIQUE constraint failed"), False),
        (psycopg.errors.SerializationFailure("could not serialize access"), True),
        (psycopg.errors.DeadlockDetected("deadlock detected"), True),
        (psycopg.errors.UniqueViolation("duplicate key"), False),
        (psycopg.OperationalError("server closed the connection unexpectedly"), False),
    ],
)
def test_what_counts_as_contention(error: BaseException, transient: bool) -> None:
    assert is_transient(error) is transient
    wrapped = OperationalError("UPDATE …", {}, error)
    assert is_transient(wrapped) is transient


def test_sqlite_error_codes_decide_when_the_driver_gives_them(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "codes.db", timeout=0, isolation_level=None)
    other = sqlite3.connect(tmp_path / "codes.db", timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError) as raised:
            other.execute("BEGIN IMMEDIATE")
        assert raised.value.sqlite_errorcode & 0xFF == 5  # SQLITE_BUSY
        assert is_transient(raised.value)
    finally:
        connection.close()
        other.close()

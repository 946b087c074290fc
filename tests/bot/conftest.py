"""Fixtures for the bot's tests: a fresh database per test, on each backend.

- `database_url` is parametrized over "sqlite" and "postgresql", so a test that takes
  it (directly or through `store`) runs once on each. It yields a URL string for
  `bot.store.make_engine` / `Database.open`:
  - sqlite: a file in the test's tmp_path;
  - postgresql: the server at $VPCTEST_TEST_POSTGRES (default
    postgresql+psycopg://postgres@127.0.0.1:5432/test), in a schema of its own created
    for the test and dropped after it. The URL carries `options=-csearch_path=<schema>`,
    so every engine made from it lands there and parallel runs do not collide.
  When PostgreSQL is unreachable its tests are skipped, but with CI=true they FAIL:
  CI must test both backends. The database is empty: migrate it (`upgrade(url)`) or
  take `store`.
- `db` is the `Database` on `database_url`, migrated to head, closed at teardown;
  `store` the `Store` on it.
- `cloud` is the Alibaba emulator on tests/scenarios/ecs-sg-missing.yaml; `slack` the Slack
  emulator with the harness's users, approver group and channels (Block Kit violations fail
  the test); `bot` the whole bot on them over HTTP (tests/bot/harness.py).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from functools import cache
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.bot.harness import ALICE, APPROVALS, APPROVER_GROUP, BOB, DEV, EVE, GENERAL, BotHarness
from vpctest.bot.store import Database, Store
from vpctest.emulator import EmulatorServer
from vpctest.slack_emulator import SlackServer

POSTGRES_URL = os.environ.get(
    "VPCTEST_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1"}


def postgres_unavailable(why: str) -> None:
    """Skip the test, or with CI=true fail it: CI must not silently lose a backend."""
    message = f"PostgreSQL at {make_url(POSTGRES_URL)!r} is unreachable: {why}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: PostgreSQL tests must run)", pytrace=False)
    pytest.skip(message)


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as psycopg's own conninfo."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@cache
def _postgres_error() -> str | None:
    """Why PostgreSQL cannot be used, or None; asked once per test run."""
    try:
        with psycopg.connect(_libpq(POSTGRES_URL), connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'vpc-test.db'}"
        return
    error = _postgres_error()
    if error is not None:
        postgres_unavailable(error)
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = psycopg.connect(_libpq(POSTGRES_URL), autocommit=True, connect_timeout=3)
    try:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        # A connection a test left inside a transaction would block the drop forever.
        admin.execute("SET lock_timeout = '10s'")
        admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.close()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    opened = Database.open(database_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def store(db: Database) -> Store:
    return Store(db)


USERS = [DEV, ALICE, BOB, EVE]


@pytest.fixture
def cloud() -> Iterator[EmulatorServer]:
    server = EmulatorServer("tests/scenarios/ecs-sg-missing.yaml").start()
    yield server
    server.stop()


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    server = SlackServer(
        users=USERS,
        usergroups={APPROVER_GROUP: [BOB]},
        channels=[GENERAL, APPROVALS],
        action_id_scope="block",  # Slack's rule: unique within a block
    ).start()
    yield server
    assert server.violations == [], server.violations  # every message met Block Kit's rules
    server.stop()


@pytest.fixture
async def bot(
    cloud: EmulatorServer, slack: SlackServer, database_url: str
) -> AsyncIterator[BotHarness]:
    harness = await BotHarness.start(cloud, slack, database_url)
    yield harness
    await harness.stop()

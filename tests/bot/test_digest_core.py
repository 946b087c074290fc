"""Digest core: schedules and time zones, `digest …` parsing, subscriptions, exactly-once
slots across replicas and restarts, catch-up within and beyond grace, verdict history and
retention — on SQLite and PostgreSQL (see conftest), with an injected clock."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import vpctest.bot.digest.models  # noqa: F401  (the digest tables on Base)
from vpctest.bot.command_parse import CommandError, parse
from vpctest.bot.digest.history import VerdictRow
from vpctest.bot.digest.schedule import Kind, Schedule, ScheduleError, parse_schedule
from vpctest.bot.digest.scheduler import CatchUp, DigestScheduler, Fired
from vpctest.bot.digest.service import DigestStore
from vpctest.bot.digest.subcommands import (
    DigestAdd,
    DigestCommandError,
    DigestList,
    DigestRemove,
    DigestRun,
    parse_digest_command,
)
from vpctest.bot.store import Database, make_engine, upgrade
from vpctest.bot.store.db import alembic_config
from vpctest.bot.store.models import Base


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# Schedules and time zones


def test_daily_defaults_to_nine_utc() -> None:
    schedule = parse_schedule(["daily"])
    assert (schedule.kind, schedule.expression, schedule.time) == (Kind.DAILY, "0 9 * * *", time(9))
    assert schedule.timezone == "UTC"
    assert schedule.next_after(utc(2026, 5, 4, 9)) == utc(2026, 5, 5, 9)
    assert schedule.next_after(utc(2026, 5, 4, 8, 59)) == utc(2026, 5, 4, 9)
    assert schedule.latest_at_or_before(utc(2026, 5, 4, 9)) == utc(2026, 5, 4, 9)
    assert schedule.latest_at_or_before(utc(2026, 5, 4, 8, 59)) == utc(2026, 5, 3, 9)


def test_daily_berlin_keeps_nine_local_across_the_march_change() -> None:
    schedule = parse_schedule(["daily", "09:00", "Europe/Berlin"])
    assert str(schedule.trigger().timezone) == "Europe/Berlin"
    before = schedule.next_after(utc(2026, 3, 27, 12))
    assert before == utc(2026, 3, 28, 8)  # 09:00 CET = 08:00 UTC
    assert schedule.next_after(before) == utc(2026, 3, 29, 7)  # 09:00 CEST = 07:00 UTC
    assert schedule.latest_at_or_before(utc(2026, 3, 29, 7, 30)) == utc(2026, 3, 29, 7)
    assert schedule.latest_at_or_before(utc(2026, 3, 29, 6, 59)) == utc(2026, 3, 28, 8)
    assert schedule.slots_between(utc(2026, 3, 27), utc(2026, 3, 30), 10) == [
        utc(2026, 3, 27, 8),
        utc(2026, 3, 28, 8),
        utc(2026, 3, 29, 7),
    ]


def test_a_local_time_skipped_by_dst_is_not_lost() -> None:
    schedule = parse_schedule(["daily", "02:30", "Europe/Berlin"])
    slots = schedule.slots_between(utc(2026, 3, 27), utc(2026, 3, 31), 10)
    assert len(slots) == 4 and all(slot.tzinfo == UTC for slot in slots)


def test_the_autumn_change_repeats_an_hour_once_for_fixed_times_only() -> None:
    start, end = utc(2026, 10, 24, 22), utc(2026, 10, 25, 4)  # Berlin: 03:00 CEST → 02:00 CET
    daily = parse_schedule(["daily", "02:30", "Europe/Berlin"])
    assert daily.slots_between(start, end, 10) == [utc(2026, 10, 25, 0, 30)]
    assert daily.latest_at_or_before(utc(2026, 10, 25, 1, 45)) == utc(2026, 10, 25, 0, 30)
    hourly = parse_schedule(["hourly", "Europe/Berlin"])
    assert [s.hour for s in hourly.slots_between(start, end, 10)] == [23, 0, 1, 2, 3, 4]
    assert hourly.latest_at_or_before(utc(2026, 10, 25, 1, 23)) == utc(2026, 10, 25, 1)


def test_weekdays_skip_the_weekend() -> None:
    schedule = parse_schedule(["weekdays", "08:30", "Asia/Shanghai"])
    friday = utc(2026, 5, 8, 0, 30)  # 08:30 in Shanghai
    assert schedule.latest_at_or_before(utc(2026, 5, 10, 12)) == friday
    assert schedule.next_after(friday) == utc(2026, 5, 11, 0, 30)


def test_hourly_is_at_minute_zero() -> None:
    schedule = parse_schedule(["hourly", "Asia/Kolkata"])  # +05:30: minute 0 local
    assert schedule.expression == "0 * * * *" and schedule.time is None
    assert schedule.next_after(utc(2026, 5, 4, 10, 0)) == utc(2026, 5, 4, 10, 30)
    assert schedule.latest_at_or_before(utc(2026, 5, 4, 10, 29)) == utc(2026, 5, 4, 9, 30)


def test_cron_uses_crontab_weekdays_sunday_is_zero() -> None:
    schedule = parse_schedule(["0 9 * * 1-5"])
    assert schedule.kind == Kind.CRON
    monday = utc(2026, 5, 4, 9)
    assert schedule.next_after(utc(2026, 5, 2)) == monday  # Saturday → Monday
    assert schedule.latest_at_or_before(utc(2026, 5, 3, 23)) == utc(2026, 5, 1, 9)  # Friday
    sundays = parse_schedule(["0 9 * * 0"])
    assert sundays.next_after(utc(2026, 5, 4)).weekday() == 6
    assert parse_schedule(["0 9 * * 7"]).next_after(utc(2026, 5, 4)).weekday() == 6


def test_cron_may_be_given_unquoted_and_with_a_zone() -> None:
    schedule = parse_schedule(["*/15", "*", "*", "*", "*", "Europe/London"])
    assert (schedule.expression, schedule.timezone) == ("*/15 * * * *", "Europe/London")
    assert schedule.next_after(utc(2026, 5, 4, 10, 1)) == utc(2026, 5, 4, 10, 15)


def test_rare_cron_finds_its_latest_slot() -> None:
    leap_day = parse_schedule(["0 0 29 2 *"])
    assert leap_day.latest_at_or_before(utc(2027, 1, 1)) == utc(2024, 2, 29)


def test_stored_schedule_round_trips() -> None:
    for words in (["weekdays", "07:05", "Europe/Berlin"], ["hourly"], ["5 4 * * sun"]):
        schedule = parse_schedule(words)
        assert Schedule.stored(schedule.kind, schedule.expression, schedule.timezone) == schedule


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["daily", "Mars/Base"], "unknown time zone 'Mars/Base': use an IANA name such as "),
        (["daily", "25:00"], "bad time '25:00': use HH:MM, 00:00–23:59"),
        (["weekdays", "9:60"], "bad time '9:60': use HH:MM"),
        (["hourly", "09:30"], "hourly takes no time ('09:30'): it posts at minute 0"),
        (["0 9 * *"], "bad cron expression '0 9 * *': five fields, minute hour day month weekday"),
        (["61 9 * * *"], "bad cron expression '61 9 * * *': five fields"),
        (["0 9 * * 8"], "bad weekday '8'"),
        (["0 9 1 * 1"], "restrict the day of the month or the weekday, not both"),
        (["0 9 * * *", "10:00"], "a cron expression sets its own minute and hour"),
        (["sometimes"], "unknown schedule 'sometimes': use daily|weekdays|hourly"),
        ([], "say when: use daily|weekdays|hourly"),
        (["daily", "UTC", "extra"], "unexpected 'extra' after the time zone"),
    ],
)
def test_schedule_errors_say_what_is_accepted(words: list[str], message: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(words)
    assert message in str(caught.value)


def test_utc_in_any_case() -> None:
    assert parse_schedule(["daily", "utc"]).timezone == "UTC"


# `digest …` commands


def test_digest_add_with_everything() -> None:
    command = parse(
        "digest add <#C0OPS123|ops> weekdays 08:30 Europe/Berlin --gateway gw-1 --only-changes"
    )
    assert isinstance(command, DigestAdd)
    assert (command.channel, command.gateway, command.only_changes) == ("C0OPS123", "gw-1", True)
    assert command.schedule.describe() == "weekdays at 08:30 Europe/Berlin"


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("digest add daily", None),
        ("digest add C0OPS123 daily", "C0OPS123"),
        ("digest add <#C0OPS123|> hourly", "C0OPS123"),
        ("digest add <#C0OPS123> hourly", "C0OPS123"),
    ],
)
def test_digest_add_channel_forms(text: str, channel: str | None) -> None:
    command = parse(text)
    assert isinstance(command, DigestAdd) and command.channel == channel


def test_digest_add_cron_with_quotes_straight_or_curly() -> None:
    for text in ('digest add "0 9 * * 1-5" Asia/Shanghai', "digest add “0 9 * * 1-5” UTC"):
        command = parse(text)
        assert isinstance(command, DigestAdd) and command.schedule.expression == "0 9 * * 1-5"


def test_digest_list_remove_run() -> None:
    assert parse("digest list") == DigestList()
    assert parse("digest remove dg-7q2k") == DigestRemove("DG-7Q2K")
    assert parse_digest_command(["run", "7Q2K"]) == DigestRun("DG-7Q2K")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("digest", "digest needs add, list, remove or run"),
        ("digest frobnicate", "unknown digest command 'frobnicate'"),
        ("digest list now", "digest list takes no arguments"),
        ("digest remove", "digest remove takes one digest ID"),
        ("digest run what?", "is not a digest ID"),
        ("digest add #general daily", "cannot tell which channel '#general' is"),
        ("digest add daily --gateway", "--gateway needs an API Gateway instance ID"),
        ("digest add daily --probe", "unknown option --probe"),
        ("digest add daily Mars/Base", "unknown time zone 'Mars/Base'"),
    ],
)
def test_digest_command_errors(text: str, message: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse(text)
    assert message in str(caught.value)
    with pytest.raises(DigestCommandError):
        parse_digest_command(text.split()[1:])


# Subscriptions and slots


@pytest.fixture
def digests(db: Database) -> DigestStore:
    return DigestStore(db)


def subscribe(digests: DigestStore, words: tuple[str, ...] = ("daily",), **fields: Any) -> Any:
    values: dict[str, Any] = {
        "team_id": "T1",
        "channel_id": "C0OPS123",
        "created_by": "U_DEV",
        "schedule": parse_schedule(list(words)),
        "now": utc(2026, 5, 1),
        **fields,
    }
    return digests.add_subscription(**values)


def test_subscriptions_add_list_get_remove(digests: DigestStore) -> None:
    first = subscribe(digests, ("weekdays", "08:30", "Europe/Berlin"), gateway_id="gw-1")
    second = subscribe(digests, ("hourly",), only_changes=True)
    other = subscribe(digests, team_id="T2")
    assert re.match(r"^DG-[0-9A-HJKMNP-TV-Z]{4}$", first.id)
    assert [s.id for s in digests.subscriptions("T1")] == sorted([first.id, second.id])
    stored = digests.get_subscription(first.id.lower())
    assert stored is not None and stored.schedule == parse_schedule(
        ["weekdays", "08:30", "Europe/Berlin"]
    )
    assert stored.created_at == utc(2026, 5, 1) and stored.scope == "T1/gw-1"
    assert digests.remove_subscription(other.id, team_id="T1") is None  # not this workspace's
    removed = digests.remove_subscription(first.id, now=utc(2026, 5, 2))
    assert removed is not None and removed.removed_at == utc(2026, 5, 2)
    assert digests.remove_subscription(first.id) is None  # already removed
    assert [s.id for s in digests.subscriptions("T1")] == [second.id]
    assert digests.get_subscription("nonsense!") is None
    assert not digests.claim_slot(first.id, utc(2026, 5, 4, 6, 30), "r1")  # removed


def test_a_slot_is_claimed_once_and_moves_only_for_its_holder(digests: DigestStore) -> None:
    sub = subscribe(digests)
    slot = utc(2026, 5, 4, 9)
    assert digests.claim_slot(sub.id, slot, "r1", now=slot)
    assert not digests.claim_slot(sub.id, slot, "r2", now=slot)
    assert not digests.claim_slot(sub.id, slot, "r1", now=slot)  # not twice, even by its holder
    assert not digests.mark_posted(sub.id, slot, "r2", "1.2")
    assert digests.mark_posted(sub.id, slot, "r1", "1715.0001", now=slot + timedelta(seconds=5))
    assert not digests.mark_failed(sub.id, slot, "r1", "late")  # finished
    row = digests.slot(sub.id, slot)
    assert row is not None
    assert (row.state, row.posted_ts, row.claimed_by, row.attempts) == (
        "posted",
        "1715.0001",
        "r1",
        1,
    )
    assert row.slot_at == slot and row.finished_at == slot + timedelta(seconds=5)


def test_failed_and_skipped_slots_keep_why(digests: DigestStore) -> None:
    sub = subscribe(digests)
    one, two, three = (utc(2026, 5, d, 9) for d in (4, 5, 6))
    assert digests.claim_slot(sub.id, one, "r1") and digests.mark_failed(sub.id, one, "r1", "boom")
    assert digests.claim_slot(sub.id, two, "r1")
    assert digests.mark_skipped(sub.id, two, "nothing changed", "r1")
    assert digests.mark_skipped(sub.id, three, "missed by 3h", "r1")  # never claimed
    assert not digests.claim_slot(sub.id, three, "r2")
    states = [(s.state, s.error) for s in digests.slots(sub.id)]
    assert states == [
        ("failed", "boom"),
        ("skipped", "nothing changed"),
        ("skipped", "missed by 3h"),
    ]
    last = digests.last_slot(sub.id)
    assert last is not None and last.slot_at == three


def test_racing_replicas_on_separate_engines_claim_once(database_url: str) -> None:
    stores = [DigestStore(Database.open(database_url))] + [
        DigestStore(Database.open(database_url, migrate=False)) for _ in range(5)
    ]
    try:
        sub = subscribe(stores[0])
        slot = utc(2026, 5, 4, 9)
        barrier = threading.Barrier(len(stores))
        wins: list[str] = []

        def race(index: int) -> None:
            barrier.wait()
            if stores[index].claim_slot(sub.id, slot, f"r{index}"):
                wins.append(f"r{index}")

        threads = [threading.Thread(target=race, args=(i,)) for i in range(len(stores))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(wins) == 1
        row = stores[0].slot(sub.id, slot)
        assert row is not None and row.claimed_by == wins[0]
    finally:
        for opened in stores:
            opened.db.close()


def test_an_abandoned_claim_is_taken_over_once_after_the_lease(digests: DigestStore) -> None:
    sub = subscribe(digests)
    slot = utc(2026, 5, 4, 9)
    assert digests.claim_slot(sub.id, slot, "dead", now=slot)
    lease = timedelta(minutes=10)
    early = slot + timedelta(minutes=9)
    assert digests.stale_claims(lease, now=early) == []
    assert not digests.reclaim_slot(sub.id, slot, "r2", lease, now=early)
    later = slot + timedelta(minutes=11)
    assert [s.claimed_by for s in digests.stale_claims(lease, now=later)] == ["dead"]
    assert digests.reclaim_slot(sub.id, slot, "r2", lease, now=later)
    assert not digests.reclaim_slot(sub.id, slot, "r3", lease, now=later)
    assert not digests.mark_posted(sub.id, slot, "dead", "1.1")  # it lost the slot
    assert digests.renew(sub.id, slot, "r2", now=later + timedelta(minutes=5))
    assert digests.mark_posted(sub.id, slot, "r2", "2.2")
    row = digests.slot(sub.id, slot)
    assert row is not None and (row.claimed_by, row.attempts, row.posted_ts) == ("r2", 2, "2.2")


def test_schema_has_the_digest_tables_and_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        tables = set(inspect(engine).get_table_names())
        assert {"digest_subscriptions", "digest_slots", "verdict_history"} <= tables
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert compare_metadata(context, Base.metadata) == []
        command.downgrade(alembic_config(engine), "0001")
        assert "digest_slots" not in set(inspect(engine).get_table_names())
        upgrade(engine)
    finally:
        engine.dispose()


# The scheduler: exactly once per slot, restarts, catch-up


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Poster:
    """A fake run_digest: records each run; may fail or have nothing to post."""

    def __init__(self, fail: Exception | None = None, nothing: bool = False) -> None:
        self.runs: list[tuple[str, datetime]] = []
        self.fail = fail
        self.nothing = nothing

    async def __call__(self, subscription: Any, slot_at: datetime) -> str | None:
        await asyncio.sleep(0)  # let a racing replica interleave
        self.runs.append((subscription.id, slot_at))
        if self.fail is not None:
            raise self.fail
        return None if self.nothing else f"{len(self.runs)}.000100"


SLOT = utc(2026, 5, 4, 9)  # a Monday, 09:00 UTC


def replica(
    database_url: str, poster: Poster, clock: Clock, name: str, **kwargs: Any
) -> DigestScheduler:
    store = DigestStore(Database.open(database_url, migrate=False), clock=clock)
    return DigestScheduler(store, poster, clock=clock, replica_id=name, **kwargs)


async def test_two_replicas_firing_one_slot_post_one_digest(database_url: str) -> None:
    clock, poster = Clock(SLOT), Poster()
    upgrade(database_url)
    first, second = (replica(database_url, poster, clock, n) for n in ("r1", "r2"))
    try:
        sub = subscribe(first.store)
        results = await asyncio.gather(first.fire(sub, SLOT), second.fire(sub, SLOT))
        assert sorted(results) == sorted([Fired.POSTED, Fired.LOST])
        assert poster.runs == [(sub.id, SLOT)]
        results = await asyncio.gather(first.catch_up(), second.catch_up())
        assert poster.runs == [(sub.id, SLOT)]  # nothing left to catch up
        row = first.store.slot(sub.id, SLOT)
        assert row is not None and (row.state, row.posted_ts) == ("posted", "1.000100")
    finally:
        first.store.db.close()
        second.store.db.close()


async def test_restart_mid_slot_posts_once_after_the_lease(database_url: str) -> None:
    clock, poster = Clock(SLOT), Poster()
    upgrade(database_url)
    lease = timedelta(minutes=10)
    dead = replica(database_url, poster, clock, "dead", lease=lease)
    sub = subscribe(dead.store)
    assert dead.store.claim_slot(sub.id, SLOT, "dead", now=SLOT)  # then it stopped
    dead.store.db.close()

    clock.now = SLOT + timedelta(minutes=3)  # restarted before the lease ran out
    new, other = (replica(database_url, poster, clock, n, lease=lease) for n in ("new", "other"))
    try:
        assert (await new.catch_up()).ran == []
        assert poster.runs == []
        clock.now = SLOT + timedelta(minutes=11)
        caught = await asyncio.gather(new.catch_up(), other.catch_up())
        assert [r for c in caught for r in c.ran] == [(sub.id, SLOT, Fired.POSTED)]
        assert poster.runs == [(sub.id, SLOT)]
        assert (await new.catch_up()).ran == [] and len(poster.runs) == 1
        row = new.store.slot(sub.id, SLOT)
        assert row is not None and row.state == "posted" and row.attempts == 2
    finally:
        new.store.db.close()
        other.store.db.close()


async def test_an_abandoned_slot_too_late_is_skipped(database_url: str) -> None:
    clock, poster = Clock(SLOT), Poster()
    upgrade(database_url)
    bot = replica(database_url, poster, clock, "new", grace=timedelta(minutes=15))
    try:
        sub = subscribe(bot.store)
        assert bot.store.claim_slot(sub.id, SLOT, "dead", now=SLOT)
        clock.now = SLOT + timedelta(hours=3)
        caught = await bot.catch_up()
        assert caught.ran == [] and caught.skipped == [(sub.id, SLOT)] and poster.runs == []
        row = bot.store.slot(sub.id, SLOT)
        assert row is not None and row.state == "skipped" and "abandoned by dead" in row.error
    finally:
        bot.store.db.close()


async def test_missed_slot_within_grace_runs_once(database_url: str) -> None:
    clock, poster = Clock(SLOT + timedelta(minutes=7)), Poster()
    upgrade(database_url)
    bot = replica(database_url, poster, clock, "r1", grace=timedelta(minutes=15))
    try:
        sub = subscribe(bot.store)  # created 2026-05-01: the 1st–3rd slots were missed too
        caught = await bot.catch_up()
        assert caught.ran == [(sub.id, SLOT, Fired.POSTED)]
        assert poster.runs == [(sub.id, SLOT)]
        assert caught.skipped == [(sub.id, utc(2026, 5, d, 9)) for d in (1, 2, 3)]
        assert await bot.catch_up() == CatchUp()
        assert poster.runs == [(sub.id, SLOT)]
    finally:
        bot.store.db.close()


async def test_missed_slot_beyond_grace_is_skipped_and_logged(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    clock, poster = Clock(SLOT + timedelta(hours=2)), Poster()
    upgrade(database_url)
    bot = replica(database_url, poster, clock, "r1", grace=timedelta(minutes=15))
    try:
        sub = subscribe(bot.store, now=SLOT - timedelta(hours=1))
        with caplog.at_level(logging.WARNING, logger="vpctest.bot.digest.scheduler"):
            caught = await bot.catch_up()
        assert caught.ran == [] and caught.skipped == [(sub.id, SLOT)] and poster.runs == []
        assert f"digest {sub.id}: skipped 1 missed slot(s)" in caplog.text
        row = bot.store.slot(sub.id, SLOT)
        assert row is not None and row.state == "skipped" and "beyond grace" in row.error
        assert await bot.catch_up() == CatchUp()
        clock.now = utc(2026, 5, 5, 9)  # the next slot, on time
        assert (await bot.catch_up()).ran == [(sub.id, clock.now, Fired.POSTED)]
    finally:
        bot.store.db.close()


async def test_a_failed_run_is_recorded_and_not_run_again(database_url: str) -> None:
    clock = Clock(SLOT)
    upgrade(database_url)
    failing = replica(database_url, Poster(fail=RuntimeError("Slack said no")), clock, "r1")
    poster = Poster()
    healthy = replica(database_url, poster, clock, "r2")
    try:
        sub = subscribe(failing.store)
        assert await failing.fire(sub, SLOT) == Fired.FAILED
        row = failing.store.slot(sub.id, SLOT)
        assert row is not None and row.state == "failed"
        assert row.error == "RuntimeError: Slack said no"
        assert await healthy.fire(sub, SLOT) == Fired.LOST
        assert (await healthy.catch_up()).ran == [] and poster.runs == []
    finally:
        failing.store.db.close()
        healthy.store.db.close()


async def test_nothing_to_post_is_a_skipped_slot(database_url: str) -> None:
    clock = Clock(SLOT)
    upgrade(database_url)
    bot = replica(database_url, Poster(nothing=True), clock, "r1")
    try:
        sub = subscribe(bot.store, only_changes=True)
        assert await bot.fire(sub, SLOT) == Fired.SKIPPED
        row = bot.store.slot(sub.id, SLOT)
        assert row is not None and (row.state, row.error) == ("skipped", "nothing to post")
    finally:
        bot.store.db.close()


async def test_jobs_are_built_from_the_database_and_follow_add_and_remove(
    database_url: str,
) -> None:
    clock, poster = Clock(SLOT), Poster()
    upgrade(database_url)
    bot = replica(database_url, poster, clock, "r1")
    try:
        kept = subscribe(bot.store, ("daily", "09:00", "Europe/Berlin"), now=SLOT)
        gone = subscribe(bot.store, ("hourly",), now=SLOT)
        await bot.start()
        jobs = {job.id: job for job in bot.scheduler.get_jobs()}
        assert set(jobs) == {f"digest:{kept.id}", f"digest:{gone.id}", "digest-sweep"}
        trigger = jobs[f"digest:{kept.id}"].trigger
        assert str(trigger.timezone) == "Europe/Berlin"
        assert jobs[f"digest:{kept.id}"].misfire_grace_time == 15 * 60
        bot.store.remove_subscription(gone.id)
        added = subscribe(bot.store, ("0 9 * * 1-5",), now=SLOT)
        await bot.sync()
        assert {job.id for job in bot.scheduler.get_jobs()} == {
            f"digest:{kept.id}",
            f"digest:{added.id}",
            "digest-sweep",
        }
        assert poster.runs == []  # all created at the last slot: nothing missed
    finally:
        bot.shutdown()
        bot.store.db.close()


async def test_a_job_firing_runs_the_slot_it_belongs_to(database_url: str) -> None:
    clock, poster = Clock(SLOT + timedelta(seconds=1)), Poster()
    upgrade(database_url)
    bot = replica(database_url, poster, clock, "r1")
    try:
        sub = subscribe(bot.store)
        await bot._job(sub.id)  # what APScheduler calls at 09:00:01
        await bot._job(sub.id)
        assert poster.runs == [(sub.id, SLOT)]
        assert await bot.run_now(sub) == Fired.POSTED  # `digest run ID`: a slot of its own
        assert poster.runs[-1] == (sub.id, SLOT + timedelta(seconds=1))
    finally:
        bot.store.db.close()


# Verdict history: since, newly broken, recovered; retention


def rows(**verdicts: str) -> list[VerdictRow]:
    return [
        VerdictRow("gw-1", access, verdict, ("ecs.security_group",) if verdict == "fail" else ())
        for access, verdict in verdicts.items()
    ]


def test_history_gives_since_newly_broken_and_recovered(digests: DigestStore) -> None:
    day = [utc(2026, 5, d, 9) for d in range(1, 6)]
    runs = [
        rows(orders="pass", billing="fail", search="pass", auth="fail"),
        rows(orders="pass", billing="fail", search="unknown", auth="fail"),
        rows(orders="fail", billing="unknown", search="fail", auth="pass"),
        rows(orders="fail", billing="fail", search="fail", auth="fail", new="fail"),
    ]
    for at, verdicts in zip(day, runs, strict=False):
        assert digests.record_verdicts("T1/*", verdicts, at) == len(verdicts)
    digests.record_verdicts("T2/*", rows(orders="pass"), day[3])  # another scope

    third = digests.history_for("T1/*", day[2], previous_at=day[1])
    assert third[("gw-1", "orders")].newly_broken
    assert third[("gw-1", "orders")].failing_since == day[2]
    assert third[("gw-1", "auth")].recovered and third[("gw-1", "auth")].failing_since is None
    assert third[("gw-1", "billing")].verdict == "unknown"
    assert third[("gw-1", "billing")].changed and not third[("gw-1", "billing")].recovered
    assert third[("gw-1", "search")].newly_broken  # unknown → fail

    fourth = digests.history_for("T1/*", day[3], previous_at=day[2])
    billing = fourth[("gw-1", "billing")]
    assert billing.failing_since == day[0]  # an unknown does not end a streak
    assert billing.root_causes == ("ecs.security_group",)
    assert not fourth[("gw-1", "orders")].changed
    assert fourth[("gw-1", "orders")].failing_since == day[2]
    assert fourth[("gw-1", "auth")].newly_broken
    assert fourth[("gw-1", "auth")].failing_since == day[3]
    new = fourth[("gw-1", "new")]
    assert new.previous is None and not new.newly_broken and new.failing_since == day[3]
    assert [h.vpc_access_id for h in fourth.values()] == sorted(
        ["orders", "billing", "search", "auth", "new"]
    )

    first = digests.history_for("T1/*", day[0])
    assert all(h.previous is None and not h.changed for h in first.values())
    assert digests.history_for("T3/*", day[3]) == {}


def test_record_verdicts_reads_reports(digests: DigestStore) -> None:
    report = SimpleNamespace(
        vpc_access=SimpleNamespace(id="va-orders", name="orders-backend"),
        gateway=SimpleNamespace(id="gw-1"),
        verdict="fail",
        root_causes=["clb.acl"],
    )
    digests.record_verdicts("T1/*", [report], SLOT)
    (item,) = digests.history_for("T1/*", SLOT).values()
    assert (item.name, item.verdict, item.root_causes, item.failing_since) == (
        "orders-backend",
        "fail",
        ("clb.acl",),
        SLOT,
    )


def test_prune_keeps_the_retention_and_each_latest_slot(digests: DigestStore) -> None:
    sub = subscribe(digests)
    days = [utc(2026, 5, d, 9) for d in range(1, 5)]
    for at in days:
        digests.record_verdicts("T1/*", rows(orders="fail"), at)
        assert digests.claim_slot(sub.id, at, "r1")
        assert digests.mark_posted(sub.id, at, "r1", at.strftime("%d"))
    assert digests.prune(older_than=days[2]) == (2, 2)
    assert [s.slot_at for s in digests.slots(sub.id)] == days[2:]
    (orders,) = digests.history_for("T1/*", days[3]).values()
    assert orders.failing_since == days[2]  # the streak's start went with the retention
    assert digests.prune(older_than=days[3] + timedelta(days=30)) == (2, 1)
    assert [s.slot_at for s in digests.slots(sub.id)] == [days[3]]  # the latest stays
    previous = digests.previous_posted(sub.id, before=days[3] + timedelta(days=1))
    assert previous is not None and previous.posted_ts == "04"


async def test_the_sweep_prunes_history_older_than_the_retention(database_url: str) -> None:
    from vpctest.bot.store import upgrade

    upgrade(database_url)
    clock = Clock(utc(2026, 6, 1, 9))
    scheduler = replica(database_url, Poster(), clock, "r1", retention=timedelta(days=7))
    try:
        scheduler.store.record_verdicts("T1/*", rows(orders="fail"), utc(2026, 5, 1, 9))
        scheduler.store.record_verdicts("T1/*", rows(orders="pass"), utc(2026, 5, 30, 9))
        await scheduler.sweep()
        (orders,) = scheduler.store.history_for("T1/*", clock()).values()
        assert orders.verdict == "pass" and orders.previous is None  # the May 1 row is gone
    finally:
        scheduler.store.db.close()

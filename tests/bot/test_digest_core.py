"""Digest core: schedules and time zones, `digest …` parsing, subscriptions, exactly-once
slots across replicas and restarts, catch-up within and beyond grace, verdict history and
retention — on SQLite and PostgreSQL (see conftest), with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.commands import CommandError, parse
from bot.digest.commands import (
    DigestAdd,
    DigestCommandError,
    DigestList,
    DigestRemove,
    DigestRun,
    parse_digest_command,
)
from bot.digest.schedule import Kind, Schedule, ScheduleError, parse_schedule


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

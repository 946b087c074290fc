"""When a digest is posted: `daily|weekdays|hourly|CRON [HH:MM] [TZ]` as a typed Schedule.

Every schedule is kept as a standard 5-field crontab expression (minute hour day month
weekday, Sunday = 0 or 7) in an IANA time zone. APScheduler 3 numbers weekdays from
Monday = 0, so the weekday field is translated to names before it reaches CronTrigger.
Slots are computed from an explicit moment, never from the wall clock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

DEFAULT_TIME = time(9, 0)
DEFAULT_ZONE = "UTC"
ACCEPTED = (
    'daily|weekdays|hourly, or a quoted cron expression such as "0 9 * * 1-5", '
    "then optionally HH:MM (not for hourly or cron) and a time zone such as Europe/Berlin"
)
CRON_FIELDS = "five fields, minute hour day month weekday"
WEEKDAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# Look back this far, widening, for the latest slot: a cron may fire once in 8 years (Feb 29).
LOOKBACK = tuple(timedelta(days=d) for d in (1 / 1440, 1 / 24, 1, 8, 32, 367, 4 * 366, 9 * 366))
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_CRON_WORD = re.compile(r"^[0-9*/,\-?A-Za-z]+$")


class ScheduleError(ValueError):
    """A schedule, time or time zone that cannot be used; the message says what can."""


class Kind(StrEnum):
    DAILY = "daily"
    WEEKDAYS = "weekdays"
    HOURLY = "hourly"
    CRON = "cron"


@dataclass(frozen=True)
class Schedule:
    """A digest schedule: `expression` is the crontab it means, in `zone`.

    `time` is the HH:MM of a daily or weekdays schedule, None for hourly and cron.
    """

    kind: Kind
    expression: str
    time: time | None
    zone: ZoneInfo

    @property
    def timezone(self) -> str:
        return self.zone.key

    def describe(self) -> str:
        """For people: `weekdays at 09:00 Europe/Berlin`, `cron "*/15 * * * *" UTC`."""
        if self.kind == Kind.HOURLY:
            return f"hourly ({self.timezone})"
        if self.kind == Kind.CRON:
            return f'cron "{self.expression}" {self.timezone}'
        assert self.time is not None
        return f"{self.kind} at {self.time:%H:%M} {self.timezone}"

    def trigger(self) -> CronTrigger:
        """The APScheduler 3 trigger, in this schedule's time zone."""
        minute, hour, day, month, weekday = self.expression.split()
        return CronTrigger(
            second=0,
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=_weekday_names(weekday),
            timezone=self.zone,
        )

    def next_after(self, moment: datetime) -> datetime:
        """The first slot strictly after `moment`, in UTC."""
        trigger, after = self.trigger(), _utc(moment)
        while True:
            fire = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
            if fire is None:
                raise ScheduleError(f"{self.describe()} never fires again")
            after = fire.astimezone(UTC)
            if not self._repeat(after):
                return after

    def latest_at_or_before(self, moment: datetime) -> datetime | None:
        """The latest slot at or before `moment`, in UTC (None if none in 9 years)."""
        moment = _utc(moment)
        trigger = self.trigger()
        for span in LOOKBACK:
            fire = trigger.get_next_fire_time(None, moment - span)
            if fire is None or fire > moment:
                continue
            fire = fire.astimezone(UTC)
            latest = None if self._repeat(fire) else fire
            while True:
                after = trigger.get_next_fire_time(None, fire + timedelta(seconds=1))
                if after is None or after > moment:
                    break
                fire = after.astimezone(UTC)
                latest = latest if self._repeat(fire) else fire
            if latest is not None:
                return latest
        return None

    def _repeat(self, fire: datetime) -> bool:
        """A fixed-hour slot's second pass through a wall time the autumn change repeats
        (cron posts it once; an hourly or */N schedule keeps both, an hour apart)."""
        if not self.expression.split()[1].replace(",", "").replace("-", "").isdigit():
            return False
        local = fire.astimezone(self.zone)
        return local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset()

    def slots_between(self, start: datetime, end: datetime, limit: int) -> list[datetime]:
        """Up to `limit` slots in (start, end], oldest first, in UTC."""
        slots: list[datetime] = []
        end = _utc(end)
        fire = self.next_after(start)
        while fire <= end and len(slots) < limit:
            slots.append(fire)
            fire = self.next_after(fire)
        return slots

    @classmethod
    def stored(cls, kind: str, expression: str, timezone: str) -> Schedule:
        """The schedule as saved by a subscription (its kind, crontab and zone)."""
        kind_ = Kind(kind)
        minute, hour = expression.split()[:2]
        at = time(int(hour), int(minute)) if kind_ in (Kind.DAILY, Kind.WEEKDAYS) else None
        return cls(kind_, expression, at, zone(timezone))


def parse_schedule(words: Sequence[str]) -> Schedule:
    """`daily|weekdays|hourly|CRON [HH:MM] [TZ]` → Schedule, or ScheduleError.

    CRON is one argument (quoted); five unquoted cron fields are taken as one too.
    """
    words = list(words)
    if not words:
        raise ScheduleError(f"say when: use {ACCEPTED}")
    head = words[0].lower()
    if head in (Kind.DAILY, Kind.WEEKDAYS, Kind.HOURLY):
        kind, expression_words, rest = Kind(head), None, words[1:]
    elif len(words[0].split()) > 1:
        kind, expression_words, rest = Kind.CRON, words[0].split(), words[1:]
    elif len(words) >= 5 and all(_CRON_WORD.match(w) and ":" not in w for w in words[:5]):
        kind, expression_words, rest = Kind.CRON, words[:5], words[5:]
    else:
        raise ScheduleError(f"unknown schedule {words[0]!r}: use {ACCEPTED}")

    at: time | None = None
    time_text = ""
    if rest and ":" in rest[0] and "/" not in rest[0]:
        time_text, rest = rest[0], rest[1:]
        at = parse_time(time_text)
    if len(rest) > 1:
        raise ScheduleError(
            f"unexpected {' '.join(rest[1:])!r} after the time zone: use {ACCEPTED}"
        )
    tz = zone(rest[0] if rest else DEFAULT_ZONE)

    if kind == Kind.CRON:
        assert expression_words is not None
        if at is not None:
            raise ScheduleError(
                "a cron expression sets its own minute and hour: drop HH:MM, "
                'e.g. "30 8 * * 1-5" for 08:30 on weekdays'
            )
        return Schedule(kind, cron_expression(" ".join(expression_words)), None, tz)
    if kind == Kind.HOURLY:
        if at is not None:
            raise ScheduleError(
                f"hourly takes no time ({time_text!r}): it posts at minute 0 "
                'of every hour; for another minute use cron, e.g. "15 * * * *"'
            )
        return Schedule(kind, "0 * * * *", None, tz)
    at = at or DEFAULT_TIME
    weekdays = "1-5" if kind == Kind.WEEKDAYS else "*"
    return Schedule(kind, f"{at.minute} {at.hour} * * {weekdays}", at, tz)


def parse_time(text: str) -> time:
    match = _TIME.match(text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ScheduleError(f"bad time {text!r}: use HH:MM, 00:00–23:59")
    return time(int(match[1]), int(match[2]))


def zone(name: str) -> ZoneInfo:
    """The IANA time zone `name` (case as given; UTC in any case)."""
    if name.upper() == "UTC":
        name = "UTC"
    try:
        if not name or name.startswith(("/", ".")) or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"unknown time zone {name!r}: use an IANA name such as Asia/Shanghai or UTC"
        ) from None


def cron_expression(text: str) -> str:
    """`text` as a checked 5-field crontab (normalized spacing), or ScheduleError."""
    fields = text.split()
    bad = f"bad cron expression {text!r}: {CRON_FIELDS}"
    if len(fields) != 5:
        raise ScheduleError(f"{bad} (got {len(fields)})")
    if fields[2] not in ("*", "?") and fields[4] not in ("*", "?"):
        raise ScheduleError(
            f"{bad}; restrict the day of the month or the weekday, not both "
            "(cron would fire on either, which is rarely meant)"
        )
    fields = ["*" if f == "?" else f for f in fields]
    expression = " ".join(fields)
    try:
        Schedule(Kind.CRON, expression, None, ZoneInfo("UTC")).trigger()
    except (ValueError, KeyError) as exc:
        raise ScheduleError(f"{bad} ({exc})") from None
    return expression


def _weekday_names(field: str) -> str:
    """A crontab weekday field (Sunday = 0 or 7) as APScheduler 3 names: `mon,tue,…`."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for part in field.lower().split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise ValueError(f"bad weekday step in {part!r}")
        if base == "*":
            first, last = 0, 6
        elif "-" in base:
            first_text, last_text = base.split("-", 1)
            first, last = _weekday(first_text), _weekday(last_text)
            if last == 0 and last_text.strip() in ("7",):
                last = 7
            if first > last:
                raise ValueError(f"weekday range {base!r} runs backwards")
        else:
            first = last = _weekday(base)
            if step is not None:
                last = 6
        days.update(day % 7 for day in range(first, last + 1, step or 1))
    return ",".join(WEEKDAY_NAMES[day] for day in sorted(days))


def _weekday(text: str) -> int:
    text = text.strip()
    if text.isdigit() and int(text) <= 7:
        return int(text) % 7
    if text[:3] in WEEKDAY_NAMES and len(text) == 3:
        return WEEKDAY_NAMES.index(text)
    raise ValueError(f"bad weekday {text!r}: 0-7 (Sunday is 0 or 7) or sun…sat")


def _utc(moment: datetime) -> datetime:
    """`moment` in UTC: adding to a zoned time is wall-clock arithmetic, wrong across DST."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: give a timezone-aware one")
    return moment.astimezone(UTC)

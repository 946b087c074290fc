"""The only code that changes digest subscriptions, slots and verdict history.

A slot is claimed by INSERT … ON CONFLICT DO NOTHING on (subscription_id, slot_at): of
several replicas firing the same slot, the database lets exactly one row in, and only
its replica runs the digest. Every later move is a conditional UPDATE naming the state
and the claiming replica, so a replica that lost its lease cannot overwrite the new
owner's outcome. A claim left by a replica that died is taken over once its lease has
run out (`reclaim_slot`). Every method runs its own transaction through the bot's
`Database` (which retries one rolled back for contention): one DigestStore may be shared
by every thread, and the async scheduler calls it through `asyncio.to_thread`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from vpctest.bot.digest.history import FAIL, PASS, AuthorizationHistory, Diagnosed, VerdictRow
from vpctest.bot.digest.models import DigestSlot, DigestSubscription, SlotState, VerdictRecord
from vpctest.bot.digest.schedule import Schedule
from vpctest.bot.digest.subcommands import ID_PREFIX, normalize_digest_id
from vpctest.bot.store.db import Database
from vpctest.bot.store.ids import ALPHABET
from vpctest.bot.store.service import aware_utc, utcnow

ID_LENGTH = 4  # DG-7Q2K: 32**4 ≈ 10**6 ids; a collision is retried
ID_ATTEMPTS = 8
DEFAULT_LEASE = timedelta(minutes=10)  # a claim older than this, unfinished, is abandoned

Key = tuple[str, str]  # (gateway_id, vpc_access_id)


def new_digest_id() -> str:
    """A fresh random id such as DG-7Q2K."""
    return ID_PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(ID_LENGTH))


class DigestStore:
    """Subscriptions, slot claims and verdict history, on the bot's database."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self._clock = clock

    # Subscriptions

    def add_subscription(
        self,
        *,
        team_id: str,
        channel_id: str,
        created_by: str,
        schedule: Schedule,
        gateway_id: str | None = None,
        only_changes: bool = False,
        now: datetime | None = None,
    ) -> DigestSubscription:
        """A new subscription with a fresh DG- id."""
        now = self._now(now)

        def insert(session: Session, subscription_id: str) -> DigestSubscription:
            subscription = DigestSubscription(
                id=subscription_id,
                team_id=team_id,
                channel_id=channel_id,
                created_by=created_by,
                kind=str(schedule.kind),
                expression=schedule.expression,
                timezone=schedule.timezone,
                gateway_id=gateway_id,
                only_changes=only_changes,
                created_at=now,
                removed_at=None,
            )
            session.add(subscription)
            return subscription

        for attempt in range(ID_ATTEMPTS):
            subscription_id = new_digest_id()
            try:
                return self.db.transaction(partial(insert, subscription_id=subscription_id))
            except IntegrityError:
                if attempt == ID_ATTEMPTS - 1 or self.get_subscription(subscription_id) is None:
                    raise
        raise AssertionError("unreachable")

    def get_subscription(self, subscription_id: str) -> DigestSubscription | None:
        """The subscription, removed or not; None for no such id."""
        try:
            sid = normalize_digest_id(subscription_id)
        except ValueError:
            return None
        return self.db.read(lambda session: session.get(DigestSubscription, sid))

    def subscriptions(self, team_id: str | None = None) -> list[DigestSubscription]:
        """Active subscriptions (of one workspace when `team_id` is given), oldest first."""
        statement = (
            select(DigestSubscription)
            .where(DigestSubscription.removed_at.is_(None))
            .order_by(DigestSubscription.created_at, DigestSubscription.id)
        )
        if team_id is not None:
            statement = statement.where(DigestSubscription.team_id == team_id)
        return self.db.read(lambda session: list(session.scalars(statement)))

    def remove_subscription(
        self, subscription_id: str, team_id: str | None = None, now: datetime | None = None
    ) -> DigestSubscription | None:
        """Mark it removed (its slots and history stay); None if no such active one."""
        try:
            sid = normalize_digest_id(subscription_id)
        except ValueError:
            return None
        conditions = [DigestSubscription.id == sid, DigestSubscription.removed_at.is_(None)]
        if team_id is not None:
            conditions.append(DigestSubscription.team_id == team_id)
        statement = (
            update(DigestSubscription)
            .where(*conditions)
            .values(removed_at=self._now(now))
            .returning(DigestSubscription)
        )
        return self.db.transaction(
            lambda session: session.scalars(statement, execution_options=_DML).one_or_none()
        )

    # Slots

    def claim_slot(
        self, subscription_id: str, slot_at: datetime, replica: str, now: datetime | None = None
    ) -> bool:
        """Win `slot_at` for `replica`: True for exactly one caller per slot, ever.

        False too when the subscription is removed or unknown.
        """
        return self._insert_slot(subscription_id, slot_at, replica, SlotState.CLAIMED, None, now)

    def reclaim_slot(
        self,
        subscription_id: str,
        slot_at: datetime,
        replica: str,
        lease: timedelta = DEFAULT_LEASE,
        now: datetime | None = None,
    ) -> bool:
        """Take over a slot claimed more than `lease` ago and never finished (its replica
        stopped mid-run). True for exactly one caller."""
        now = self._now(now)
        return self._move(
            subscription_id,
            slot_at,
            None,
            {"claimed_by": replica, "claimed_at": now, "attempts": DigestSlot.attempts + 1},
            DigestSlot.claimed_at <= now - lease,
        )

    def renew(
        self, subscription_id: str, slot_at: datetime, replica: str, now: datetime | None = None
    ) -> bool:
        """Extend `replica`'s lease on a slot it is still running."""
        return self._move(subscription_id, slot_at, replica, {"claimed_at": self._now(now)})

    def mark_posted(
        self,
        subscription_id: str,
        slot_at: datetime,
        replica: str,
        ts: str,
        now: datetime | None = None,
    ) -> bool:
        """claimed → posted with the message ts; False if `replica` no longer holds it."""
        values = {"state": SlotState.POSTED, "posted_ts": ts, "finished_at": self._now(now)}
        return self._move(subscription_id, slot_at, replica, values)

    def mark_failed(
        self,
        subscription_id: str,
        slot_at: datetime,
        replica: str,
        error: str,
        now: datetime | None = None,
    ) -> bool:
        """claimed → failed, with why."""
        values = {"state": SlotState.FAILED, "error": error, "finished_at": self._now(now)}
        return self._move(subscription_id, slot_at, replica, values)

    def mark_skipped(
        self,
        subscription_id: str,
        slot_at: datetime,
        reason: str,
        replica: str,
        now: datetime | None = None,
    ) -> bool:
        """A slot that is not posted, with why: a claimed one (nothing to post), or an
        unclaimed one recorded as skipped (missed beyond grace) so nobody runs it later."""
        now = self._now(now)
        if self._insert_slot(subscription_id, slot_at, replica, SlotState.SKIPPED, reason, now):
            return True
        values = {"state": SlotState.SKIPPED, "error": reason, "finished_at": now}
        return self._move(subscription_id, slot_at, replica, values)

    def note_progress(
        self, subscription_id: str, slot_at: datetime, pages: int, first_ts: str
    ) -> bool:
        """A claimed slot has its first `pages` messages in Slack, the first as `first_ts`:
        a resumed run posts only the rest (kept in posted_ts as "pages:first_ts")."""
        values = {"posted_ts": f"{pages}:{first_ts}"}
        return self._move(subscription_id, slot_at, None, values)

    def progress(self, subscription_id: str, slot_at: datetime) -> tuple[int, str | None]:
        """(messages already posted, the first one's ts) of a claimed slot; (0, None) if none."""
        slot = self.slot(subscription_id, self._now(slot_at))
        if slot is None or slot.state != SlotState.CLAIMED or not slot.posted_ts:
            return 0, None
        pages, _, first_ts = slot.posted_ts.partition(":")
        return (int(pages), first_ts) if pages.isdigit() and first_ts else (0, None)

    def slot(self, subscription_id: str, slot_at: datetime) -> DigestSlot | None:
        statement = select(DigestSlot).where(
            DigestSlot.subscription_id == subscription_id, DigestSlot.slot_at == slot_at
        )
        return self.db.read(lambda session: session.scalars(statement).one_or_none())

    def slots(self, subscription_id: str) -> list[DigestSlot]:
        """Every recorded slot of a subscription, oldest first."""
        statement = (
            select(DigestSlot)
            .where(DigestSlot.subscription_id == subscription_id)
            .order_by(DigestSlot.slot_at)
        )
        return self.db.read(lambda session: list(session.scalars(statement)))

    def last_slot(self, subscription_id: str) -> DigestSlot | None:
        """The latest recorded slot of a subscription, whatever its state."""
        statement = (
            select(DigestSlot)
            .where(DigestSlot.subscription_id == subscription_id)
            .order_by(DigestSlot.slot_at.desc())
            .limit(1)
        )
        return self.db.read(lambda session: session.scalars(statement).first())

    def previous_posted(self, subscription_id: str, before: datetime) -> DigestSlot | None:
        """The last posted slot before `before`: "since the last digest" starts there."""
        statement = (
            select(DigestSlot)
            .where(
                DigestSlot.subscription_id == subscription_id,
                DigestSlot.state == SlotState.POSTED,
                DigestSlot.slot_at < before,
            )
            .order_by(DigestSlot.slot_at.desc())
            .limit(1)
        )
        return self.db.read(lambda session: session.scalars(statement).first())

    def stale_claims(
        self, lease: timedelta = DEFAULT_LEASE, now: datetime | None = None
    ) -> list[DigestSlot]:
        """Slots claimed more than `lease` ago and still unfinished, oldest first."""
        statement = (
            select(DigestSlot)
            .where(
                DigestSlot.state == SlotState.CLAIMED,
                DigestSlot.claimed_at <= self._now(now) - lease,
            )
            .order_by(DigestSlot.slot_at)
        )
        return self.db.read(lambda session: list(session.scalars(statement)))

    # Verdict history

    def record_verdicts(
        self, scope: str, reports: Iterable[Diagnosed | VerdictRow], at: datetime
    ) -> int:
        """Keep each authorization's verdict at `at` (the digest's slot); returns the count."""
        at = self._now(at)
        rows = [VerdictRow.of(report) for report in reports]
        if not rows:
            return 0
        values = [
            {
                "scope": scope,
                "gateway_id": row.gateway_id,
                "vpc_access_id": row.vpc_access_id,
                "vpc_access_name": row.name,
                "at": at,
                "verdict": row.verdict,
                "root_causes": list(row.root_causes),
            }
            for row in rows
        ]
        self.db.transaction(lambda session: session.execute(insert(VerdictRecord), values))
        return len(rows)

    def clear_verdicts(self, scope: str, at: datetime) -> int:
        """Forget the verdicts of one run (a resumed slot records its own again)."""
        statement = delete(VerdictRecord).where(
            VerdictRecord.scope == scope, VerdictRecord.at == self._now(at)
        )
        return self.db.transaction(
            lambda session: session.execute(statement).rowcount  # type: ignore[attr-defined]
        )

    def history_for(
        self, scope: str, at: datetime, previous_at: datetime | None = None
    ) -> dict[Key, AuthorizationHistory]:
        """Per authorization seen at or before `at`: its latest verdict, the verdict at
        `previous_at` (the previous digest), and since when it has been failing."""
        at = self._now(at)
        before = self._now(previous_at) if previous_at else None

        def read(
            session: Session,
        ) -> tuple[dict[Key, VerdictRecord], dict[Key, VerdictRecord], dict[Key, datetime]]:
            latest = _latest(session, scope, at)
            previous = _latest(session, scope, before) if before else {}
            return latest, previous, _failing_since(session, scope, at)

        latest, previous, since = self.db.read(read)
        return {
            key: AuthorizationHistory(
                gateway_id=key[0],
                vpc_access_id=key[1],
                name=record.vpc_access_name,
                at=record.at,
                verdict=record.verdict,
                root_causes=tuple(record.root_causes or ()),
                previous=previous[key].verdict if key in previous else None,
                failing_since=since.get(key) if record.verdict == FAIL else None,
            )
            for key, record in sorted(latest.items())
        }

    def prune(self, older_than: datetime) -> tuple[int, int]:
        """Delete verdicts and finished slots from before `older_than` (the retention),
        keeping each subscription's latest slot; returns (verdicts, slots) deleted."""
        cutoff = self._now(older_than)
        newer = aliased(DigestSlot)
        latest_of_subscription = (
            select(func.max(newer.slot_at))
            .where(newer.subscription_id == DigestSlot.subscription_id)
            .scalar_subquery()
        )

        def delete_old(session: Session) -> tuple[int, int]:
            verdicts = session.execute(delete(VerdictRecord).where(VerdictRecord.at < cutoff))
            slots = session.execute(
                delete(DigestSlot).where(
                    DigestSlot.slot_at < cutoff,
                    DigestSlot.state != SlotState.CLAIMED,
                    DigestSlot.slot_at < latest_of_subscription,
                )
            )
            return verdicts.rowcount, slots.rowcount  # type: ignore[attr-defined]

        return self.db.transaction(delete_old)

    # Internals

    def _now(self, now: datetime | None) -> datetime:
        return aware_utc(self._clock() if now is None else now)

    def _insert_slot(
        self,
        subscription_id: str,
        slot_at: datetime,
        replica: str,
        state: SlotState,
        error: str | None,
        now: datetime | None,
    ) -> bool:
        now = self._now(now)
        row = {
            "subscription_id": subscription_id,
            "slot_at": self._now(slot_at),
            "state": state.value,
            "claimed_by": replica,
            "claimed_at": now,
            "finished_at": None if state == SlotState.CLAIMED else now,
            "error": error,
            "attempts": 1 if state == SlotState.CLAIMED else 0,
        }
        dialect = postgresql if self.db.dialect == "postgresql" else sqlite
        statement = (
            dialect.insert(DigestSlot)
            .values(row)
            .on_conflict_do_nothing(index_elements=["subscription_id", "slot_at"])
            .returning(DigestSlot.id)
        )

        def claim(session: Session) -> bool:
            active = session.scalar(
                select(DigestSubscription.id).where(
                    DigestSubscription.id == subscription_id,
                    DigestSubscription.removed_at.is_(None),
                )
            )
            return active is not None and session.execute(statement).first() is not None

        return self.db.transaction(claim)

    def _move(
        self,
        subscription_id: str,
        slot_at: datetime,
        replica: str | None,
        values: dict[str, Any],
        *conditions: Any,
    ) -> bool:
        """One conditional UPDATE of a claimed slot (held by `replica`, if given)."""
        where = [
            DigestSlot.subscription_id == subscription_id,
            DigestSlot.slot_at == self._now(slot_at),
            DigestSlot.state == SlotState.CLAIMED,
            *conditions,
        ]
        if replica is not None:
            where.append(DigestSlot.claimed_by == replica)
        statement = update(DigestSlot).where(and_(*where)).values(values)
        return self.db.transaction(
            lambda session: session.execute(statement).rowcount == 1  # type: ignore[attr-defined]
        )


# ORM UPDATE … RETURNING: skip matching objects in the session, load the returned rows.
_DML = {"synchronize_session": False, "populate_existing": True}


def _latest(session: Session, scope: str, at: datetime) -> dict[Key, VerdictRecord]:
    """Each authorization's newest record at or before `at`."""
    newest = (
        select(
            VerdictRecord.gateway_id,
            VerdictRecord.vpc_access_id,
            func.max(VerdictRecord.at).label("at"),
        )
        .where(VerdictRecord.scope == scope, VerdictRecord.at <= at)
        .group_by(VerdictRecord.gateway_id, VerdictRecord.vpc_access_id)
        .subquery()
    )
    statement = (
        select(VerdictRecord)
        .join(
            newest,
            and_(
                VerdictRecord.gateway_id == newest.c.gateway_id,
                VerdictRecord.vpc_access_id == newest.c.vpc_access_id,
                VerdictRecord.at == newest.c.at,
            ),
        )
        .where(VerdictRecord.scope == scope)
        .order_by(VerdictRecord.id)
    )
    return {(r.gateway_id, r.vpc_access_id): r for r in session.scalars(statement)}


def _failing_since(session: Session, scope: str, at: datetime) -> dict[Key, datetime]:
    """Per authorization, its first fail after its last pass (at or before `at`)."""
    last_pass = (
        select(
            VerdictRecord.gateway_id,
            VerdictRecord.vpc_access_id,
            func.max(VerdictRecord.at).label("at"),
        )
        .where(VerdictRecord.scope == scope, VerdictRecord.at <= at, VerdictRecord.verdict == PASS)
        .group_by(VerdictRecord.gateway_id, VerdictRecord.vpc_access_id)
        .subquery()
    )
    statement = (
        select(
            VerdictRecord.gateway_id,
            VerdictRecord.vpc_access_id,
            func.min(VerdictRecord.at),
        )
        .outerjoin(
            last_pass,
            and_(
                VerdictRecord.gateway_id == last_pass.c.gateway_id,
                VerdictRecord.vpc_access_id == last_pass.c.vpc_access_id,
            ),
        )
        .where(
            VerdictRecord.scope == scope,
            VerdictRecord.at <= at,
            VerdictRecord.verdict == FAIL,
            (last_pass.c.at.is_(None)) | (VerdictRecord.at > last_pass.c.at),
        )
        .group_by(VerdictRecord.gateway_id, VerdictRecord.vpc_access_id)
    )
    return {(gateway, access): _utc(first) for gateway, access, first in session.execute(statement)}


def _utc(value: datetime) -> datetime:
    """An aggregate's timestamp (SQLite gives naive text back as naive) as aware UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

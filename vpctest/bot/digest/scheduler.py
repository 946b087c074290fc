"""Run each subscription's digest once per slot, from any number of replicas.

`DigestScheduler` keeps one APScheduler 3 (AsyncIO) cron job per active subscription,
rebuilt from the database at start and kept in step by a sweep job (so a digest added
on another replica is scheduled here too). Every run — a job firing, the catch-up at
start, `digest run ID` — goes through `fire`, which claims the slot in the database
first and runs only if it won. The sweep also catches up: a slot missed while no
replica was up is run once if it is within `grace`, otherwise recorded as skipped and
logged; a slot claimed by a replica that stopped mid-run is taken over after `lease`.
The clock is injected: tests call `fire` and `catch_up` directly, never sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from vpctest.bot.digest.models import DigestSubscription, SlotState
from vpctest.bot.digest.service import DEFAULT_LEASE, DigestStore
from vpctest.bot.store.service import utcnow

log = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(minutes=15)
SWEEP_EVERY = timedelta(minutes=1)
MISSED_WINDOW = timedelta(days=7)  # missed slots older than this are not even recorded
MISSED_LIMIT = 200  # at most this many missed slots recorded per subscription per catch-up
JOB_PREFIX = "digest:"
SWEEP_JOB = "digest-sweep"

# Posts the digest of `subscription` for `slot_at`; returns the message ts, or None when
# there was nothing to post (--only-changes and nothing changed). Raises if it failed.
RunDigest = Callable[[DigestSubscription, datetime], Awaitable[str | None]]


class Fired(StrEnum):
    """What `fire` did with a slot."""

    LOST = "lost"  # another replica (or an earlier run) has the slot
    POSTED = "posted"
    SKIPPED = "skipped"  # nothing to post, or missed beyond grace
    FAILED = "failed"


@dataclass
class CatchUp:
    """What one catch-up did: slots run (with their outcome), and slots skipped."""

    ran: list[tuple[str, datetime, Fired]] = field(default_factory=list)
    skipped: list[tuple[str, datetime]] = field(default_factory=list)


def default_replica_id() -> str:
    """host:pid:random, unique per process, readable in the slots table."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class DigestScheduler:
    """Digest jobs on an AsyncIOScheduler; the database decides who runs each slot."""

    def __init__(
        self,
        store: DigestStore,
        run_digest: RunDigest,
        *,
        clock: Callable[[], datetime] = utcnow,
        replica_id: str | None = None,
        grace: timedelta = DEFAULT_GRACE,
        lease: timedelta = DEFAULT_LEASE,
        retention: timedelta | None = None,
        scheduler: AsyncIOScheduler | None = None,
    ) -> None:
        self.store = store
        self.run_digest = run_digest
        self.clock = clock
        self.replica_id = replica_id or default_replica_id()
        self.grace = grace
        self.lease = lease
        self.retention = retention  # None: keep history for ever
        self.scheduler = scheduler or AsyncIOScheduler(timezone=UTC)

    # Lifecycle

    async def start(self) -> CatchUp:
        """Build the jobs from the database, catch up on missed slots, start the scheduler."""
        await self.sync()
        self.scheduler.add_job(
            self.sweep,
            IntervalTrigger(seconds=SWEEP_EVERY.total_seconds(), timezone=UTC),
            id=SWEEP_JOB,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        caught = await self.catch_up()
        if not self.scheduler.running:
            self.scheduler.start()
        return caught

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def sync(self) -> list[DigestSubscription]:
        """Make the jobs match the active subscriptions in the database; returns those."""
        active = await asyncio.to_thread(self.store.subscriptions)
        wanted = {JOB_PREFIX + s.id: s for s in active}
        for job in self.scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
                job.remove()
        for job_id, subscription in wanted.items():
            if self.scheduler.get_job(job_id) is None:
                self.schedule(subscription)
        return active

    def schedule(self, subscription: DigestSubscription) -> None:
        """(Re)create the cron job of one subscription, e.g. right after `digest add`."""
        self.scheduler.add_job(
            self._job,
            subscription.schedule.trigger(),
            args=[subscription.id],
            id=JOB_PREFIX + subscription.id,
            name=f"digest {subscription.id} {subscription.schedule.describe()}",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=max(1, int(self.grace.total_seconds())),
        )

    def unschedule(self, subscription_id: str) -> None:
        """Drop the job of a removed subscription (other replicas drop theirs at the sweep)."""
        with contextlib.suppress(Exception):
            self.scheduler.remove_job(JOB_PREFIX + subscription_id)

    async def sweep(self) -> CatchUp:
        """Every minute: pick up added or removed subscriptions, catch up, and drop the
        verdict history and finished slots older than the retention."""
        await self.sync()
        caught_up = await self.catch_up()
        if self.retention is not None:
            await asyncio.to_thread(self.store.prune, self.clock() - self.retention)
        return caught_up

    # Running slots

    async def fire(self, subscription: DigestSubscription, slot_at: datetime) -> Fired:
        """Claim `slot_at` and, only if this replica won it, run the digest."""
        claimed = await asyncio.to_thread(
            self.store.claim_slot, subscription.id, slot_at, self.replica_id, self.clock()
        )
        if not claimed:
            return Fired.LOST
        return await self._run(subscription, slot_at)

    async def run_now(self, subscription: DigestSubscription) -> Fired:
        """`digest run ID`: a slot of its own at the current second (or just after the
        last slot, when that one finished within this second)."""
        slot_at = self.clock().replace(microsecond=0)
        last = await asyncio.to_thread(self.store.last_slot, subscription.id)
        if last is not None and last.state != SlotState.CLAIMED and last.slot_at >= slot_at:
            slot_at = last.slot_at + timedelta(seconds=1)
        return await self.fire(subscription, slot_at)

    async def catch_up(self, now: datetime | None = None) -> CatchUp:
        """Take over abandoned claims, then run or skip the slots missed before `now`.

        Safe to call on every replica at any time: every slot is claimed or recorded
        once, so a second call finds nothing to do.
        """
        now = now or self.clock()
        caught = CatchUp()
        await self._resume_abandoned(now, caught)
        for subscription in await asyncio.to_thread(self.store.subscriptions):
            await self._catch_up_one(subscription, now, caught)
        return caught

    # Internals

    async def _job(self, subscription_id: str) -> None:
        subscription = await asyncio.to_thread(self.store.get_subscription, subscription_id)
        if subscription is None or subscription.removed_at is not None:
            self.unschedule(subscription_id)
            return
        slot_at = subscription.schedule.latest_at_or_before(self.clock())
        if slot_at is not None and slot_at > subscription.created_at:
            await self.fire(subscription, slot_at)

    async def _run(self, subscription: DigestSubscription, slot_at: datetime) -> Fired:
        """Run a slot this replica holds and record how it ended; renews the lease meanwhile."""
        sid, replica = subscription.id, self.replica_id
        renewing = asyncio.create_task(self._renew(sid, slot_at))
        try:
            ts = await self.run_digest(subscription, slot_at)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.exception("digest %s slot %s failed", sid, slot_at.isoformat())
            await asyncio.to_thread(
                self.store.mark_failed, sid, slot_at, replica, error, self.clock()
            )
            return Fired.FAILED
        finally:
            renewing.cancel()
        if ts is None:
            await asyncio.to_thread(
                self.store.mark_skipped, sid, slot_at, "nothing to post", replica, self.clock()
            )
            return Fired.SKIPPED
        if not await asyncio.to_thread(
            self.store.mark_posted, sid, slot_at, replica, ts, self.clock()
        ):
            log.warning("digest %s slot %s posted as %s after losing its lease", sid, slot_at, ts)
        return Fired.POSTED

    async def _renew(self, subscription_id: str, slot_at: datetime) -> None:
        every = max(1.0, self.lease.total_seconds() / 3)
        while True:
            await asyncio.sleep(every)
            await asyncio.to_thread(
                self.store.renew, subscription_id, slot_at, self.replica_id, self.clock()
            )

    async def _resume_abandoned(self, now: datetime, caught: CatchUp) -> None:
        stale = await asyncio.to_thread(self.store.stale_claims, self.lease, now)
        for slot in stale:
            sid, slot_at = slot.subscription_id, slot.slot_at
            won = await asyncio.to_thread(
                self.store.reclaim_slot, sid, slot_at, self.replica_id, self.lease, now
            )
            if not won:
                continue
            subscription = await asyncio.to_thread(self.store.get_subscription, sid)
            late = now - slot_at
            if subscription is None or subscription.removed_at is not None:
                reason = "the subscription was removed"
            elif late > self.grace + self.lease:
                reason = f"abandoned by {slot.claimed_by} and {_ago(late)} late, beyond grace"
            else:
                log.info("digest %s slot %s: resuming after %s", sid, slot_at, slot.claimed_by)
                caught.ran.append((sid, slot_at, await self._run(subscription, slot_at)))
                continue
            log.warning("digest %s slot %s skipped: %s", sid, slot_at.isoformat(), reason)
            await asyncio.to_thread(
                self.store.mark_skipped, sid, slot_at, reason, self.replica_id, now
            )
            caught.skipped.append((sid, slot_at))

    async def _catch_up_one(
        self, subscription: DigestSubscription, now: datetime, caught: CatchUp
    ) -> None:
        schedule = subscription.schedule
        latest = schedule.latest_at_or_before(now)
        if latest is None or latest <= subscription.created_at:
            return
        if await asyncio.to_thread(self.store.slot, subscription.id, latest) is not None:
            return  # run, being run, or recorded already
        last = await asyncio.to_thread(self.store.last_slot, subscription.id)
        start = max(subscription.created_at, now - MISSED_WINDOW)
        if last is not None and last.slot_at < latest:
            start = max(start, last.slot_at)
        missed = [s for s in schedule.slots_between(start, latest, MISSED_LIMIT) if s < latest]
        if now - latest <= self.grace:
            log.info("digest %s: running missed slot %s", subscription.id, latest.isoformat())
            caught.ran.append((subscription.id, latest, await self.fire(subscription, latest)))
        else:
            missed.append(latest)
        for slot_at in missed:
            reason = f"missed while no bot was running; {_ago(now - slot_at)} late, beyond grace"
            recorded = await asyncio.to_thread(
                self.store.mark_skipped, subscription.id, slot_at, reason, self.replica_id, now
            )
            if recorded:
                caught.skipped.append((subscription.id, slot_at))
        if missed:
            log.warning(
                "digest %s: skipped %d missed slot(s) %s … %s (grace %s)",
                subscription.id,
                len(missed),
                missed[0].isoformat(),
                missed[-1].isoformat(),
                _ago(self.grace),
            )


def _ago(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes}m"
    hours = minutes // 60
    return f"{hours}h" if hours < 48 else f"{hours // 24}d"

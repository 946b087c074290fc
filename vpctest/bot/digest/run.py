"""Run one digest slot: diagnose, record the verdicts, post the pages, exactly once each.

One Diagnoser per run, so the engine's once-per-run lookups and bounded concurrency
apply as in `/vpc-test all`. A cloud failure midway keeps what was diagnosed and makes
the rest unknown, with why; the digest still posts. Each page carries the slot in its
message metadata and, once Slack has it, is noted on the claimed slot
(`DigestStore.note_progress`): a failed post is retried, and a resumed slot posts only
the pages Slack does not have yet.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

from vpctest.bot.diagnosis import DiagnosisService, offload
from vpctest.bot.digest.content import DETAIL_ITEMS, DigestInput, Key, digest_messages
from vpctest.bot.digest.history import UNKNOWN, VerdictRow
from vpctest.bot.digest.models import DigestSubscription
from vpctest.bot.digest.service import DigestStore
from vpctest.diagnostics.engine import Diagnoser
from vpctest.diagnostics.errors import CloudError, UsageError
from vpctest.diagnostics.evidence import evidence_lines
from vpctest.diagnostics.facts import Gateway, VpcAccess
from vpctest.diagnostics.report import Report

log = logging.getLogger(__name__)

POST_ATTEMPTS = 3  # on top of slack_sdk's own 429 retries
POST_BACKOFF_S = 0.5
FATAL_POST_ERRORS = {"not_in_channel", "channel_not_found", "is_archived", "invalid_auth"}
EVENT_TYPE = "vpc_test_digest"


@dataclass
class Diagnosis:
    """What one run found: the reports, the rows it could not diagnose, and why."""

    reports: list[Report] = field(default_factory=list)
    unknown: list[VerdictRow] = field(default_factory=list)
    error: str | None = None

    @property
    def rows(self) -> list[VerdictRow]:
        return [VerdictRow.of(r) for r in self.reports] + self.unknown

    @property
    def summaries(self) -> dict[Key, str]:
        return {(r.gateway.id, r.vpc_access.id): _summary(r) for r in self.reports}

    @property
    def details(self) -> dict[Key, tuple[str, ...]]:
        """The root cause's evidence rows (a few items of each list), for the digest line."""
        return {(r.gateway.id, r.vpc_access.id): _details(r) for r in self.reports}


NO_GATEWAY = (
    "not tested: no API uses it, so no gateway calls it; "
    "name one with `digest add … --gateway ID` to test it from there"
)


async def diagnose(
    service: DiagnosisService, gateway_id: str | None, diagnoser: Diagnoser | None = None
) -> Diagnosis:
    """Every authorization in scope, on the work loop (bot/diagnosis.py)."""
    return await offload(lambda: _diagnose(service, gateway_id, diagnoser))


async def _diagnose(
    service: DiagnosisService, gateway_id: str | None, diagnoser: Diagnoser | None = None
) -> Diagnosis:
    """Every authorization in scope; a failure midway keeps what was found.

    With a gateway (given, or the region's only one) every authorization is tested from
    it. Without one in a region of several, each is tested from the gateways its APIs
    run on.
    """
    found = Diagnosis()
    diagnoser = diagnoser or Diagnoser(service.clients)
    wanted = gateway_id or service.default_gateway

    try:
        accesses = await diagnoser.vpc_accesses()
        gateways = [await diagnoser.gateway(wanted)] if wanted else await diagnoser.all_gateways()
        if not gateways:
            raise UsageError("this region has no API Gateway instance")
    except (CloudError, UsageError) as exc:
        found.error = _reason(exc)
        return found
    if len(gateways) > 1:
        await _diagnose_where_used(diagnoser, accesses, gateways, found)
        return found
    try:
        async for report in diagnoser.diagnose_many(accesses, gateways[0]):
            found.reports.append(report)
    except (CloudError, UsageError) as exc:
        found.error = _reason(exc)
        why = (f"not tested: {found.error}",)
        found.unknown = [
            VerdictRow(gateways[0].id, a.id, UNKNOWN, why, a.name)
            for a in accesses[len(found.reports) :]
        ]
    return found


async def _diagnose_where_used(
    diagnoser: Diagnoser, accesses: list[VpcAccess], gateways: list[Gateway], found: Diagnosis
) -> None:
    """Each authorization from the gateways its APIs run on, as soon as those are known:
    finding the gateways and testing run side by side, each paced by its own API limit."""
    by_id = {g.id: g for g in gateways}
    diagnoser.prefetch_targets(accesses)

    async def one(access: VpcAccess) -> list[Report] | VerdictRow:
        try:
            serving = [by_id[i] for i in await diagnoser.gateways_using(access) if i in by_id]
        except CloudError as exc:
            return VerdictRow("", access.id, UNKNOWN, (f"not tested: {exc.reason}",), access.name)
        if not serving:
            return VerdictRow("", access.id, UNKNOWN, (NO_GATEWAY,), access.name)
        return list(await asyncio.gather(*(diagnoser.diagnose(access, g) for g in serving)))

    for outcome in await asyncio.gather(*(one(a) for a in accesses)):
        if isinstance(outcome, VerdictRow):
            found.unknown.append(outcome)
        else:
            found.reports.extend(outcome)


class DigestRunner:
    """`run_digest` for the DigestScheduler: the bot's engine, database and Slack client."""

    def __init__(self, diagnosis: DiagnosisService, store: DigestStore, client: Any) -> None:
        self.diagnosis = diagnosis
        self.store = store
        self.client = client

    async def run_digest(self, sub: DigestSubscription, slot_at: datetime) -> str | None:
        """Post the slot's digest; the first message's ts, or None for nothing to post."""
        found = await diagnose(self.diagnosis, sub.gateway_id)
        digest = await asyncio.to_thread(self._record, sub, slot_at, found)
        messages = digest_messages(digest)
        if not messages:
            return None
        return await self._post(sub, slot_at, messages)

    def _record(self, sub: DigestSubscription, slot_at: datetime, found: Diagnosis) -> DigestInput:
        rows = found.rows
        if found.error and not rows:  # nothing listed: the last known ones are unknown now
            known = self.store.history_for(sub.scope, slot_at).values()
            why = (f"not tested: {found.error}",)
            rows = [VerdictRow(h.gateway_id, h.vpc_access_id, UNKNOWN, why, h.name) for h in known]
        self.store.clear_verdicts(sub.scope, slot_at)
        self.store.record_verdicts(sub.scope, rows, slot_at)
        previous = self.store.previous_posted(sub.id, slot_at)
        history = self.store.history_for(sub.scope, slot_at, previous.slot_at if previous else None)
        seen = {row.key for row in rows}
        return DigestInput(
            digest_id=sub.id,
            history=[h for key, h in history.items() if key in seen],
            at=slot_at,
            summaries=found.summaries,
            details=found.details,
            error=found.error,
            only_changes=sub.only_changes,
            has_previous=previous is not None,
        )

    async def _post(
        self, sub: DigestSubscription, slot_at: datetime, messages: list[dict[str, Any]]
    ) -> str:
        done, first_ts = await asyncio.to_thread(self.store.progress, sub.id, slot_at)
        for page, message in enumerate(messages, 1):
            if page <= done:
                continue
            metadata = {
                "event_type": EVENT_TYPE,
                "event_payload": {
                    "digest": sub.id,
                    "slot": slot_at.isoformat(),
                    "page": page,
                    "pages": len(messages),
                },
            }
            ts = await self._post_once(sub.channel_id, {**message, "metadata": metadata})
            first_ts = first_ts or ts
            await asyncio.to_thread(self.store.note_progress, sub.id, slot_at, page, first_ts)
        assert first_ts is not None
        return first_ts

    async def _post_once(self, channel: str, message: dict[str, Any]) -> str:
        """chat.postMessage, retried on a failure that did not say it is final."""
        for attempt in range(1, POST_ATTEMPTS + 1):
            try:
                response = await self.client.chat_postMessage(channel=channel, **message)
                return str(response["ts"])
            except SlackApiError as exc:
                if exc.response.get("error") in FATAL_POST_ERRORS or attempt == POST_ATTEMPTS:
                    raise
                log.warning("digest post to %s failed (%s); retrying", channel, exc)
            except (aiohttp.ClientError, TimeoutError) as exc:
                if attempt == POST_ATTEMPTS:
                    raise
                log.warning("digest post to %s failed (%r); retrying", channel, exc)
            await asyncio.sleep(POST_BACKOFF_S * attempt)
        raise AssertionError("unreachable")


def _reason(exc: Exception) -> str:
    return exc.reason if isinstance(exc, CloudError) else str(exc)


def _details(report: Report) -> tuple[str, ...]:
    if not report.root_causes or report.root_causes == ["connectivity"]:
        return ()
    try:
        return tuple(evidence_lines(report.check(report.root_causes[0]), DETAIL_ITEMS))
    except StopIteration:
        return ()


def _summary(report: Report) -> str:
    first = report.root_causes[0] if report.root_causes else "connectivity"
    try:
        return report.check(first).summary
    except StopIteration:
        return ""

"""The diagnosis: resolve the gateway and authorizations, gather facts once, judge them."""

from __future__ import annotations

import asyncio
import difflib
import time
from collections.abc import AsyncIterator, Sequence

from vpctest.diagnostics.checks import run_checks
from vpctest.diagnostics.cloud.clients import CloudClients
from vpctest.diagnostics.errors import CloudError, UsageError
from vpctest.diagnostics.facts import Gateway, VpcAccess
from vpctest.diagnostics.lookups import Lookups
from vpctest.diagnostics.report import Report
from vpctest.diagnostics.snapshot import ProbeRequest, Unavailable, gather_snapshot
from vpctest.telemetry.metrics import DIAGNOSES, DIAGNOSIS_SECONDS


class Diagnoser:
    """One run: every lookup it makes is shared by all the authorizations it diagnoses."""

    def __init__(self, clients: CloudClients) -> None:
        self.lookups = Lookups(clients)
        self._gateway_errors: dict[str, Unavailable] = {}

    async def gateway(self, gateway_id: str | None) -> Gateway:
        """The gateway to test from: the one named, or the region's only one.

        With an id given, a gateway that cannot be read still lets connectivity be
        tested; the checks that need its egress or policy become `unknown`.
        """
        try:
            gateways = await self.lookups.gateways(gateway_id)
        except CloudError as exc:
            if gateway_id is None:
                raise
            self._gateway_errors[gateway_id] = Unavailable(
                f"could not read gateway {gateway_id}: {exc.reason}"
            )
            return Gateway(id=gateway_id, name="", instance_type="", egress_cidrs=())
        if gateway_id:
            match = next((g for g in gateways if g.id == gateway_id), None)
            if match is None:
                raise UsageError(f"no API Gateway instance {gateway_id} in this region")
            return match
        if len(gateways) == 1:
            return gateways[0]
        if not gateways:
            raise UsageError("this region has no API Gateway instance: pass --region")
        ids = ", ".join(g.id for g in gateways)
        raise UsageError(
            f"this region has {len(gateways)} API Gateway instances: pass --gateway ({ids})"
        )

    async def vpc_accesses(self) -> list[VpcAccess]:
        return await self.lookups.vpc_accesses()

    async def find(self, name_or_id: str) -> VpcAccess:
        """An authorization by id or name; an unknown one gets close suggestions."""
        accesses = await self.vpc_accesses()
        for access in accesses:
            if name_or_id in (access.id, access.name):
                return access
        raise UsageError(unknown_access_message(name_or_id, accesses))

    async def diagnose(
        self, access: VpcAccess, gateway: Gateway, probe: ProbeRequest | None = None
    ) -> Report:
        started = time.perf_counter()
        snap = await gather_snapshot(self.lookups, gateway, access, probe)
        snap.gateway_error = self._gateway_errors.get(gateway.id)
        report = Report(
            vpc_access=access,
            gateway=snap.gateway,
            target_type=snap.target_type,
            checks=run_checks(snap),
            apis=None if isinstance(snap.apis, Unavailable) else tuple(snap.apis),
            apis_error=snap.apis.reason if isinstance(snap.apis, Unavailable) else "",
            elapsed_ms=round((time.perf_counter() - started) * 1000),
        )
        target_type = report.target_type or "unknown"
        DIAGNOSES.labels(str(report.verdict), target_type).inc()
        DIAGNOSIS_SECONDS.labels(target_type).observe(time.perf_counter() - started)
        return report

    def prefetch_targets(self, accesses: Sequence[VpcAccess]) -> None:
        """Start every authorization's target reads at once, so ECS ids batch 100 per call
        even when the diagnoses themselves start staggered (a digest across gateways)."""
        for access in accesses:
            target = access.instance_id
            if target.startswith("i-"):
                self.lookups.ecs_instance(target)
                self.lookups.ecs_health(target)
            elif target.startswith("lb-"):
                self.lookups.load_balancer(target)

    async def all_gateways(self) -> list[Gateway]:
        return await self.lookups.gateways(None)

    async def gateways_using(self, access: VpcAccess) -> list[str]:
        """The gateway instances whose APIs use `access`: API → its group → the group's instance.

        The APIs are the same lookup the diagnosis makes for the blast radius, so this costs
        one DescribeApiGroup per group per run.
        """
        apis = await self.lookups.apis(access.name)
        groups = sorted({a.group_id for a in apis if a.group_id})
        instances = await asyncio.gather(*(self.lookups.api_group_gateway(g) for g in groups))
        return sorted({i for i in instances if i})

    async def diagnose_many(
        self,
        accesses: Sequence[VpcAccess],
        gateway: Gateway,
        probe: ProbeRequest | None = None,
    ) -> AsyncIterator[Report]:
        """Every authorization from one gateway; reports come back in input order."""
        async for report in self.diagnose_pairs([(a, gateway) for a in accesses], probe):
            yield report

    async def diagnose_pairs(
        self,
        pairs: Sequence[tuple[VpcAccess, Gateway]],
        probe: ProbeRequest | None = None,
    ) -> AsyncIterator[Report]:
        """All at once (the caller bounds calls in flight); reports come back in input order."""
        self.prefetch_targets([a for a, _ in pairs])
        tasks = [asyncio.ensure_future(self.diagnose(a, g, probe)) for a, g in pairs]

        try:
            for task in tasks:
                yield await task
        finally:
            for task in tasks:
                task.cancel()


def unknown_access_message(name_or_id: str, accesses: Sequence[VpcAccess]) -> str:
    names = [a.name for a in accesses] + [a.id for a in accesses]
    close = difflib.get_close_matches(name_or_id, names, n=3, cutoff=0.5)
    if close:
        return f"no VPC access authorization {name_or_id!r}; did you mean {', '.join(close)}?"
    known = ", ".join(a.name for a in accesses[:10]) or "none"
    return f"no VPC access authorization {name_or_id!r}; known: {known}"

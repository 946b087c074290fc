"""The engine as the bot uses it: one set of cloud clients, a fresh run per request."""

from __future__ import annotations

from dataclasses import dataclass

from diagnostics.cloud.clients import CloudClients, CloudSettings, build_clients, credential_client
from diagnostics.engine import Diagnoser
from diagnostics.facts import VpcAccess
from diagnostics.fixes import AppliedFix, apply_fix, revert_fix
from diagnostics.report import Report
from diagnostics.snapshot import ProbeRequest


@dataclass
class DiagnosisService:
    """Each run reads fresh facts (its own lookups); the clients and their pacing are shared."""

    clients: CloudClients
    default_gateway: str | None = None

    @classmethod
    def from_settings(
        cls, settings: CloudSettings, default_gateway: str | None
    ) -> DiagnosisService:
        return cls(build_clients(settings, credential_client(settings)), default_gateway)

    async def run(
        self, name_or_id: str, gateway_id: str | None = None, probe: bool = False
    ) -> Report:
        diagnoser = Diagnoser(self.clients)
        gateway = await diagnoser.gateway(gateway_id or self.default_gateway)
        access = await diagnoser.find(name_or_id)
        return await diagnoser.diagnose(access, gateway, ProbeRequest() if probe else None)

    async def run_all(self, gateway_id: str | None = None) -> list[Report]:
        diagnoser = Diagnoser(self.clients)
        gateway = await diagnoser.gateway(gateway_id or self.default_gateway)
        accesses = await diagnoser.vpc_accesses()
        return [r async for r in diagnoser.diagnose_many(accesses, gateway)]

    async def accesses(self) -> list[VpcAccess]:
        return await Diagnoser(self.clients).vpc_accesses()

    async def apply(self, fix: dict, description: str) -> AppliedFix:
        return await apply_fix(self.clients, fix, description)

    async def revert(self, applied: AppliedFix) -> None:
        await revert_fix(self.clients, applied)

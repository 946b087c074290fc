"""Run the engine in-process against an emulator: the same path the CLI takes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from vpctest.diagnostics.cloud.caller import CloudCaller, RetryPolicy
from vpctest.diagnostics.cloud.clients import (
    CloudClients,
    CloudSettings,
    build_clients,
    credential_client,
)
from vpctest.diagnostics.engine import Diagnoser
from vpctest.diagnostics.report import Report
from vpctest.diagnostics.snapshot import ProbeRequest
from vpctest.emulator import EmulatorServer

SCENARIOS = Path(__file__).parent / "scenarios"
QUICK_RETRY = RetryPolicy(max_attempts=3, base_s=0.01, cap_s=0.05)


def scenario(name: str) -> dict[str, Any]:
    return yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text())


def clients_for(
    server: EmulatorServer, retry: RetryPolicy | None = None, **settings: Any
) -> CloudClients:
    creds = server.world.credentials
    config = CloudSettings(
        region=server.world.region,
        endpoint_url=server.url,
        access_key_id=creds.access_key_id,
        access_key_secret=creds.access_key_secret,
        **settings,
    )
    clients = build_clients(config, credential_client(config))
    if retry is not None:
        clients.caller = CloudCaller(retry=retry)
    return clients


async def diagnose_all(
    clients: CloudClients, gateway_id: str | None = None, probe: ProbeRequest | None = None
) -> dict[str, Report]:
    """Every authorization, with a fresh run (fresh lookups): name → report."""
    diagnoser = Diagnoser(clients)
    gateway = await diagnoser.gateway(gateway_id)
    accesses = await diagnoser.vpc_accesses()
    return {r.vpc_access.name: r async for r in diagnoser.diagnose_many(accesses, gateway, probe)}


def statuses(report: Report) -> dict[str, str]:
    return {c.id: c.status.value for c in report.checks}

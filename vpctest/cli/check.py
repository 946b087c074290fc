"""`vpc-test check`: diagnose one authorization, or all of them, and set the exit status."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace

from vpctest.cli.text import render_report, render_tally
from vpctest.diagnostics.cloud.clients import (
    CloudClients,
    CloudSettings,
    build_clients,
    credential_client,
    resolve_credentials,
)
from vpctest.diagnostics.cloud.regions import check_region
from vpctest.diagnostics.engine import Diagnoser
from vpctest.diagnostics.errors import CloudError, UsageError
from vpctest.diagnostics.report import Report, Status
from vpctest.diagnostics.snapshot import ProbeRequest
from vpctest.messages import one_line

EXIT_PASS, EXIT_FAIL, EXIT_UNKNOWN, EXIT_USAGE = 0, 1, 2, 3


@dataclass(frozen=True)
class CheckArgs:
    vpc_access: str | None
    all: bool = False
    gateway: str | None = None
    region: str | None = None
    probe: ProbeRequest | None = None
    json: bool = False
    sandbox: str | None = None  # None: no sandbox; "": the bundled demo world
    color: bool = False
    evidence: bool = False  # evidence rows under every check, not only failing and warning


def exit_status(verdicts: Sequence[Status]) -> int:
    if any(v == Status.FAIL for v in verdicts):
        return EXIT_FAIL
    if any(v == Status.UNKNOWN for v in verdicts):
        return EXIT_UNKNOWN
    return EXIT_PASS


def run_check(args: CheckArgs) -> int:
    """Run the check command; errors become one line on stderr and an exit status."""
    if bool(args.vpc_access) == args.all:
        raise UsageError("name one VPC access authorization (id or name), or pass --all")
    return on_cloud(args.region, args.sandbox, lambda clients: _check(clients, args))


def on_cloud(
    region: str | None,
    sandbox_world: str | None,
    work: Callable[[CloudClients], Awaitable[int]],
) -> int:
    """`work(clients)` on the account the environment names, or on the sandbox world
    (`sandbox_world`: None for none, "" for the bundled one), after the credentials and the
    region were checked; a refused AccessKey pair is one line and exit 3."""

    async def run(settings: CloudSettings) -> int:
        credentials = credential_client(settings)
        await resolve_credentials(credentials)
        clients = build_clients(settings, credentials)
        try:
            await check_region(settings, credentials, clients.caller)
        except CloudError as exc:  # the AccessKey pair itself was refused
            print(f"vpc-test: {one_line(exc.reason)}", file=sys.stderr)
            return EXIT_USAGE
        return await work(clients)

    with ExitStack() as stack:
        settings = CloudSettings.from_env(region)
        if sandbox_world is not None:
            from vpctest.cli.sandbox import sandbox

            sandboxed = stack.enter_context(sandbox(sandbox_world or None))
            settings = replace(sandboxed, region=region or sandboxed.region)
        return asyncio.run(run(settings))


async def _check(clients: CloudClients, args: CheckArgs) -> int:
    diagnoser = Diagnoser(clients)
    try:
        wanted = diagnoser.vpc_accesses() if args.all else diagnoser.find(args.vpc_access or "")
        gateway, found = await asyncio.gather(diagnoser.gateway(args.gateway), wanted)
        accesses = found if isinstance(found, list) else [found]
    except CloudError as exc:
        print(f"vpc-test: {one_line(exc.reason)}", file=sys.stderr)
        return EXIT_USAGE if exc.credentials_rejected else EXIT_UNKNOWN
    reports: list[Report] = []
    async for report in diagnoser.diagnose_many(accesses, gateway, args.probe):
        reports.append(report)
        emit(report, args)
    if args.all and not args.json:
        print(render_tally(reports, args.color))
    return exit_status([r.verdict for r in reports])


def emit(report: Report, args: CheckArgs) -> None:
    if args.json:
        print(json.dumps(report.to_json(), indent=None if args.all else 2), flush=True)
    else:
        print(
            render_report(report, args.color, args.evidence) + ("\n" if args.all else ""),
            flush=True,
        )

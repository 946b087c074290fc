"""`vpc-test watch --once --state FILE`: diagnose, compare with the reports FILE holds, print
what shifted as JSON Lines, and keep the new reports in FILE.

A shift is an authorization whose verdict or root causes changed, with what changed under
them (vpctest.diagnostics.changes). The first run has nothing to compare with: it writes the
state and prints nothing. A state file this command cannot read is left as it is.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vpctest.cli.check import EXIT_PASS, EXIT_UNKNOWN, EXIT_USAGE, on_cloud
from vpctest.diagnostics.changes import compare
from vpctest.diagnostics.cloud.clients import CloudClients
from vpctest.diagnostics.engine import Diagnoser
from vpctest.diagnostics.errors import CloudError, UsageError
from vpctest.messages import one_line

STATE_VERSION = 1
EXIT_SHIFTED = 1  # like diff(1): 0 nothing changed, 1 something did


@dataclass(frozen=True)
class WatchArgs:
    state: Path
    vpc_accesses: tuple[str, ...] = ()  # none: every authorization
    gateway: str | None = None
    region: str | None = None
    sandbox: str | None = None
    once: bool = True
    every_s: float = 300.0


def read_state(path: Path) -> dict[str, Any] | None:
    """The reports `path` holds, by authorization id; None when there is no file yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--state {path}: cannot read it ({exc}); pass another file") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"--state {path}: not JSON ({exc.msg} at line {exc.lineno}); it was left as it "
            "is: move it away or pass another file"
        ) from exc
    if (
        not isinstance(data, Mapping)
        or data.get("version") != STATE_VERSION
        or not isinstance(data.get("reports"), Mapping)
    ):
        raise UsageError(
            f"--state {path}: not a vpc-test watch state (version {STATE_VERSION}); it was "
            "left as it is: move it away or pass another file"
        )
    return dict(data["reports"])


def write_state(path: Path, reports: Mapping[str, Any]) -> None:
    """Replace `path` whole (a crash leaves the old state or the new one, never half)."""
    text = json.dumps({"version": STATE_VERSION, "reports": reports}, separators=(",", ":"))
    folder = path.resolve().parent
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=folder, prefix=f".{path.name}.", delete=False
    ) as out:
        out.write(text)
    os.replace(out.name, path)


def run_watch(args: WatchArgs) -> int:
    previous = read_state(args.state)  # before any cloud call: a bad file stops it here
    return on_cloud(args.region, args.sandbox, lambda clients: _watch(clients, args, previous))


async def _watch(clients: CloudClients, args: WatchArgs, previous: dict[str, Any] | None) -> int:
    status = EXIT_PASS
    while True:
        try:
            previous, shifted = await _round(clients, args, previous)
        except CloudError as exc:
            print(f"vpc-test: {one_line(exc.reason)}", file=sys.stderr)
            return EXIT_USAGE if exc.credentials_rejected else EXIT_UNKNOWN
        status = EXIT_SHIFTED if shifted else status
        if args.once:
            return status
        await asyncio.sleep(args.every_s)


async def _round(
    clients: CloudClients, args: WatchArgs, previous: dict[str, Any] | None
) -> tuple[dict[str, Any], bool]:
    """One diagnosis of the watched authorizations; the shifts printed; the state kept."""
    diagnoser = Diagnoser(clients)
    gateway = await diagnoser.gateway(args.gateway)
    if args.vpc_accesses:
        accesses = [await diagnoser.find(name) for name in dict.fromkeys(args.vpc_accesses)]
    else:
        accesses = await diagnoser.vpc_accesses()
    now: dict[str, Any] = {}
    shifted = False
    at = datetime.now(UTC).isoformat(timespec="seconds")
    async for report in diagnoser.diagnose_many(accesses, gateway):
        data = report.to_json()
        now[report.vpc_access.id] = data
        before = (previous or {}).get(report.vpc_access.id)
        shift = compare(before, data) if isinstance(before, Mapping) else None
        if shift is not None:
            shifted = True
            line = {"at": at, "vpc_access": data["vpc_access"], "gateway": gateway.id}
            print(json.dumps(line | shift.to_json(), ensure_ascii=False), flush=True)
    write_state(args.state, now)
    return now, shifted

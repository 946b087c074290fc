"""The table of served actions: (API version, action name) → handler, plus what handlers get."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vpctest.emulator.params import Params
from vpctest.emulator.products import PRODUCTS, Product
from vpctest.emulator.regions import region_exists, region_not_found
from vpctest.emulator.world import Credentials, World

CREATED = "2024-05-01T08:00:00Z"  # the creation time every resource reports


def vswitch_id(vpc_id: str) -> str:
    """The one vSwitch the emulator places everything of a VPC in."""
    return "vsw-" + hashlib.sha256(vpc_id.encode()).hexdigest()[:20]


REGION_SHORT = {"hangzhou": "hz", "shanghai": "sh", "beijing": "bj", "shenzhen": "sz"}


@dataclass
class InvocationResult:
    """One instance's result of a Cloud Assistant command."""

    instance_id: str
    status: str  # Success | Failed | Aborted | Invalid
    exit_code: int | None
    output: str
    error_code: str = ""
    error_info: str = ""


@dataclass
class Invocation:
    invoke_id: str
    command_id: str
    name: str
    results: list[InvocationResult]
    started: float = 0.0  # the state's clock at RunCommand, in seconds
    running_ms: int = 0  # faults.probe_running_ms then: Running until this has passed


@dataclass
class RuntimeState:
    """What the server remembers besides the world: Cloud Assistant invocations.

    `clock` (seconds, monotonic) times invocations; tests may replace it to move time on."""

    invocations: dict[str, Invocation] = field(default_factory=dict)
    sequence: int = 0
    clock: Callable[[], float] = time.monotonic

    def running(self, invocation: Invocation) -> bool:
        """Whether the invocation is still Running (world.md rule 11)."""
        return (self.clock() - invocation.started) * 1000 < invocation.running_ms

    def next_id(self, prefix: str, region: str) -> str:
        """An id such as t-hz0000000000000001 (the region's short name, then a sequence)."""
        self.sequence += 1
        city = region.split("-")[-1]
        short = REGION_SHORT.get(city, city[:2])
        return f"{prefix}-{short}{self.sequence:016x}"


@dataclass
class Context:
    """What a handler works with. For a regional action asked about another region, `world` is
    an empty world of that region (so lookups find nothing and writes go nowhere); a region
    that does not exist is InvalidRegionId.NotFound (actions/regions.py)."""

    world: World
    params: Params
    state: RuntimeState
    product: Product
    action: str


Handler = Callable[[Context], dict[str, Any]]


@dataclass(frozen=True)
class ActionSpec:
    version: str
    name: str
    handler: Handler
    regional: bool  # takes a RegionId (ECS, SLB); CloudAPI's region is the endpoint's

    @property
    def product(self) -> Product:
        return PRODUCTS[self.version]

    def context(self, world: World, params: Params, state: RuntimeState) -> Context:
        if self.regional:
            region = params.str("RegionId", required=True)
            if not region_exists(region, world.region):
                raise region_not_found()
            if region != world.region:
                world = World(
                    region=region,
                    credentials=Credentials(
                        world.credentials.access_key_id, world.credentials.access_key_secret
                    ),
                )
        return Context(world, params, state, self.product, self.name)


REGISTRY: dict[tuple[str, str], ActionSpec] = {}


def action(version: str, name: str, *, regional: bool = True) -> Callable[[Handler], Handler]:
    """Register a handler for `name` in API `version`."""

    if name not in PRODUCTS[version].actions:
        raise ValueError(f"{name} is not declared in vpctest.emulator.products for {version}")

    def register(handler: Handler) -> Handler:
        REGISTRY[(version, name)] = ActionSpec(version, name, handler, regional)
        return handler

    return register


def lookup(version: str | None, name: str | None) -> ActionSpec | None:
    return REGISTRY.get((version or "", name or ""))

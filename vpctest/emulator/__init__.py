"""A local emulator of the Alibaba Cloud APIs vpc-test calls (CloudAPI, ECS, SLB) over a world."""

from vpctest.emulator.schema import WorldError
from vpctest.emulator.server import EmulatorServer
from vpctest.emulator.world import World, load_world, parse_world

__all__ = ["EmulatorServer", "World", "WorldError", "load_world", "parse_world"]

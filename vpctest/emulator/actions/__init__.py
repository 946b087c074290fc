"""The served OpenAPI actions, registered by (API version, action name)."""

from vpctest.emulator.actions import cloudapi, ecs, regions, slb  # noqa: F401  (importing registers them)
from vpctest.emulator.actions.registry import (
    REGISTRY,
    ActionSpec,
    Context,
    RuntimeState,
    lookup,
)
from vpctest.emulator.products import PRODUCTS, action_names

__all__ = [
    "PRODUCTS",
    "REGISTRY",
    "ActionSpec",
    "Context",
    "RuntimeState",
    "action_names",
    "lookup",
]

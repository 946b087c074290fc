"""The served OpenAPI actions, registered by (API version, action name)."""

from vpctest.emulator.actions import cloudapi, ecs, regions, slb  # noqa: F401  (importing registers them)
from vpctest.emulator.actions.registry import (
    PRODUCTS,
    REGISTRY,
    ActionSpec,
    Context,
    RuntimeState,
    action_names,
    lookup,
)

__all__ = [
    "PRODUCTS",
    "REGISTRY",
    "ActionSpec",
    "Context",
    "RuntimeState",
    "action_names",
    "lookup",
]

"""ECS DescribeRegions: the public regions of vpctest.emulator.regions, and the world's own."""

from __future__ import annotations

from typing import Any

from vpctest.emulator.actions.registry import Context, action
from vpctest.emulator.products import ECS
from vpctest.emulator.regions import REGIONS


@action(ECS, "DescribeRegions", regional=False)
def describe_regions(ctx: Context) -> dict[str, Any]:
    names = {**REGIONS, ctx.world.region: REGIONS.get(ctx.world.region, ctx.world.region)}
    return {
        "Regions": {
            "Region": [
                {
                    "RegionId": region,
                    "LocalName": name,
                    "RegionEndpoint": f"ecs.{region}.aliyuncs.com",
                    "Status": "available",
                }
                for region, name in names.items()
            ]
        }
    }

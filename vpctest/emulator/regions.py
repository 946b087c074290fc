"""Alibaba Cloud's public regions, and the error for a RegionId that is none of them.

A regional action asked about a real region other than the world's finds an empty account
there (registry.ActionSpec.context); one asked about a region that does not exist gets
`InvalidRegionId.NotFound`, as ECS and SLB answer it.
"""

from __future__ import annotations

from vpctest.emulator.errors import ApiError

# RegionId → LocalName (English), as ECS DescribeRegions lists them.
REGIONS = {
    "cn-qingdao": "China (Qingdao)",
    "cn-beijing": "China (Beijing)",
    "cn-zhangjiakou": "China (Zhangjiakou)",
    "cn-huhehaote": "China (Hohhot)",
    "cn-wulanchabu": "China (Ulanqab)",
    "cn-hangzhou": "China (Hangzhou)",
    "cn-shanghai": "China (Shanghai)",
    "cn-nanjing": "China (Nanjing - Local Region)",
    "cn-fuzhou": "China (Fuzhou - Local Region)",
    "cn-shenzhen": "China (Shenzhen)",
    "cn-heyuan": "China (Heyuan)",
    "cn-guangzhou": "China (Guangzhou)",
    "cn-chengdu": "China (Chengdu)",
    "cn-hongkong": "China (Hong Kong)",
    "ap-northeast-1": "Japan (Tokyo)",
    "ap-northeast-2": "South Korea (Seoul)",
    "ap-southeast-1": "Singapore",
    "ap-southeast-3": "Malaysia (Kuala Lumpur)",
    "ap-southeast-5": "Indonesia (Jakarta)",
    "ap-southeast-6": "Philippines (Manila)",
    "ap-southeast-7": "Thailand (Bangkok)",
    "us-east-1": "US (Virginia)",
    "us-west-1": "US (Silicon Valley)",
    "eu-west-1": "UK (London)",
    "eu-central-1": "Germany (Frankfurt)",
    "me-east-1": "UAE (Dubai)",
    "me-central-1": "SAU (Riyadh - Partner Region)",
}


def region_exists(region: str, world_region: str) -> bool:
    return region == world_region or region in REGIONS


def region_not_found() -> ApiError:
    return ApiError(404, "InvalidRegionId.NotFound", "The specified RegionId does not exist.")

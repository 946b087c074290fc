"""Refuse a region that does not exist before a run, naming the ones that do.

Every read of a run names the region; a misspelt one would make each authorization look
as if its instance were missing. ECS DescribeRegions lists the regions (it needs no RAM
permission); it is asked through the central endpoint unless ALIBABA_CLOUD_ENDPOINT is set,
since a region that does not exist has no endpoint of its own.
"""

from __future__ import annotations

from alibabacloud_credentials.client import Client as CredentialClient
from alibabacloud_ecs20140526 import models as ecs
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_tea_openapi import utils_models as open_api_models

from vpctest.diagnostics.cloud.caller import CloudCaller
from vpctest.diagnostics.cloud.clients import DEFAULT_REGION, CloudSettings, parse_endpoint
from vpctest.diagnostics.errors import CloudError, UsageError


def _regions_client(settings: CloudSettings, credentials: CredentialClient) -> EcsClient:
    cfg = open_api_models.Config(
        credential=credentials,
        region_id=DEFAULT_REGION,
        connect_timeout=settings.connect_timeout_ms,
        read_timeout=settings.read_timeout_ms,
    )
    if settings.endpoint_url:
        cfg.endpoint, cfg.protocol = parse_endpoint(settings.endpoint_url)
    else:
        cfg.endpoint = "ecs.aliyuncs.com"
    return EcsClient(cfg)


async def available_regions(
    settings: CloudSettings, credentials: CredentialClient, caller: CloudCaller
) -> list[str] | None:
    """The region ids ECS lists, or None when they cannot be read (then nothing is refused)."""
    client = _regions_client(settings, credentials)
    request = ecs.DescribeRegionsRequest(accept_language="en-US")
    try:
        body = (
            await caller.call(
                "ecs", "DescribeRegions", lambda: client.describe_regions_async(request)
            )
        ).body
    except CloudError as exc:
        if exc.credentials_rejected:
            raise
        return None
    listed = body.regions.region if body and body.regions and body.regions.region else []
    return sorted(r.region_id for r in listed if r.region_id) or None


async def check_region(
    settings: CloudSettings, credentials: CredentialClient, caller: CloudCaller
) -> None:
    """Raise UsageError when `settings.region` is not one of the account's regions."""
    regions = await available_regions(settings, credentials, caller)
    if regions is None or settings.region in regions:
        return
    raise UsageError(
        f"region {settings.region!r} does not exist: "
        f"pass --region or set VPCTEST_REGION to one of {', '.join(regions)}"
    )

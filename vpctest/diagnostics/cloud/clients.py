"""Build the real SDK clients from settings and the Alibaba Cloud default credential chain."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlparse

from alibabacloud_cloudapi20160714.client import Client as CloudApiClient
from alibabacloud_credentials.client import Client as CredentialClient
from alibabacloud_credentials.exceptions import CredentialException
from alibabacloud_credentials.provider import StaticAKCredentialsProvider
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_slb20140515.client import Client as SlbClient
from alibabacloud_tea_openapi import utils_models as open_api_models

from vpctest.diagnostics.cloud.caller import CloudCaller
from vpctest.diagnostics.errors import UsageError

DEFAULT_REGION = "cn-hangzhou"

CREDENTIAL_SOURCES = (
    "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (plus "
    "ALIBABA_CLOUD_SECURITY_TOKEN for STS), the credentials file "
    "~/.alibabacloud/credentials.ini (or ALIBABA_CLOUD_CREDENTIALS_FILE), the aliyun CLI's "
    "~/.aliyun/config.json, OIDC (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, "
    "ALIBABA_CLOUD_OIDC_TOKEN_FILE), or an ECS RAM role"
)


@dataclass(frozen=True)
class CloudSettings:
    """Where and as whom to call the cloud."""

    region: str = DEFAULT_REGION
    endpoint_url: str | None = None  # ALIBABA_CLOUD_ENDPOINT, e.g. http://127.0.0.1:8080
    access_key_id: str | None = None  # set only for the sandbox; else the default chain
    access_key_secret: str | None = None
    connect_timeout_ms: int = 5_000
    read_timeout_ms: int = 10_000
    max_in_flight: int = 16

    @classmethod
    def from_env(cls, region: str | None = None) -> CloudSettings:
        return cls(
            region=region or os.environ.get("VPCTEST_REGION") or DEFAULT_REGION,
            endpoint_url=os.environ.get("ALIBABA_CLOUD_ENDPOINT") or None,
        )


def parse_endpoint(url: str) -> tuple[str, str]:
    """`http://127.0.0.1:8080` → (`127.0.0.1:8080`, `http`); the SDK wants them apart."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise UsageError(
            f"ALIBABA_CLOUD_ENDPOINT={url!r} is not a URL: give one such as http://127.0.0.1:8080"
        )
    return parsed.netloc, parsed.scheme


@dataclass
class CloudClients:
    """The three product clients and the caller every call goes through."""

    cloudapi: CloudApiClient
    ecs: EcsClient
    slb: SlbClient
    caller: CloudCaller
    region: str


def credential_client(settings: CloudSettings) -> CredentialClient:
    if settings.access_key_id and settings.access_key_secret:
        return CredentialClient(
            provider=StaticAKCredentialsProvider(
                access_key_id=settings.access_key_id,
                access_key_secret=settings.access_key_secret,
            )
        )
    return CredentialClient()


async def resolve_credentials(credentials: CredentialClient) -> None:
    """Fail early, in one line, when the default chain finds nothing."""
    try:
        await credentials.get_credential_async()
    except CredentialException as exc:
        raise UsageError(f"no Alibaba Cloud credentials found; set {CREDENTIAL_SOURCES}") from exc


def build_clients(settings: CloudSettings, credentials: CredentialClient) -> CloudClients:
    def config() -> open_api_models.Config:
        cfg = open_api_models.Config(
            credential=credentials,
            region_id=settings.region,
            connect_timeout=settings.connect_timeout_ms,
            read_timeout=settings.read_timeout_ms,
        )
        if settings.endpoint_url:
            cfg.endpoint, cfg.protocol = parse_endpoint(settings.endpoint_url)
        return cfg

    return CloudClients(
        cloudapi=CloudApiClient(config()),
        ecs=EcsClient(config()),
        slb=SlbClient(config()),
        caller=CloudCaller(max_in_flight=settings.max_in_flight),
        region=settings.region,
    )

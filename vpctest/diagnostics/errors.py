"""Typed errors, caught at the edge and turned into a sentence a user can act on."""

from __future__ import annotations

from dataclasses import dataclass

# RAM action prefix per product code, for "grant this action" messages.
RAM_PREFIX = {"cloudapi": "apigateway", "ecs": "ecs", "slb": "slb"}


def ram_action(product: str, action: str) -> str:
    """`ecs` + `DescribeInstances` → `ecs:DescribeInstances`, as RAM policies name it."""
    return f"{RAM_PREFIX.get(product, product)}:{action}"


CREDENTIAL_CODES = ("SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidSecurityToken")
# Only these say a RAM policy lacks the action; any other 403 is a different refusal.
RAM_DENIAL_CODES = frozenset({"Forbidden.RAM", "Forbidden.SubUser", "NoPermission"})


class UsageError(Exception):
    """Bad input or configuration: the message says what to change (exit status 3)."""


@dataclass
class CloudError(Exception):
    """A cloud API call that failed for good (after retries)."""

    product: str  # cloudapi | ecs | slb
    action: str
    code: str
    message: str = ""
    request_id: str = ""
    status: int | None = None

    def __str__(self) -> str:
        return self.reason

    @property
    def ram_action(self) -> str:
        return ram_action(self.product, self.action)

    @property
    def credentials_rejected(self) -> bool:
        """The AccessKey pair or token itself was refused: a configuration error."""
        return self.code.startswith(CREDENTIAL_CODES)

    @property
    def permission_denied(self) -> bool:
        """A RAM denial: grant the action. Other refusals are quoted as they came."""
        return self.code in RAM_DENIAL_CODES

    @property
    def reason(self) -> str:
        """One line for a person: what failed and what to do."""
        if self.credentials_rejected:
            return (
                f"{self.action} was refused ({self.code}): check the AccessKey pair "
                "(ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET) or the STS token"
            )
        if self.permission_denied:
            return (
                f"{self.action} was denied ({self.code}): grant the RAM action "
                f"{self.ram_action} to these credentials"
            )
        if self.code == "Timeout":
            return f"{self.action} timed out: {self.message}"
        if self.code.startswith("Throttling"):
            return f"{self.action} stayed throttled ({self.code}) after retries"
        tail = f" (request {self.request_id})" if self.request_id else ""
        message = " ".join(self.message.split())  # servers may send several lines
        return f"{self.action} failed: {self.code}: {message}{tail}"

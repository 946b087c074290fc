"""API errors as the real OpenAPI endpoints send them: an HTTP status and a JSON body."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

RAM_MESSAGE = (
    "User not authorized to operate on the specified resource, or this API doesn't support RAM."
)


class ApiError(Exception):
    """Raised by anything serving a request; turned into the error response by the server."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message
        self.extra = extra or {}
        self.headers = headers or {}


def error_body(err: ApiError, request_id: str, host_id: str, product: str) -> dict[str, Any]:
    """`{RequestId, HostId, Code, Message, Recommend}` plus any extra fields of the error."""
    recommend = (
        f"https://api.aliyun.com/troubleshoot?q={quote(err.code)}"
        f"&product={product}&requestId={request_id}"
    )
    return {
        "RequestId": request_id,
        "HostId": host_id,
        "Code": err.code,
        "Message": err.message,
        "Recommend": recommend,
        **err.extra,
    }


def missing_parameter(name: str) -> ApiError:
    return ApiError(
        400,
        "MissingParameter",
        f'The input parameter "{name}" that is mandatory for processing this request '
        "is not supplied.",
    )


def invalid_parameter(name: str, detail: str = "", code: str = "InvalidParameter") -> ApiError:
    message = f'The specified parameter "{name}" is not valid.'
    return ApiError(400, code, f"{message} {detail}".strip())


def throttled(retry_after_ms: int | None = None) -> ApiError:
    headers = {"x-acs-retry-after": str(retry_after_ms)} if retry_after_ms else None
    return ApiError(
        400, "Throttling.User", "Request was denied due to user flow control.", headers=headers
    )


def service_unavailable() -> ApiError:
    return ApiError(
        503,
        "ServiceUnavailable",
        "The request has failed due to a temporary failure of the server.",
    )


def forbidden_ram(auth_action: str, access_key_id: str) -> ApiError:
    """What a RAM user without the action's permission gets (the SDK reads AccessDeniedDetail)."""
    return ApiError(
        403,
        "Forbidden.RAM",
        RAM_MESSAGE,
        extra={
            "AccessDeniedDetail": {
                "AuthAction": auth_action,
                "AuthPrincipalType": "SubUser",
                "AuthPrincipalOwnerId": "1234567890123456",
                "AuthPrincipalDisplayName": f"emulator-user-{access_key_id}",
                "PolicyType": "AccountLevelIdentityBasedPolicy",
                "NoPermissionType": "ImplicitDeny",
                "EncodedDiagnosticMessage": "AQEAAAAA" + auth_action.encode().hex(),
            }
        },
    )


# The usual messages of codes a fault may name (any other code gets a generic one).
KNOWN_MESSAGES = {
    "Forbidden.RAM": RAM_MESSAGE,
    "Forbidden.SubUser": "The specified action is not available for you.",
    "NoPermission": "You are not authorized to perform this operation.",
    "Forbidden.Unauthorized": "You are not authorized to operate on the specified resource.",
    "Forbidden": "User not authorized to operate on the specified resource.",
    "InvalidParameter": "The specified parameter is not valid.",
    "ServiceUnavailable": "The request has failed due to a temporary failure of the server.",
    "InternalError": (
        "The request processing has failed due to some unknown error, exception or failure."
    ),
    "Throttling": "Request was denied due to request throttling.",
    "Throttling.User": "Request was denied due to user flow control.",
    "SignatureDoesNotMatch": "The request signature does not conform to Aliyun standards.",
    "InvalidAccessKeyId.NotFound": "Specified access key is not found.",
}


def coded_error(status: int, code: str, message: str = "") -> ApiError:
    """An injected error: `code` with `status`, and the code's usual message unless given."""
    return ApiError(
        status, code, message or KNOWN_MESSAGES.get(code, f"The request failed: {code}.")
    )

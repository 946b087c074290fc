"""Verify ACS3-HMAC-SHA256 signatures exactly as alibabacloud_tea_openapi computes them.

The SDK (utils.py `get_authorization`) signs
`METHOD\\nPATH\\nCANONICAL_QUERY\\nCANONICAL_HEADERS\\nSIGNED_HEADERS\\nPAYLOAD_SHA256`, where the
canonical query is every parameter sorted by name with its value encoded by `quote(v, safe='~')`,
and the canonical headers are `name:value\\n` for each signed header (lower-case, sorted).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from vpctest.emulator.errors import ApiError

ALGORITHM = "ACS3-HMAC-SHA256"
MISMATCH = "Specified signature does not match our calculation."


@dataclass(frozen=True)
class SignedRequest:
    """A received request: the decoded query, headers by lower-case name, the raw body."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, Sequence[str]]
    body: bytes


@dataclass(frozen=True)
class Authorization:
    access_key_id: str
    signed_headers: tuple[str, ...]
    signature: str


def incomplete(detail: str) -> ApiError:
    return ApiError(
        400,
        "IncompleteSignature",
        f"The request signature does not conform to Aliyun standards. {detail}",
    )


def parse_authorization(header: str | None) -> Authorization:
    """`ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex`."""
    if not header:
        raise incomplete("The Authorization header is missing.")
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise incomplete(f"Unsupported signature algorithm {algorithm!r}: use {ALGORITHM}.")
    fields = {}
    for part in rest.split(","):
        key, sep, value = part.strip().partition("=")
        if sep:
            fields[key] = value
    missing = [k for k in ("Credential", "SignedHeaders", "Signature") if not fields.get(k)]
    if missing:
        raise incomplete(f"The Authorization header lacks {', '.join(missing)}.")
    return Authorization(
        access_key_id=fields["Credential"],
        signed_headers=tuple(fields["SignedHeaders"].split(";")),
        signature=fields["Signature"],
    )


def canonical_query(query: Mapping[str, str]) -> str:
    return "&".join(f"{k}={quote(query[k], safe='~')}" for k in sorted(query))


def canonical_headers(headers: Mapping[str, Sequence[str]], names: Sequence[str]) -> str:
    lines = []
    for name in names:
        values = sorted(v.strip() for v in headers.get(name.lower(), ()))
        lines.append(f"{name}:{','.join(values)}\n")
    return "".join(lines)


def canonical_request(request: SignedRequest, auth: Authorization, payload_hash: str) -> str:
    return "\n".join(
        (
            request.method.upper(),
            request.path or "/",
            canonical_query(request.query),
            canonical_headers(request.headers, auth.signed_headers),
            ";".join(auth.signed_headers),
            payload_hash,
        )
    )


def string_to_sign(canonical: str) -> str:
    return f"{ALGORITHM}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"


def sign(secret: str, to_sign: str) -> str:
    return hmac.new(secret.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(request: SignedRequest, secrets: Mapping[str, str]) -> str:
    """Check the request's signature against `secrets` (AccessKeyId → secret); returns the AK.

    Raises InvalidAccessKeyId.NotFound (404) for an unknown key and SignatureDoesNotMatch (400),
    with the server's string to sign in its message, for a wrong signature or body hash.
    """
    auth = parse_authorization(next(iter(request.headers.get("authorization", ())), None))
    secret = secrets.get(auth.access_key_id)
    if secret is None:
        raise ApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    body_hash = hashlib.sha256(request.body).hexdigest()
    claimed = next(iter(request.headers.get("x-acs-content-sha256", ())), body_hash)
    if not hmac.compare_digest(claimed.strip().lower(), body_hash):
        raise ApiError(
            400,
            "SignatureDoesNotMatch",
            f"The x-acs-content-sha256 header does not match the request body: "
            f"the body hashes to {body_hash}.",
        )
    to_sign = string_to_sign(canonical_request(request, auth, body_hash))
    if not hmac.compare_digest(sign(secret, to_sign), auth.signature.lower()):
        raise ApiError(
            400,
            "SignatureDoesNotMatch",
            f"{MISMATCH} server string to sign is:{to_sign}",
        )
    return auth.access_key_id

"""What reaches Bolt over HTTP: a request Slack could have sent, or a 4xx and one log line.

Bolt parses the body before it checks the signature, and parses it trustingly: a timestamp
that is not a number, a JSON body that does not parse, a `payload=` field that is not a
JSON object, or an id field of the wrong type raised inside Bolt and came back as HTTP 500
with a traceback. `refusal` answers those first; Bolt still verifies every signature.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

MAX_BODY_BYTES = 1 << 20  # Slack's payloads are far smaller; a view is at most ~250 KB
TIMESTAMP = re.compile(r"[0-9]{1,12}")
URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[!-~]*)?")

# Fields Bolt and the listeners read ids from: each may be absent or null, or an object
# whose `id` is a string (inside an event, also a string, as Slack sends `event.user`).
OBJECT_FIELDS = ("user", "team", "channel", "enterprise", "container", "view", "message")
STRING_FIELDS = (
    "type",
    "trigger_id",
    "response_url",
    "team_id",
    "user_id",
    "channel_id",
    "api_app_id",
    "token",
    "event_id",
    "callback_id",
    "action_ts",
)
LIST_FIELDS = ("actions", "authorizations", "response_urls")
# Bolt reads these as `body.get(name, {})`: present, they must not be null.
NOT_NULL = ("view", "event", "message", "container", *LIST_FIELDS)


class Refusal(Exception):
    """The request is refused with `status` (a 4xx); the message is the log line."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def _check_url(where: str, value: Any) -> None:
    if value is not None and not (isinstance(value, str) and URL.fullmatch(value)):
        raise Refusal(400, f"{where} is not an http(s) URL")


def _check_object(where: str, value: Any, top: bool = True) -> None:
    if not isinstance(value, Mapping):
        raise Refusal(400, f"{where} is not a JSON object")
    _check_url(f"{where}.response_url", value.get("response_url"))
    for name in NOT_NULL:
        if name in value and value[name] is None:
            raise Refusal(400, f"{where}.{name} is null")
    for name in OBJECT_FIELDS:
        field = value.get(name)
        if field is None or (isinstance(field, str) and not top):
            continue
        if not isinstance(field, Mapping):
            raise Refusal(400, f"{where}.{name} is neither an object nor a string")
        for key in ("id", "team_id", "message_ts", "view_id", "channel_id", "hash"):
            if field.get(key) is not None and not isinstance(field.get(key), str):
                raise Refusal(400, f"{where}.{name}.{key} is not a string")
    for name in STRING_FIELDS:
        if value.get(name) is not None and not isinstance(value.get(name), str):
            raise Refusal(400, f"{where}.{name} is not a string")
    for name in LIST_FIELDS:
        items = value.get(name)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            raise Refusal(400, f"{where}.{name} is not a list of objects")
        for i, item in enumerate(items):
            for key in ("action_id", "block_id", "action_ts", "team_id", "response_url"):
                if item.get(key) is not None and not isinstance(item.get(key), str):
                    raise Refusal(400, f"{where}.{name}[{i}].{key} is not a string")
            _check_url(f"{where}.{name}[{i}].response_url", item.get("response_url"))
    if value.get("type") == "block_actions" and not all(
        isinstance(a, Mapping) and isinstance(a.get("action_id"), str)
        for a in value.get("actions") or [{}]
    ):
        raise Refusal(400, f"{where}.actions: each action needs a string action_id")
    event = value.get("event")
    if event is not None:
        _check_object(f"{where}.event", event, top=False)  # an event's user is a string


def parsed_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """The body as Bolt will parse it (see slack_bolt.request.internals.parse_body), checked."""
    if len(raw) > MAX_BODY_BYTES:
        raise Refusal(413, f"body of {len(raw)} bytes is larger than {MAX_BODY_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "body is not UTF-8") from None
    if not text:
        return {}
    if content_type == "application/json" or text.startswith("{"):
        try:
            body = json.loads(text)
            _check_object("body", body)
        except (ValueError, RecursionError) as exc:
            raise Refusal(400, f"body is not JSON ({type(exc).__name__}: {exc})") from None
        return body
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" not in text:
        if "command" in fields:  # a slash command always comes with its response URL
            _check_url("response_url", fields.get("response_url") or "")
        return fields
    payload = fields.get("payload")
    if payload is None:
        return {}
    try:
        body = json.loads(payload)
        _check_object("payload", body)
    except (ValueError, RecursionError) as exc:
        raise Refusal(400, f"payload is not JSON ({type(exc).__name__}: {exc})") from None
    return body


def refusal(raw: bytes, headers: Mapping[str, str], content_type: str) -> Refusal | None:
    """Why this request cannot be a Slack request Bolt should see, or None."""
    timestamp = headers.get("X-Slack-Request-Timestamp")
    if timestamp is not None and not TIMESTAMP.fullmatch(timestamp):
        return Refusal(401, f"X-Slack-Request-Timestamp {timestamp[:40]!r} is not a number")
    try:
        parsed_body(raw, content_type)
    except Refusal as refused:
        return refused
    except Exception as exc:  # a shape no check above foresaw: still not Slack's
        return Refusal(400, f"body cannot be read ({type(exc).__name__}: {exc})")
    return None

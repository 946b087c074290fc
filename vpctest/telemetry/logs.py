"""Logs as JSON lines, each carrying the id of the request it serves.

A Slack command or click gets a request id in the bot's first middleware; `request_id` is a
context variable, so every task and thread the request starts (the diagnosis on the work
loop, each cloud call) logs with it. `vpc-test serve` writes JSON lines unless
VPCTEST_LOG_FORMAT=text.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id: ContextVar[str] = ContextVar("request_id", default="")

# The attributes every LogRecord has; anything else was passed in `extra` and is logged.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def new_request_id() -> str:
    """A fresh id for one request, set for the current context and returned."""
    rid = uuid.uuid4().hex[:16]
    request_id.set(rid)
    return rid


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            entry["request_id"] = rid
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


LEVELS = ("debug", "info", "warning", "error")
FORMATS = ("json", "text")
TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"


class LogSettingError(ValueError):
    """VPCTEST_LOG_FORMAT or VPCTEST_LOG_LEVEL holds what this code does not know."""


def configure_from_env(env: Mapping[str, str], verbose: bool = False) -> None:
    """The bot's logging as VPCTEST_LOG_FORMAT (json, the default, or text) and
    VPCTEST_LOG_LEVEL (info by default; debug with -v) say."""
    form = env.get("VPCTEST_LOG_FORMAT", "").strip().lower() or "json"
    level = env.get("VPCTEST_LOG_LEVEL", "").strip().lower() or ("debug" if verbose else "info")
    if form not in FORMATS:
        raise LogSettingError(f"VPCTEST_LOG_FORMAT={form!r}: use one of {', '.join(FORMATS)}")
    if level not in LEVELS:
        raise LogSettingError(f"VPCTEST_LOG_LEVEL={level!r}: use one of {', '.join(LEVELS)}")
    use(JsonLines() if form == "json" else logging.Formatter(TEXT_FORMAT), level.upper())


def use(formatter: logging.Formatter, level: int | str = logging.INFO) -> None:
    """Send the root logger's records to stderr through `formatter`, at `level` and above."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)

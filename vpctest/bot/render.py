"""Render Block Kit from the Jinja templates in `templates/`, and validate it.

Every value enters a template through `tojson`, so no text can break the JSON; ids come
from bot/interactions.py (the templates' globals `ActionId`, `CallbackId`, …). The result
is checked with slack_sdk's block models and Slack's limits before it is sent.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jinja2
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from vpctest.bot.interactions import TEMPLATE_GLOBALS

MAX_MESSAGE_BLOCKS = 50
MAX_MODAL_BLOCKS = 100
SECTION_TEXT_LIMIT = 3000


class RenderError(ValueError):
    """A rendered message or view breaks Block Kit's rules: a bug, caught before Slack sees it."""


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("vpctest.templates", ""),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False}
    env.globals.update(TEMPLATE_GLOBALS)  # templates name ids as `ActionId.RERUN`, not "rerun"
    return env


def _render(name: str, context: dict[str, Any]) -> dict[str, Any]:
    text = environment().get_template(name).render(**context)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RenderError(f"{name} rendered invalid JSON: {exc}") from exc


def validate_blocks(blocks: list[dict[str, Any]], limit: int) -> None:
    if len(blocks) > limit:
        raise RenderError(f"{len(blocks)} blocks, over Slack's limit of {limit}")
    for raw in blocks:
        block = Block.parse(raw)
        if block is None:
            raise RenderError(f"unknown block {raw.get('type')!r}")
        block.validate_json()
        action_ids = [e.get("action_id") for e in raw.get("elements", []) if e.get("action_id")]
        if len(action_ids) != len(set(action_ids)):
            raise RenderError(f"an action_id appears twice in one block: {action_ids}")


def message(name: str, **context: Any) -> dict[str, Any]:
    """A message payload: `{"text": …, "blocks": […]}`."""
    payload = _render(name, context)
    validate_blocks(payload["blocks"], MAX_MESSAGE_BLOCKS)
    return payload


def modal(name: str, **context: Any) -> dict[str, Any]:
    """A modal view payload."""
    payload = _render(name, context)
    validate_blocks(payload["blocks"], MAX_MODAL_BLOCKS)
    View(**payload).validate_json()
    return payload

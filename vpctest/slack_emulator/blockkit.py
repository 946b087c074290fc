"""Block Kit validation as Slack applies it: slack_sdk's models plus the limits they leave out.

Errors are strings in Slack's own shape: `"<reason> [json-pointer:/blocks/3/text]"`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Literal

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_TEXT_MAX = 40_000
MESSAGE_BLOCKS_MAX = 50
MODAL_BLOCKS_MAX = 100
FIELD_TEXT_MAX = 2000
PLAIN = frozenset({"plain_text"})
ANY_TEXT = frozenset({"plain_text", "mrkdwn"})
TEXT_OBJECT_KEYS = {"plain_text": {"type", "text", "emoji"}, "mrkdwn": {"type", "text", "verbatim"}}
VIEW_REQUEST_KEYS = {
    "type",
    "title",
    "blocks",
    "close",
    "submit",
    "private_metadata",
    "callback_id",
    "clear_on_close",
    "notify_on_close",
    "external_id",
    "submit_disabled",
}
# Which fields of which objects hold a text object, and of which types.
TEXT_FIELDS: dict[str, dict[str, frozenset[str]]] = {
    "section": {"text": ANY_TEXT},
    "header": {"text": PLAIN},
    "button": {"text": PLAIN},
    "input": {"label": PLAIN, "hint": PLAIN},
    "modal": {"title": PLAIN, "submit": PLAIN, "close": PLAIN},
    "confirm": {"title": PLAIN, "text": ANY_TEXT, "confirm": PLAIN, "deny": PLAIN},
}
ActionIdScope = Literal["message", "block"]


def error(reason: str, pointer: str) -> str:
    """One error in Slack's wording."""
    return f"{reason} [json-pointer:{pointer}]"


def message_errors(
    text: Any, blocks: Any, *, action_id_scope: ActionIdScope = "message"
) -> list[str]:
    """What Slack would reject in a message's `text` and `blocks` (either may be None)."""
    errors: list[str] = []
    if text is not None and not isinstance(text, str):
        errors.append(error("must be a string", "/text"))
    elif text is not None and len(text) > MESSAGE_TEXT_MAX:
        errors.append(error(f"must be less than {MESSAGE_TEXT_MAX + 1} characters", "/text"))
    if blocks is not None:
        errors += blocks_errors(blocks, "/blocks", MESSAGE_BLOCKS_MAX, action_id_scope)
    return errors


def view_errors(view: Any, *, action_id_scope: ActionIdScope = "message") -> list[str]:
    """What Slack would reject in a modal view sent to views.open/update/push."""
    if not isinstance(view, dict):
        return [error("must be an object", "/view")]
    errors = [
        error(f"invalid additional property: {key}", f"/view/{key}")
        for key in sorted(set(view) - VIEW_REQUEST_KEYS)
    ]
    if view.get("type") != "modal":
        errors.append(error('must be "modal"', "/view/type"))
    for field in ("title", "blocks"):
        if field not in view:
            errors.append(error(f"missing required field: {field}", "/view"))
    errors += _text_field_errors(view, TEXT_FIELDS["modal"], "/view")
    if not errors:
        try:
            model = View(**{k: v for k, v in view.items() if k != "blocks"})
            model.blocks = None  # type: ignore[assignment]  # blocks are checked one by one below
            model.validate_json()
        except (SlackObjectFormationError, TypeError, ValueError) as exc:
            errors.append(error(_reason(exc), "/view"))
    blocks = view.get("blocks")
    if blocks is not None:
        errors += blocks_errors(blocks, "/view/blocks", MODAL_BLOCKS_MAX, action_id_scope)
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and "submit" not in view:
            errors.append(error("missing required field: submit", "/view"))
    return errors


def blocks_errors(
    blocks: Any, pointer: str, limit: int, action_id_scope: ActionIdScope = "message"
) -> list[str]:
    """Errors in a list of blocks: count, each block, and block_id/action_id uniqueness."""
    if not isinstance(blocks, list):
        return [error("must be an array", pointer)]
    errors: list[str] = []
    if len(blocks) > limit:
        errors.append(error(f"must be less than {limit + 1} items", pointer))
    if pointer.startswith("/view") and not blocks:
        errors.append(error("must contain at least 1 item", pointer))
    block_ids: set[str] = set()
    action_ids: set[str] = set()
    for i, block in enumerate(blocks):
        where = f"{pointer}/{i}"
        errors += block_errors(block, where)
        if not isinstance(block, dict):
            continue
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in block_ids:
                errors.append(error(f"duplicate block_id: {block_id}", f"{where}/block_id"))
            block_ids.add(block_id)
        if action_id_scope == "block":
            action_ids = set()
        for action_id, at in _action_ids(block, where):
            if action_id in action_ids:
                errors.append(error(f"duplicate action_id: {action_id}", at))
            action_ids.add(action_id)
    return errors


def block_errors(block: Any, pointer: str) -> list[str]:
    """Errors in one block: slack_sdk's model validation plus the rules it does not check."""
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        return [error("must be an object with a type", pointer)]
    errors = list(_raw_errors(block, pointer))
    try:
        parsed = Block.parse(block)
    except Exception as exc:  # the models raise TypeError/KeyError on malformed input
        return errors + _unless_reported(error(_reason(exc), pointer), errors)
    if parsed is None:
        return [*errors, error(f"unsupported type: {block['type']}", f"{pointer}/type")]
    errors += _unknown_keys(block, parsed, pointer)
    try:
        parsed.to_dict()  # validates the block and, recursively, what it holds
    except (SlackObjectFormationError, TypeError, ValueError, AttributeError) as exc:
        errors += _unless_reported(error(_reason(exc), pointer), errors)
    return errors


def _unless_reported(found: str, errors: list[str]) -> list[str]:
    """`[found]`, unless an error with the same reason was already reported more precisely."""
    reason = found.rsplit(" [json-pointer:", 1)[0]
    return [] if any(e.startswith(f"{reason} [") for e in errors) else [found]


def _raw_errors(node: Any, pointer: str) -> Iterator[str]:
    """Rules on the raw JSON that the models accept: text object shapes, field sizes, styles."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _raw_errors(item, f"{pointer}/{i}")
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind in TEXT_OBJECT_KEYS:
        yield from _text_object_errors(node, pointer)
        return
    text_fields = TEXT_FIELDS.get(str(kind), {})
    yield from _text_field_errors(node, text_fields, pointer)
    if kind == "section" and isinstance(node.get("fields"), list):
        for i, field in enumerate(node["fields"]):
            text = field.get("text") if isinstance(field, dict) else None
            if isinstance(text, str) and len(text) > FIELD_TEXT_MAX:
                yield error(
                    f"must be less than {FIELD_TEXT_MAX + 1} characters",
                    f"{pointer}/fields/{i}/text",
                )
    if isinstance(node.get("confirm"), dict):
        yield from _text_field_errors(
            node["confirm"], TEXT_FIELDS["confirm"], f"{pointer}/confirm", required=True
        )
    for key, value in node.items():
        if key != "confirm" and key not in text_fields and isinstance(value, dict | list):
            yield from _raw_errors(value, f"{pointer}/{key}")


def _text_field_errors(
    node: dict[str, Any], fields: dict[str, frozenset[str]], pointer: str, required: bool = False
) -> Iterator[str]:
    for field, allowed in fields.items():
        value = node.get(field)
        where = f"{pointer}/{field}"
        if value is None:
            if required:
                yield error(f"missing required field: {field}", pointer)
            continue
        if not isinstance(value, dict):
            yield error("must be a text object", where)
        elif value.get("type") not in allowed:
            yield error(f"must be a {' or '.join(sorted(allowed))} text object", f"{where}/type")
        else:
            yield from _text_object_errors(value, where)


def _text_object_errors(node: dict[str, Any], pointer: str) -> Iterator[str]:
    for key in sorted(set(node) - TEXT_OBJECT_KEYS[node["type"]]):
        yield error(f"invalid additional property: {key}", pointer)
    text = node.get("text")
    if not isinstance(text, str):
        yield error("missing required field: text", pointer)
    elif not text:
        yield error("must be more than 0 characters", f"{pointer}/text")


def _unknown_keys(raw: dict[str, Any], parsed: JsonObject, pointer: str) -> Iterator[str]:
    """Properties the model does not know, in the block and in the elements it holds."""
    for key in sorted(set(raw) - set(parsed.attributes) - {"type"}):
        yield error(f"invalid additional property: {key}", f"{pointer}/{key}")
    for key in ("accessory", "element"):
        child = getattr(parsed, key, None)
        if isinstance(raw.get(key), dict) and isinstance(child, JsonObject):
            yield from _unknown_keys(raw[key], child, f"{pointer}/{key}")
    items, children = raw.get("elements"), getattr(parsed, "elements", None)
    if not isinstance(items, list) or not isinstance(children, list) or len(items) != len(children):
        return
    for i, (item, child) in enumerate(zip(items, children, strict=True)):
        is_text = isinstance(item, dict) and item.get("type") in TEXT_OBJECT_KEYS  # checked raw
        if isinstance(item, dict) and isinstance(child, JsonObject) and not is_text:
            yield from _unknown_keys(item, child, f"{pointer}/elements/{i}")


def _action_ids(block: dict[str, Any], pointer: str) -> Iterator[tuple[str, str]]:
    """The action_ids of a block's interactive elements, with their pointers."""
    candidates: list[tuple[Any, str]] = []
    for key in ("accessory", "element"):
        candidates.append((block.get(key), f"{pointer}/{key}"))
    if isinstance(block.get("elements"), list):
        candidates += [(e, f"{pointer}/elements/{i}") for i, e in enumerate(block["elements"])]
    for element, where in candidates:
        if isinstance(element, dict) and isinstance(element.get("action_id"), str):
            yield element["action_id"], f"{where}/action_id"


def _reason(exc: BaseException) -> str:
    """A model exception in Slack's words where one maps cleanly."""
    text = str(exc)
    if match := re.search(r"unexpected keyword argument '(\w+)'", text):
        return f"invalid additional property: {match.group(1)}"
    if match := re.search(r"missing \d+ required keyword-only argument[s]?: '(\w+)'", text):
        return f"missing required field: {match.group(1)}"
    if isinstance(exc, KeyError):
        return f"missing required field: {text.strip(chr(39))}"
    return text or type(exc).__name__

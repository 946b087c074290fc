"""What a user enters in a modal, as Slack's client would submit it (`view.state.values`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class SubmissionRefused(ValueError):
    """Slack's client would not submit this: a required input is empty or a length is off."""


TEXT_INPUTS = {"plain_text_input", "email_text_input", "url_text_input", "number_input"}
SINGLE_OPTION = {"static_select", "radio_buttons", "external_select"}
MULTI_OPTION = {"checkboxes", "multi_static_select"}
SELECTED = {
    "users_select": "selected_user",
    "conversations_select": "selected_conversation",
    "channels_select": "selected_channel",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
}


def view_state(blocks: list[dict[str, Any]], values: Mapping[str, Any]) -> dict[str, Any]:
    """`view.state.values` for a submission of `blocks` with the user's `values`.

    `values` maps a block_id to the value of its input element (a string, or a list for
    multi-selects), or to `{action_id: value}`; a dict value is taken as the raw state entry.
    Inputs not given keep their initial value. Raises SubmissionRefused as Slack's client would.
    """
    inputs = {b["block_id"]: b for b in blocks if b.get("type") == "input"}
    unknown = set(values) - set(inputs)
    if unknown:
        raise ValueError(f"no input block {sorted(unknown)} in the view")
    state: dict[str, Any] = {}
    for block_id, block in inputs.items():
        element = block["element"]
        given = values.get(block_id)
        if isinstance(given, Mapping) and element["action_id"] in given:
            given = given[element["action_id"]]
        entry = given if isinstance(given, Mapping) else _entry(element, given)
        _check(block, entry)
        state[block_id] = {element["action_id"]: dict(entry)}
    return state


def _entry(element: Mapping[str, Any], value: Any) -> dict[str, Any]:
    kind = element["type"]
    if kind in TEXT_INPUTS:
        return {"type": kind, "value": value if value is not None else element.get("initial_value")}
    options = element.get("options") or []
    if kind in SINGLE_OPTION:
        chosen = next((o for o in options if o.get("value") == value), None)
        return {"type": kind, "selected_option": chosen or element.get("initial_option")}
    if kind in MULTI_OPTION:
        wanted = set(value or [])
        chosen = [o for o in options if o.get("value") in wanted]
        return {"type": kind, "selected_options": chosen or element.get("initial_options", [])}
    key = SELECTED.get(kind, "value")
    initial = "initial_" + key.removeprefix("selected_")
    return {"type": kind, key: value if value is not None else element.get(initial)}


def _check(block: Mapping[str, Any], entry: Mapping[str, Any]) -> None:
    filled = [v for k, v in entry.items() if k != "type" and v not in (None, "", [])]
    if not filled and not block.get("optional", False):
        raise SubmissionRefused(f"input {block['block_id']!r} is required")
    element, text = block["element"], entry.get("value")
    if element["type"] == "plain_text_input" and isinstance(text, str) and text:
        if len(text) < element.get("min_length", 0):
            raise SubmissionRefused(f"input {block['block_id']!r} is shorter than min_length")
        if len(text) > element.get("max_length", 3000):
            raise SubmissionRefused(f"input {block['block_id']!r} is longer than max_length")

"""The interaction ids: those of the contract, and named through the enums everywhere."""

from __future__ import annotations

import re
from pathlib import Path

from vpctest.bot.interactions import ActionId, CallbackId, InputId

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "docs" / "spec" / "bot.md"
TEMPLATES = ROOT / "vpctest" / "templates"


def test_the_ids_are_those_of_the_spec() -> None:
    """Every id docs/spec/bot.md names is an enum value, spelt as there."""
    spec = SPEC.read_text(encoding="utf-8")
    rows = [
        line for line in spec[spec.index("## Interaction ids") :].splitlines() if line[:1] == "|"
    ]
    named = set(re.findall(r"`([a-z_0-9]+)`", "\n".join(rows)))
    named -= {"action_id", "callback_id", "block_id"}
    assert {"approve", "fix_request", "reason", "step_3"} <= named
    ours = {*ActionId, *CallbackId, *InputId}
    assert named <= ours, named - ours
    assert ActionId.steps() == tuple(ActionId.step(n) for n in range(4))


def test_templates_name_ids_through_the_enums_only() -> None:
    """No template spells an action or callback id: a renamed id cannot leave one behind."""
    literal = re.compile(r'"(action_id|callback_id)":\s*"')
    found = [p.name for p in TEMPLATES.glob("*.j2") if literal.search(p.read_text("utf-8"))]
    assert found == []

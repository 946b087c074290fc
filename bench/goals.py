"""Every goal a benchmark states, marked `met` or `MISSED`; `python -m bench` fails on a miss."""

from __future__ import annotations

MISSED: list[str] = []  # what missed its goal in this process, in order


def mark(what: str, met: bool) -> str:
    """`met`, or `MISSED` (and remember `what` missed)."""
    if not met:
        MISSED.append(what)
    return "met" if met else "MISSED"


def at_most(what: str, value: float, limit: float, text: str) -> str:
    """`(goal ≤ TEXT: met)` for value ≤ limit; `text` says the limit as printed."""
    return f"(goal ≤ {text}: {mark(what, value <= limit)})"


def below(what: str, value: float, limit: float, text: str) -> str:
    """`(goal < TEXT: met)` for value < limit."""
    return f"(goal < {text}: {mark(what, value < limit)})"

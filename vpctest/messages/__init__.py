"""People-facing text as codes: a `Message` names a catalog entry and its parameters, and
`render` turns it into words in one language.

The catalogs are Project Fluent files, `catalog/<lang>/*.ftl`, one per room of the product
(`checks.ftl`, `bot.ftl`, …). English is the reference: every code exists in it, and a
translation may only use the placeholders its English entry uses. Integers are rendered
without digit grouping (ports and counts read `8080`, not `8,080`); a catalog entry that
wants grouping says `NUMBER($n, useGrouping: 1)`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from fluent.runtime import FluentBundle, FluentResource
from fluent.runtime.types import fluent_number

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Message:
    """A catalog code and the values its placeholders take."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return render(self, lang)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}


def languages() -> tuple[str, ...]:
    """The languages that have a catalog, English first."""
    found = sorted(p.name for p in resources.files(__package__).joinpath("catalog").iterdir())
    return (DEFAULT_LANGUAGE, *(lang for lang in found if lang != DEFAULT_LANGUAGE))


@cache
def bundle(lang: str) -> FluentBundle:
    """Every catalog file of `lang`, loaded once."""
    folder = resources.files(__package__).joinpath("catalog", lang)
    fluent = FluentBundle([lang], use_isolating=False)
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".ftl"):
            fluent.add_resource(FluentResource(entry.read_text(encoding="utf-8")))
    return fluent


def _argument(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return fluent_number(value, useGrouping=False)
    if value is None:
        return ""
    return value


def render(message: Message, lang: str = DEFAULT_LANGUAGE) -> str:
    """`message` in `lang`, falling back to English, and to its code if no catalog has it."""
    for language in dict.fromkeys((lang, DEFAULT_LANGUAGE)):
        try:
            fluent = bundle(language)
        except (FileNotFoundError, NotADirectoryError):
            continue
        if not fluent.has_message(message.code):
            continue
        pattern = fluent.get_message(message.code).value
        args = {name: _argument(value) for name, value in message.params.items()}
        text, errors = fluent.format_pattern(pattern, args)
        if errors:
            log.warning("message %s in %s: %s", message.code, language, errors[0])
        return text
    log.warning("message code %s is in no catalog", message.code)
    return message.code


def one_line(text: str, limit: int | None = None) -> str:
    """`text` on one line (cloud error messages may hold newlines), cut to `limit` characters."""
    flat = " ".join(text.split())
    return flat if limit is None else flat[:limit]


def t(code: str, lang: str = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    """Shorthand: `t("gateway-acl-off", gateway="apigw-1")`."""
    return render(Message(code, params), lang)

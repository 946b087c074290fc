"""A strict reader for world-file mappings: every problem names its path and what to change."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from typing import Any

_MISSING = object()


class WorldError(ValueError):
    """A world that cannot be served. The message is one line that names what to change."""


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(
        type(value), "a list" if isinstance(value, list) else "a mapping"
    )


class Node:
    """One mapping of the world file at `path`, checked against the keys it may hold."""

    def __init__(
        self,
        raw: Any,
        path: str,
        keys: Sequence[str],
        required: Sequence[str] = (),
        source: str = "<world>",
    ) -> None:
        self.path, self.source = path, source
        if not isinstance(raw, dict):
            self.fail(path, f"expected a mapping with keys {', '.join(keys)}, got {_kind(raw)}")
        for key in raw:
            if key not in keys:
                self.fail(join(path, str(key)), f"unknown key (expected one of: {', '.join(keys)})")
        for key in required:
            if raw.get(key) is None:
                self.fail(join(path, key), "missing: this key is required")
        self.raw: dict[str, Any] = raw

    def fail(self, path: str, problem: str) -> None:
        raise WorldError(f"{self.source}: {path or '<top>'}: {problem}")

    def at(self, key: str) -> str:
        return join(self.path, key)

    def child(self, raw: Any, path: str, keys: Sequence[str], required: Sequence[str] = ()) -> Node:
        return Node(raw, path, keys, required, self.source)

    def get(self, key: str, default: Any = _MISSING) -> Any:
        value = self.raw.get(key)
        if value is None:
            if default is _MISSING:
                self.fail(self.at(key), "missing: this key is required")
            return default
        return value

    def str(self, key: str, default: Any = _MISSING, choices: Sequence[str] | None = None) -> str:
        """A string; `choices` are matched case-insensitively and returned as spelled there."""
        value = self.get(key, default)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, bool) and choices and {"on", "off"} <= set(choices):
            value = "on" if value else "off"  # YAML 1.1 reads a bare on/off as a boolean
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.fail(self.at(key), f"expected a non-empty string, got {_kind(value)}")
        if choices is not None:
            for choice in choices:
                if value.lower() == choice.lower():
                    return choice
            self.fail(self.at(key), f"{value!r} is not one of: {', '.join(choices)}")
        return value.strip()

    def int(self, key: str, default: Any = _MISSING, lo: int | None = None, hi: int | None = None):
        value = self.get(key, default)
        if value is default and default is not _MISSING:
            return value
        return check_int(self, self.at(key), value, lo, hi)

    def bool(self, key: str, default: bool) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            self.fail(self.at(key), f"expected true or false, got {_kind(value)}")
        return value

    def items(self, key: str, required: bool = False) -> Iterator[tuple[Any, str]]:
        """The elements of a list (empty when absent), each with its path."""
        value = self.get(key, _MISSING if required else [])
        if not isinstance(value, list):
            self.fail(self.at(key), f"expected a list, got {_kind(value)}")
        for i, item in enumerate(value):
            yield item, f"{self.at(key)}[{i}]"


def check_int(node: Node, path: str, value: Any, lo: int | None, hi: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        node.fail(path, f"expected a whole number, got {_kind(value)}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        node.fail(path, f"{value} is out of range {lo}..{hi}")
    return value


def check_str(node: Node, path: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        node.fail(path, f"expected a non-empty string, got {_kind(value)}")
    return value.strip()


def check_ip(node: Node, path: str, value: Any) -> str:
    text = check_str(node, path, value)
    try:
        return str(ipaddress.IPv4Address(text))
    except ValueError:
        node.fail(path, f"{text!r} is not an IPv4 address")
    raise AssertionError  # unreachable: fail() raises


def check_cidr(node: Node, path: str, value: Any, max_addresses: int | None = None) -> str:
    """A CIDR block (a bare IP means /32), with no host bits set."""
    text = check_str(node, path, value)
    try:
        network = ipaddress.IPv4Network(text, strict=False)
    except ValueError:
        node.fail(path, f"{text!r} is not an IPv4 CIDR block such as 10.0.0.0/8")
    if "/" in text and str(network) != text:
        node.fail(path, f"{text!r} has host bits set: write {network}")
    if max_addresses is not None and network.num_addresses > max_addresses:
        node.fail(
            path,
            f"{text} holds {network.num_addresses} addresses; egress ranges are /24 to /26 "
            f"(at most {max_addresses} addresses here)",
        )
    return text

"""Request parameters (query string and form body, flattened as the SDK sends them) and paging."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from vpctest.emulator.errors import ApiError, invalid_parameter, missing_parameter

T = TypeVar("T")


class Params:
    """Typed access to flat RPC parameters; problems raise MissingParameter/InvalidParameter."""

    def __init__(self, raw: Mapping[str, str]) -> None:
        self.raw = dict(raw)

    def __contains__(self, name: str) -> bool:
        return name in self.raw

    def str(self, name: str, *, required: bool = False, default: Any = None) -> Any:
        value = self.raw.get(name)
        if value is None or value == "":
            if required:
                raise missing_parameter(name)
            return default
        return value

    def choice(
        self,
        name: str,
        choices: Sequence[str],
        *,
        default: Any = None,
        code: str = "InvalidParameter",
    ) -> Any:
        """One of `choices`, matched case-insensitively and returned as spelled there."""
        value = self.str(name, default=None)
        if value is None:
            return default
        for choice in choices:
            if value.lower() == choice.lower():
                return choice
        raise invalid_parameter(name, f"Valid values: {', '.join(choices)}.", code)

    def int(
        self,
        name: str,
        *,
        required: bool = False,
        default: Any = None,
        lo: int | None = None,
        hi: int | None = None,
    ) -> Any:
        value = self.str(name, required=required)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise invalid_parameter(name, "Expected an integer.") from None
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            raise invalid_parameter(name, f"Expected a value from {lo} to {hi}.")
        return number

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.str(name)
        if value is None:
            return default
        if value.lower() not in ("true", "false"):
            raise invalid_parameter(name, "Expected true or false.")
        return value.lower() == "true"

    def json_list(self, name: str, *, max_items: int | None = None) -> list[Any] | None:
        """A JSON array sent as one string, e.g. InstanceIds='["i-1","i-2"]'."""
        value = self.str(name)
        if value is None:
            return None
        try:
            items = json.loads(value)
        except json.JSONDecodeError:
            raise invalid_parameter(name, "Expected a JSON array.") from None
        if not isinstance(items, list):
            raise invalid_parameter(name, "Expected a JSON array.")
        if max_items is not None and len(items) > max_items:
            raise invalid_parameter(name, f"At most {max_items} items are allowed.")
        return items

    def repeated(self, name: str) -> list[str]:
        """`Name.1`, `Name.2`, … in index order."""
        pattern = re.compile(rf"^{re.escape(name)}\.(\d+)$")
        found = sorted(
            (int(m.group(1)), v) for k, v in self.raw.items() if (m := pattern.match(k)) and v
        )
        return [v for _, v in found]

    def repeated_objects(self, name: str) -> list[dict[str, str]]:
        """`Name.1.Field=…` groups as one dict per index, in index order."""
        pattern = re.compile(rf"^{re.escape(name)}\.(\d+)\.(\w+)$")
        groups: dict[int, dict[str, str]] = {}
        for key, value in self.raw.items():
            if m := pattern.match(key):
                groups.setdefault(int(m.group(1)), {})[m.group(2)] = value
        return [groups[i] for i in sorted(groups)]


# --- paging --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    items: list[Any]
    fields: dict[str, Any]  # PageNumber/PageSize/TotalCount or NextToken/MaxResults/TotalCount


def page_numbers(
    params: Params,
    items: Sequence[T],
    *,
    default_size: int = 10,
    max_size: int = 100,
    clamp: bool = False,
    number_key: str = "PageNumber",
    size_key: str = "PageSize",
) -> Page:
    """PageNumber/PageSize paging; `clamp` brings an out-of-range PageSize into range instead."""
    number = params.int(number_key, default=1, lo=1)
    if clamp:
        size = min(max(params.int(size_key, default=default_size), 1), max_size)
    else:
        size = params.int(size_key, default=default_size, lo=1, hi=max_size)
    start = (number - 1) * size
    return Page(
        list(items[start : start + size]),
        {number_key: number, size_key: size, "TotalCount": len(items)},
    )


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"emulator:{offset}".encode()).decode()


def _decode_token(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        prefix, _, offset = text.partition(":")
        if prefix != "emulator" or not offset.isdigit():
            raise ValueError
        return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(
            400, "InvalidParameter.NextToken", 'The specified parameter "NextToken" is not valid.'
        ) from None


def token_page(
    params: Params,
    items: Sequence[T],
    *,
    default_size: int,
    max_size: int,
    min_size: int = 1,
    clamp: bool = False,
) -> Page:
    """NextToken/MaxResults paging; NextToken is present only when more items follow.

    `clamp` brings an out-of-range MaxResults into range (as ECS DescribeInstances and
    DescribeNetworkInterfaces do) instead of refusing it."""
    if clamp:
        size = min(max(params.int("MaxResults", default=default_size), min_size), max_size)
    else:
        size = params.int("MaxResults", default=default_size, lo=min_size, hi=max_size)
    token = params.str("NextToken")
    start = _decode_token(token) if token else 0
    chunk = list(items[start : start + size])
    fields: dict[str, Any] = {"MaxResults": size, "TotalCount": len(items)}
    if start + size < len(items):
        fields["NextToken"] = _encode_token(start + size)
    return Page(chunk, fields)


def paginate(
    params: Params,
    items: Sequence[T],
    *,
    default_size: int = 10,
    max_size: int = 100,
    token_default: int | None = None,
    token_max: int | None = None,
    token_min: int = 1,
    clamp: bool = False,
) -> Page:
    """NextToken/MaxResults paging when asked for (and the API has it), else page numbers."""
    if token_max is not None and ("NextToken" in params or "MaxResults" in params):
        return token_page(
            params,
            items,
            default_size=token_default or default_size,
            max_size=token_max,
            min_size=token_min,
            clamp=clamp,
        )
    return page_numbers(params, items, default_size=default_size, max_size=max_size, clamp=clamp)

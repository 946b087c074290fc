"""Fix request ids: short enough to read aloud, and to carry in a button's value."""

from __future__ import annotations

import secrets

PREFIX = "FR-"
# Crockford's base32: no I, L, O or U, so an id read off a screen is typed back right.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 6  # 32**6 ≈ 10**9 ids; a collision is retried at insert


def new_request_id() -> str:
    """A fresh random id such as FR-7Q2K9M."""
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_request_id(text: str) -> str:
    """`text` as stored: users type ids in lower case and with stray spaces."""
    return text.strip().upper()

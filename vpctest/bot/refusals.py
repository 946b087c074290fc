"""Why a request is not carried out: typed, so the listener layer tells the user one way
(bot/listeners/refuse.py), never with a stack trace."""

from __future__ import annotations


class Refused(Exception):
    """What the user asked is not done; `reason` is shown to them alone."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotAllowed(Refused):
    """This user may not do this, here."""


class BadRef(Refused):
    """A button value or modal metadata this bot did not make, cut short, or naming
    something that is gone."""

"""Persistence for fix requests and the audit log (SQLite by default, or PostgreSQL).

`Store.open(DATABASE_URL)` migrates the schema to head and returns the one object the
bot needs; every state change goes through its methods.
"""

from vpctest.bot.store.db import DatabaseUrlError, make_engine, parse_database_url, upgrade
from vpctest.bot.store.ids import new_request_id, normalize_request_id
from vpctest.bot.store.models import SYSTEM_ACTOR, Action, AuditEntry, FixRequest, State
from vpctest.bot.store.results import Done, Outcome, Refusal, Refused
from vpctest.bot.store.service import DEFAULT_TTL, Store

__all__ = [
    "DEFAULT_TTL",
    "SYSTEM_ACTOR",
    "Action",
    "AuditEntry",
    "DatabaseUrlError",
    "Done",
    "FixRequest",
    "Outcome",
    "Refusal",
    "Refused",
    "State",
    "Store",
    "make_engine",
    "new_request_id",
    "normalize_request_id",
    "parse_database_url",
    "upgrade",
]

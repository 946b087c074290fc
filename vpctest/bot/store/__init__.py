"""Persistence for fix requests and the audit log (SQLite by default, or PostgreSQL).

`Database.open(DATABASE_URL)` migrates the schema to head and is the bot's one database;
`Store(database)` is the fix requests on it, and every state change goes through its
methods. The digests and the delivery dedupe table share the same `Database`.
"""

from vpctest.bot.store.db import (
    Database,
    DatabaseUrlError,
    RetryPolicy,
    is_transient,
    make_engine,
    parse_database_url,
    upgrade,
)
from vpctest.bot.store.ids import new_request_id, normalize_request_id
from vpctest.bot.store.models import SYSTEM_ACTOR, Action, AuditEntry, FixRequest, State
from vpctest.bot.store.results import Done, Outcome, Refusal, Refused
from vpctest.bot.store.service import DEFAULT_TTL, Store

__all__ = [
    "DEFAULT_TTL",
    "SYSTEM_ACTOR",
    "Action",
    "AuditEntry",
    "Database",
    "DatabaseUrlError",
    "Done",
    "FixRequest",
    "Outcome",
    "Refusal",
    "Refused",
    "RetryPolicy",
    "State",
    "Store",
    "is_transient",
    "make_engine",
    "new_request_id",
    "normalize_request_id",
    "parse_database_url",
    "upgrade",
]

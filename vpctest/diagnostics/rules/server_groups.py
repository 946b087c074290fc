"""Which of a listener's backends receive its traffic (docs/spec/world.md rules 6–8), no I/O.

A listener forwards to its vServer group, else its primary/secondary group, else the CLB's
default group. Weight 0 receives nothing (though it is health-checked). With the health check
on, only `normal` backends receive traffic; a primary/secondary group serves from its Master
while the Master is `normal`, else from its Slave. With the health check off every backend
reports `unavailable` and the CLB forwards to every backend of weight > 0, a
primary/secondary pair included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from vpctest.diagnostics.facts import BackendHealth, BackendServer, Listener, ServerGroup

MASTER, SLAVE = "Master", "Slave"


@dataclass(frozen=True)
class Member:
    """One backend of the listener's group, as the listener sees it."""

    server: BackendServer
    port: int  # the port traffic reaches it on
    health: str  # normal | abnormal | unavailable | "" (not reported)
    receives_traffic: bool

    @property
    def server_id(self) -> str:
        return self.server.server_id

    @property
    def label(self) -> str:
        """`i-web-1:8080`, as people and the evidence name a backend."""
        return f"{self.server.server_id}:{self.port}"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "server_id": self.server.server_id,
            "type": self.server.server_type,
            "port": self.port,
            "weight": self.server.weight,
            "health": self.health or "unknown",
            "receives_traffic": self.receives_traffic,
        }
        if self.server.role:
            data["role"] = self.server.role
        if self.server.server_ip:
            data["ip"] = self.server.server_ip
        return data


def backend_port(server: BackendServer, listener: Listener) -> int:
    """A vServer or primary/secondary backend has its own port; the default group's use
    the listener's backend port."""
    return server.port or listener.backend_port or listener.port


def health_check_off(listener: Listener, health: Sequence[BackendHealth]) -> bool:
    """The listener checks no health: its backends all report `unavailable`."""
    if listener.health_check == "off":
        return True
    return bool(health) and all(h.status == "unavailable" for h in health)


def _health_of(server: BackendServer, port: int, health: Sequence[BackendHealth]) -> str:
    rows = [h for h in health if h.server_id == server.server_id]
    exact = next((h for h in rows if h.port == port), None)
    loose = next((h for h in rows if not h.port), None)
    row = exact or loose
    return row.status if row else ""


def members(
    group: ServerGroup, listener: Listener, health: Sequence[BackendHealth]
) -> list[Member]:
    """Every backend of the group, each marked whether it receives the listener's traffic."""
    unchecked = health_check_off(listener, health)
    placed = [
        (server, port, _health_of(server, port, health))
        for server in _servers(group, health)
        for port in (backend_port(server, listener),)
    ]
    serving = [(s, p, h) for s, p, h in placed if s.weight > 0 and (unchecked or h == "normal")]
    if group.kind == "primary_secondary" and not unchecked:
        serving = _in_service(serving)
    chosen = {(s.server_id, p) for s, p, _ in serving}
    return [Member(s, p, h, (s.server_id, p) in chosen) for s, p, h in placed]


def _servers(group: ServerGroup, health: Sequence[BackendHealth]) -> tuple[BackendServer, ...]:
    """The group's servers. The default group is the CLB's, but a listener's own health rows
    say which of them serve it, on which port (none: it has no backends)."""
    if group.kind != "default":
        return group.backends
    known = {s.server_id: s for s in group.backends}
    rows = dict.fromkeys((h.server_id, h.port) for h in health)
    return tuple(
        replace(known.get(server_id) or BackendServer(server_id, 0), port=port)
        for server_id, port in rows
    )


def _in_service(
    candidates: list[tuple[BackendServer, int, str]],
) -> list[tuple[BackendServer, int, str]]:
    """The Master while it is normal, else the Slave. (With the health check off the CLB
    forwards to both, as to any group: rule 8.)"""
    for role in (MASTER, SLAVE):
        found = [c for c in candidates if c[0].role == role]
        if found:
            return found[:1]
    return []


def receiving(
    group: ServerGroup, listener: Listener, health: Sequence[BackendHealth]
) -> list[Member]:
    return [m for m in members(group, listener, health) if m.receives_traffic]

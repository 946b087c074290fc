"""What changed between two diagnoses of one authorization, in words.

A watch (the bot's `/vpc-test watch`, the CLI's `vpc-test watch --once`) keeps each
authorization's last report in its JSON form (docs/spec/diagnosis.md) and compares the next
one with it. It speaks only when the verdict or a root cause changed (`Shift`), and then
says what changed underneath: the security-group rule that stopped admitting the egress
range, the listener that stopped, the backend whose health check failed, the field of the
authorization that was edited. Each change is a `Message` (catalog/en/changes.ftl).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from vpctest.messages import Message

Json = Mapping[str, Any]
SKIPPED, UNKNOWN = "skipped", "unknown"


@dataclass(frozen=True)
class Change:
    """One thing that is different now, and the check whose evidence shows it."""

    check_id: str
    message: Message

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check_id, **self.message.to_json(), "text": self.message.render()}


@dataclass(frozen=True)
class Shift:
    """An authorization whose verdict or root causes changed, and what changed under them."""

    verdict_before: str
    verdict_after: str
    causes_before: tuple[str, ...]
    causes_after: tuple[str, ...]
    changes: tuple[Change, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": {"before": self.verdict_before, "after": self.verdict_after},
            "root_causes": {"before": list(self.causes_before), "after": list(self.causes_after)},
            "changes": [c.to_json() for c in self.changes],
        }


def compare(before: Json, after: Json) -> Shift | None:
    """The shift from report `before` to report `after` (both `Report.to_json()` forms), or
    None when the verdict and the root causes are the same."""
    causes_before = tuple(before.get("root_causes") or ())
    causes_after = tuple(after.get("root_causes") or ())
    if before.get("verdict") == after.get("verdict") and causes_before == causes_after:
        return None
    return Shift(
        str(before.get("verdict")),
        str(after.get("verdict")),
        causes_before,
        causes_after,
        tuple(changes(before, after)),
    )


def changes(before: Json, after: Json) -> Iterator[Change]:
    """Every difference a person would want named, check by check, in the report's order;
    a check whose status changed with nothing more specific to say is named with its new
    summary. A check skipped before or after says nothing: the check that made it moot
    names the change. One that could not judge (unknown) says so, with its reason."""
    old = {c["id"]: c for c in before.get("checks") or ()}
    for check in after.get("checks") or ():
        was = old.get(check["id"])
        if was is None or SKIPPED in (was.get("status"), check.get("status")):
            continue
        if UNKNOWN in (was.get("status"), check.get("status")):
            if was.get("status") != check.get("status"):
                yield _status(was, check)
            continue
        said = list(_DESCRIBERS.get(check["id"], _fields)(was, check))
        if not said and was.get("status") != check.get("status"):
            said = [_status(was, check)]
        yield from said


def _status(was: Json, now: Json) -> Change:
    return Change(
        now["id"],
        Message(
            "change-check-status",
            {
                "check": now["id"],
                "was": str(was.get("status")),
                "now": str(now.get("status")),
                "summary": str(now.get("summary") or ""),
            },
        ),
    )


def _evidence(check: Json) -> Json:
    evidence = check.get("evidence")
    return evidence if isinstance(evidence, Mapping) else {}


# Security groups: the rules that decide the egress range


def _rule_key(rule: Json) -> tuple[Any, ...]:
    return (rule.get("security_group_id"), rule.get("rule_id") or rule.get("source"))


def _deciding(evidence: Json) -> dict[tuple[Any, ...], tuple[Json, list[str], bool]]:
    """Each deciding rule: the rule, the addresses it decides, whether it admits them."""
    egress = evidence.get("egress") if isinstance(evidence.get("egress"), Mapping) else {}
    found: dict[tuple[Any, ...], tuple[Json, list[str], bool]] = {}
    for segment in egress.get("segments") or ():
        rule = segment.get("rule")
        if isinstance(rule, Mapping):
            _, cidrs, _ = found.setdefault(_rule_key(rule), (rule, [], bool(segment["admitted"])))
            cidrs.extend(segment.get("cidrs") or ())
    return found


def _rule_params(rule: Json, cidrs: list[str]) -> dict[str, Any]:
    return {
        "group": str(rule.get("security_group_id") or ""),
        "policy": str(rule.get("policy") or ""),
        "protocol": str(rule.get("protocol") or ""),
        "ports": str(rule.get("port_range") or ""),
        "source": str(rule.get("source") or ""),
        "priority": rule.get("priority"),
        "cidrs": ", ".join(cidrs),
    }


def _security_group(was: Json, now: Json) -> Iterator[Change]:
    yield from _admission(now["id"], _evidence(was), _evidence(now))


def _backend_security_groups(was: Json, now: Json) -> Iterator[Change]:
    """Each backend's groups, judged apart (evidence.backends: label → its admission)."""
    before = _evidence(was).get("backends")
    after = _evidence(now).get("backends")
    before = before if isinstance(before, Mapping) else {}
    after = after if isinstance(after, Mapping) else {}
    for label in [*after, *(b for b in before if b not in after)]:
        old, new = before.get(label), after.get(label)
        yield from _admission(
            now["id"],
            old if isinstance(old, Mapping) else {},
            new if isinstance(new, Mapping) else {},
        )


def _admission(check: str, before_evidence: Json, after_evidence: Json) -> Iterator[Change]:
    """The rules that decide the egress range, before and after."""
    before, after = _deciding(before_evidence), _deciding(after_evidence)
    for key, (rule, cidrs, admitted) in before.items():
        if key in after:
            continue
        code = "change-rule-gone" if admitted else "change-rule-no-longer-drops"
        yield Change(check, Message(code, _rule_params(rule, cidrs)))
    for key, (rule, cidrs, admitted) in after.items():
        if key in before and before[key][2] == admitted:
            continue
        code = "change-rule-admits" if admitted else "change-rule-drops"
        yield Change(check, Message(code, _rule_params(rule, cidrs)))
    groups_before = before_evidence.get("security_groups") or []
    groups_after = after_evidence.get("security_groups") or []
    if groups_before != groups_after:
        yield Change(
            check,
            Message(
                "change-security-groups",
                {"was": ", ".join(groups_before) or "-", "now": ", ".join(groups_after) or "-"},
            ),
        )


# CLB: the listener, its access control, its backends


def _listener(was: Json, now: Json) -> Iterator[Change]:
    before, after = _evidence(was), _evidence(now)
    clb = str(after.get("clb_id") or before.get("clb_id") or "")
    listener = str(after.get("listener") or before.get("listener") or "")
    for field, code in (("clb_status", "change-clb-status"), ("listener_status", None)):
        if before.get(field) == after.get(field):
            continue
        params = {"clb": clb, "listener": listener, "was": str(before.get(field) or "-")}
        params["now"] = str(after.get(field) or "-")
        yield Change(now["id"], Message(code or "change-listener-status", params))


def _acl(was: Json, now: Json) -> Iterator[Change]:
    check = now["id"]
    before, after = _evidence(was), _evidence(now)
    for field in ("acl_id", "acl_type"):
        if before.get(field) != after.get(field):
            yield Change(
                check,
                Message(
                    "change-acl-setting",
                    {
                        "field": field,
                        "was": str(before.get(field) or "-"),
                        "now": str(after.get(field) or "-"),
                    },
                ),
            )
    denied_before = set(_egress(before).get("denied") or ())
    denied_after = set(_egress(after).get("denied") or ())
    acl = str(after.get("acl_id") or before.get("acl_id") or "")
    if denied_after - denied_before:
        params = {"acl": acl, "cidrs": ", ".join(sorted(denied_after - denied_before))}
        yield Change(check, Message("change-acl-denies", params))
    if denied_before - denied_after:
        params = {"acl": acl, "cidrs": ", ".join(sorted(denied_before - denied_after))}
        yield Change(check, Message("change-acl-admits", params))


def _egress(evidence: Json) -> Json:
    egress = evidence.get("egress")
    return egress if isinstance(egress, Mapping) else {}


def _backends(evidence: Json) -> dict[tuple[Any, ...], Json]:
    """Each backend of clb.health's evidence by (group, server, port)."""
    group = evidence.get("server_group")
    group_id = group.get("id") if isinstance(group, Mapping) else None
    found: dict[tuple[Any, ...], Json] = {}
    for backend in evidence.get("backends") or ():
        if isinstance(backend, Mapping):
            key = (group_id, backend.get("server_id"), backend.get("port"))
            found[key] = {**backend, "group": group_id or ""}
    return found


def _health(was: Json, now: Json) -> Iterator[Change]:
    check = now["id"]
    before, after = _backends(_evidence(was)), _backends(_evidence(now))

    def params(backend: Json) -> dict[str, Any]:
        return {
            "server": str(backend.get("server_id") or ""),
            "port": backend.get("port"),
            "group": str(backend.get("group") or ""),
        }

    for key, backend in after.items():
        old = before.get(key)
        if old is None:
            yield Change(check, Message("change-backend-added", params(backend)))
        elif old.get("health") != backend.get("health"):
            health = {"was": str(old.get("health")), "now": str(backend.get("health"))}
            yield Change(check, Message("change-backend-health", params(backend) | health))
    for key, backend in before.items():
        if key not in after:
            yield Change(check, Message("change-backend-removed", params(backend)))


# ECS and the connectivity test


def _instance(was: Json, now: Json) -> Iterator[Change]:
    before, after = _evidence(was), _evidence(now)
    instance = str(after.get("instance_id") or before.get("instance_id") or "")
    for field in ("status", "health"):
        old, new = before.get(field), after.get(field)
        if old != new and (field == "status" or None not in (old, new)):
            params = {"instance": instance, "field": field}
            params |= {"was": _shown(before.get(field)), "now": _shown(after.get(field))}
            yield Change(now["id"], Message(f"change-instance-{field}", params))


def _connectivity(was: Json, now: Json) -> Iterator[Change]:
    connected = _evidence(now).get("connected")
    if _evidence(was).get("connected") != connected and isinstance(connected, bool):
        yield Change(now["id"], Message("change-connectivity", {"connected": connected}))


# Everything else: the evidence's plain fields


def _fields(was: Json, now: Json) -> Iterator[Change]:
    """A scalar field of the evidence that holds another value now (a port, a VPC, an
    instance's status or health)."""
    before, after = _evidence(was), _evidence(now)
    for field in [*after, *(f for f in before if f not in after)]:
        old, new = before.get(field), after.get(field)
        if old == new or not _scalar(old) or not _scalar(new):
            continue
        params = {"check": now["id"], "field": field, "was": _shown(old), "now": _shown(new)}
        yield Change(now["id"], Message("change-field", params))


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


_DESCRIBERS: dict[str, Callable[[Json, Json], Iterator[Change]]] = {
    "connectivity": _connectivity,
    "ecs.status": _instance,
    "ecs.security_group": _security_group,
    "clb.backend_security_group": _backend_security_groups,
    "clb.listener": _listener,
    "clb.acl": _acl,
    "clb.health": _health,
}

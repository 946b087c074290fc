"""A check's evidence as readable rows, no markup, no I/O: the CLI, the Slack step modal
and the digest all show these.

`evidence_lines(check)` turns the evidence shapes of diagnostics/checks into lines such as

    vServer group rsp-shop (shop-v2)
    i-web-1:8080  weight 100  normal  receives traffic
    ✓ 100.104.13.0/26 admitted by sg-web: accept TCP 8080/8080 from 100.104.13.0/26 at priority 1

A nested row starts with two spaces per level (`INDENT`); callers indent or re-mark them.
Long lists are clipped to `limit` items with "… and N more". An evidence shape it does not
know becomes `key: value` rows, never JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from vpctest.diagnostics.report import CheckResult

INDENT = "  "
LIMIT = 10  # items shown of one list (backends, segments, entries)
VALUE_LIMIT = 200  # a probe's output, a free-text value

HEALTH_WORDS = {
    "normal": "normal",
    "abnormal": "abnormal",
    "unavailable": "health not checked",
    "unknown": "health not reported",
    "": "health not reported",
}
GROUP_KINDS = {"vserver": "vServer group", "primary_secondary": "primary/secondary group"}
ROLE_WORDS = {"Master": "primary (Master)", "Slave": "secondary (Slave)"}


def evidence_lines(check: CheckResult, limit: int = LIMIT) -> list[str]:
    """The check's evidence as rows; [] when it has none."""
    evidence = check.evidence
    if not isinstance(evidence, Mapping) or not evidence:
        return []
    render = _RENDERERS.get(check.id)
    if render is not None:
        try:
            return render(evidence, limit)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # an evidence shape this does not know: key: value rows
    return _generic(evidence, limit)


# --- the pieces ----------------------------------------------------------------------------------


def _clipped(items: Sequence[Any], limit: int, row: Callable[[Any], list[str]]) -> list[str]:
    """Rows for the first `limit` items, then "… and N more"."""
    lines = [line for item in items[:limit] for line in row(item)]
    if len(items) > limit:
        lines.append(f"… and {len(items) - limit} more")
    return lines


def _nested(lines: list[str]) -> list[str]:
    return [INDENT + line for line in lines]


def _text(value: Any, limit: int = VALUE_LIMIT) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def group_title(group: Mapping[str, Any]) -> str:
    """`vServer group rsp-1 (orders-v2)`, `the default server group of lb-shop`."""
    kind, group_id, name = group.get("type", ""), group.get("id", ""), group.get("name", "")
    named = f" ({name})" if name and name != group_id else ""
    if kind in GROUP_KINDS:
        return f"{GROUP_KINDS[kind]} {group_id}{named}"
    return f"the default server group of {group_id}"


def rule_text(rule: Mapping[str, Any]) -> str:
    """`sg-web: accept TCP 8080/8080 from 100.104.13.0/26 at priority 1`, as SgRule.describe."""
    ports = str(rule.get("port_range", ""))
    if ":" in ports:  # a port list: `prl-web: 8080/8080, 9000/9100`
        ports = f"({ports})"
    text = (
        f"{rule.get('security_group_id', '?')}: {rule.get('policy', '?')} "
        f"{rule.get('protocol', '?')} {ports} from {rule.get('source', '?')} "
        f"at priority {rule.get('priority', '?')}"
    )
    if rule.get("rule_id"):
        text += f" [{rule['rule_id']}]"
    if rule.get("description"):
        text += f" “{_text(rule['description'], 60)}”"
    return text


def segment_lines(ingress: Mapping[str, Any], limit: int = LIMIT) -> list[str]:
    """Each group of addresses and what decides it, in evaluation order."""

    def row(segment: Mapping[str, Any]) -> list[str]:
        cidrs = ", ".join(segment.get("cidrs") or ()) or "no address"
        rule = segment.get("rule")
        if rule is None:
            return [f"✗ {cidrs} matched by no rule"]
        if segment.get("admitted"):
            return [f"✓ {cidrs} admitted by {rule_text(rule)}"]
        line = f"✗ {cidrs} dropped by {rule_text(rule)}"
        if segment.get("overridden"):
            line += f", overriding {rule_text(segment['overridden'])}"
        return [line]

    segments = list(ingress.get("segments") or ())
    if not segments:
        return ["no source addresses to check"]
    return _clipped(segments, limit, row)


def _ingress(evidence: Mapping[str, Any], limit: int, subject: str = "") -> list[str]:
    """Security groups, port, and the segments for today's egress and the new one."""
    groups = ", ".join(evidence.get("security_groups") or ()) or "none"
    today = evidence["egress"]
    head = f"security groups {groups}"
    if not subject:
        head += f" · {today.get('protocol', 'TCP')} port {evidence['port']}"
    lines = [f"{subject} — {head}" if subject else head, *_nested(segment_lines(today, limit))]
    if evidence.get("new_egress"):
        later = evidence["new_egress"]
        lines.append(f"{INDENT}the gateway's new egress {', '.join(later.get('sources') or ())}:")
        lines += _nested(_nested(segment_lines(later, limit)))
    return lines


def backend_row(backend: Mapping[str, Any]) -> str:
    """`i-web-1:8080  weight 100  normal  receives traffic`; an ENI says so."""
    label = f"{backend['server_id']}:{backend['port']}"
    if backend.get("type") == "eni":
        label += " (ENI)"
    parts = [label]
    if backend.get("ip"):
        parts.append(str(backend["ip"]))
    if backend.get("role"):
        parts.append(ROLE_WORDS.get(backend["role"], backend["role"]))
    weight = backend.get("weight", 0)
    parts.append(f"weight {weight}")
    health = backend.get("health", "")
    parts.append(HEALTH_WORDS.get(health, str(health)))
    if backend.get("receives_traffic"):
        parts.append("receives traffic")
    elif weight <= 0:
        parts.append("— weight 0, no traffic")
    elif backend.get("role") == "Slave" and health == "normal":
        parts.append("— standby, no traffic")
    else:
        parts.append("— no traffic")
    return "  ".join(parts)


# --- one renderer per check ----------------------------------------------------------------


def _security_group(evidence: Mapping[str, Any], limit: int) -> list[str]:
    lines = _ingress(evidence, limit)
    if evidence.get("network_interface"):
        lines.insert(0, f"network interface {evidence['network_interface']} (its own groups)")
    return lines


def _backend_security_group(evidence: Mapping[str, Any], limit: int) -> list[str]:
    lines = [group_title(evidence["server_group"])] if evidence.get("server_group") else []
    backends = list((evidence.get("backends") or {}).items())
    if not backends:
        return lines

    def row(item: tuple[str, Mapping[str, Any]]) -> list[str]:
        label, judged = item
        return _ingress(judged, limit, label)

    return lines + _clipped(backends, limit, row)


def _health(evidence: Mapping[str, Any], limit: int) -> list[str]:
    lines = [group_title(evidence["server_group"])]
    backends = list(evidence.get("backends") or ())
    if not backends:
        return [*lines, "no backend servers"]
    return lines + _clipped(backends, limit, lambda b: [backend_row(b)])


def _acl_entry(entry: Mapping[str, Any]) -> str:
    comment = entry.get("comment")
    return f"{entry.get('cidr', '?')} ({_text(comment, 60)})" if comment else entry.get("cidr", "?")


def _acl_result(result: Mapping[str, Any], limit: int) -> list[str]:
    kind = result.get("acl_type", "")
    entries = list(result.get("deciding_entries") or ())
    admitted = ", ".join(result.get("admitted") or ())
    denied = ", ".join(result.get("denied") or ())
    if kind == "white":
        if not result.get("entry_count"):
            return ["no entries, so it admits every address"]
        lines = _clipped(entries, limit, lambda e: [f"✓ entry {_acl_entry(e)} admits"])
        if denied:
            lines.append(f"✗ {denied} covered by no entry")
        return lines
    lines = _clipped(entries, limit, lambda e: [f"✗ entry {_acl_entry(e)} blocks"])
    if admitted:
        lines.append(f"✓ {admitted} covered by no entry, so admitted")
    return lines


def _acl(evidence: Mapping[str, Any], limit: int) -> list[str]:
    today = evidence["egress"]
    kind = {"white": "whitelist", "black": "blacklist"}.get(evidence.get("acl_type", ""), "list")
    count = today.get("entry_count", 0)
    entries = f"{count} entry" if count == 1 else f"{count} entries"
    return [f"{kind} {evidence.get('acl_id', '')} ({entries})", *_acl_result(today, limit)]


def _nothing(evidence: Mapping[str, Any], limit: int) -> list[str]:
    """The summary already says all there is."""
    return []


def _probe(evidence: Mapping[str, Any], limit: int) -> list[str]:
    line = f"Cloud Assistant probe from {evidence['from']} to {evidence['to']}"
    output = _text(evidence.get("output") or "")
    return [line, f"output: {output}"] if output else [line]


def _ecs_status(evidence: Mapping[str, Any], limit: int) -> list[str]:
    health = evidence.get("health")
    status = f"{evidence['instance_id']} is {evidence['status']}"
    return [f"{status}, health {health}" if health else status]


def _listener(evidence: Mapping[str, Any], limit: int) -> list[str]:
    return [
        f"{evidence['clb_id']} is {evidence['clb_status']}; "
        f"listener {evidence['listener']} is {evidence['listener_status']}"
    ]


def _gateway_acl(evidence: Mapping[str, Any], limit: int) -> list[str]:
    head = f"access-control policy {evidence.get('acl_id') or '?'} ({evidence.get('acl_type')})"
    entries = list(evidence.get("entries") or ())
    lines = [head, *_clipped(entries, limit, lambda e: [f"entry {_text(e, 80)}"])]
    if evidence.get("entries_unavailable"):
        lines.append(f"entries unknown: {_text(evidence['entries_unavailable'])}")
    return lines


_RENDERERS: dict[str, Callable[[Mapping[str, Any], int], list[str]]] = {
    "connectivity": _nothing,
    "ecs.security_group": _security_group,
    "clb.backend_security_group": _backend_security_group,
    "clb.health": _health,
    "clb.acl": _acl,
    "backend.port": _probe,
    "ecs.status": _ecs_status,
    "clb.listener": _listener,
    "gateway.acl": _gateway_acl,
}


# --- anything else -----------------------------------------------------------------------------


def _generic(evidence: Mapping[str, Any], limit: int, prefix: str = "") -> list[str]:
    """`key: value` rows; nested mappings as `key.sub: value`, lists joined."""
    lines: list[str] = []
    for key, value in evidence.items():
        name = f"{prefix}{key}".replace("_", " ")
        if isinstance(value, Mapping):
            lines += _generic(value, limit, f"{prefix}{key}.")
        elif isinstance(value, list | tuple):
            shown = ", ".join(_text(v, 80) for v in value[:limit]) or "none"
            more = f" … and {len(value) - limit} more" if len(value) > limit else ""
            lines.append(f"{name}: {shown}{more}")
        elif value is None:
            lines.append(f"{name}: none")
        elif isinstance(value, bool):
            lines.append(f"{name}: {'yes' if value else 'no'}")
        else:
            lines.append(f"{name}: {_text(value)}")
    return lines

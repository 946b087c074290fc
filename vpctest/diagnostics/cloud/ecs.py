"""ECS (2014-05-26) reads and writes, turned into facts."""

from __future__ import annotations

import asyncio
import base64
import json
import shlex
from collections.abc import Sequence

from alibabacloud_ecs20140526 import models as ecs

from vpctest.diagnostics.cloud.clients import CloudClients
from vpctest.diagnostics.cloud.paging import PAGE_SIZE, all_pages
from vpctest.diagnostics.errors import CloudError
from vpctest.diagnostics.facts import EcsInstance, NetworkInterface, ProbeResult, SgRule

IDS_PER_CALL = 100  # DescribeInstances and DescribeInstancesFullStatus take up to 100 ids
ENIS_PER_PAGE = 100  # DescribeNetworkInterfaces: MaxResults 10..500
PROBE_TIMEOUT_S = 5
PROBE_POLL_S = 0.5  # the first pause between polls; each is PROBE_BACKOFF times longer
PROBE_BACKOFF = 1.5
PROBE_POLL_MAX_S = 4.0
PROBE_DEADLINE_S = 30.0
SCRIPT_RAN_CODES = ("", "ExitCodeNonzero")
FINAL_INVOCATION_STATES = (
    "Success",
    "Failed",
    "Timeout",
    "Error",
    "Invalid",
    "Aborted",
    "Cancelled",
    "Terminated",
)


def _chunks(ids: Sequence[str]) -> list[list[str]]:
    return [list(ids[i : i + IDS_PER_CALL]) for i in range(0, len(ids), IDS_PER_CALL)]


def instance_from_sdk(item: ecs.DescribeInstancesResponseBodyInstancesInstance) -> EcsInstance:
    vpc = item.vpc_attributes
    ips = (vpc.private_ip_address.ip_address if vpc and vpc.private_ip_address else None) or []
    groups = (item.security_group_ids.security_group_id if item.security_group_ids else None) or []
    return EcsInstance(
        id=item.instance_id or "",
        vpc_id=(vpc.vpc_id if vpc else "") or "",
        private_ips=tuple(ips),
        status=item.status or "",
        security_group_ids=tuple(groups),
        name=item.instance_name or "",
    )


async def _describe_instances(c: CloudClients, **filters: str) -> list[EcsInstance]:
    async def page(number: int) -> tuple[list[EcsInstance], int]:
        request = ecs.DescribeInstancesRequest(
            region_id=c.region, page_number=number, page_size=PAGE_SIZE, **filters
        )
        body = (
            await c.caller.call(
                "ecs", "DescribeInstances", lambda: c.ecs.describe_instances_async(request)
            )
        ).body
        items = (body.instances.instance if body.instances else None) or []
        return [instance_from_sdk(i) for i in items], body.total_count or 0

    return await all_pages(page)


async def instances_by_id(c: CloudClients, ids: Sequence[str]) -> dict[str, EcsInstance]:
    """Unknown ids are simply absent: DescribeInstances answers them with an empty list."""
    found: dict[str, EcsInstance] = {}
    for chunk in _chunks(ids):
        for instance in await _describe_instances(c, instance_ids=json.dumps(chunk)):
            found[instance.id] = instance
    return found


async def instances_by_private_ip(c: CloudClients, vpc_id: str, ip: str) -> list[EcsInstance]:
    return await _describe_instances(
        c, vpc_id=vpc_id, instance_network_type="vpc", private_ip_addresses=json.dumps([ip])
    )


async def health_by_id(c: CloudClients, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """instance id → (status, health) from DescribeInstancesFullStatus."""
    found: dict[str, tuple[str, str]] = {}
    for chunk in _chunks(ids):
        request = ecs.DescribeInstancesFullStatusRequest(
            region_id=c.region, instance_id=chunk, page_size=IDS_PER_CALL
        )
        body = (
            await c.caller.call(
                "ecs",
                "DescribeInstancesFullStatus",
                lambda request=request: c.ecs.describe_instances_full_status_async(request),
            )
        ).body
        holder = body.instance_full_status_set
        for item in (holder.instance_full_status_type if holder else None) or []:
            status = item.status.name if item.status else ""
            health = item.health_status.name if item.health_status else ""
            found[item.instance_id] = (status or "", health or "")
    return found


def _port_range(text: str) -> tuple[int, int]:
    low, _, high = (text or "-1/-1").partition("/")
    return int(low), int(high or low)


def rule_from_sdk(
    group_id: str, perm: ecs.DescribeSecurityGroupAttributeResponseBodyPermissionsPermission
) -> SgRule | None:
    """An inbound IPv4 rule; None for rules that cannot match IPv4 traffic.

    One source decides, as ECS applies them: the CIDR, else the group, else the prefix list.
    """
    cidr = perm.source_cidr_ip or ""
    source_group = "" if cidr else (perm.source_group_id or "")
    prefix_list = "" if cidr or source_group else (perm.source_prefix_list_id or "")
    if not (cidr or prefix_list or source_group):
        return None  # an IPv6-only rule
    port_list = perm.port_range_list_id or ""
    port_from, port_to = (0, 0) if port_list else _port_range(perm.port_range or "-1/-1")
    return SgRule(
        security_group_id=group_id,
        policy=(perm.policy or "Accept").lower(),
        priority=int(perm.priority or 1),
        protocol=(perm.ip_protocol or "ALL").upper(),
        port_from=port_from,
        port_to=port_to,
        source_cidrs=(cidr,) if cidr else (),
        source_group_id=source_group or None,
        source_prefix_list_id=prefix_list or None,
        rule_id=perm.security_group_rule_id or "",
        description=perm.description or "",
        port_range_list_id=port_list or None,
    )


async def security_group_rules(c: CloudClients, group_id: str) -> tuple[str, tuple[SgRule, ...]]:
    """(the group's VPC, its inbound rules), prefix lists not yet expanded."""
    rules: list[SgRule] = []
    vpc_id = ""
    next_token: str | None = None
    while True:
        request = ecs.DescribeSecurityGroupAttributeRequest(
            region_id=c.region,
            security_group_id=group_id,
            direction="ingress",
            max_results=1000,
            next_token=next_token,
        )
        body = (
            await c.caller.call(
                "ecs",
                "DescribeSecurityGroupAttribute",
                lambda request=request: c.ecs.describe_security_group_attribute_async(request),
            )
        ).body
        vpc_id = body.vpc_id or vpc_id
        perms = (body.permissions.permission if body.permissions else None) or []
        for perm in perms:
            if (perm.direction or "ingress") == "ingress" and (
                rule := rule_from_sdk(group_id, perm)
            ):
                rules.append(rule)
        next_token = body.next_token
        if not next_token:
            return vpc_id, tuple(rules)


async def port_range_list_entries(c: CloudClients, list_id: str) -> tuple[tuple[int, int], ...]:
    """The (first, last) port ranges of a port list (DescribePortRangeListEntries)."""
    request = ecs.DescribePortRangeListEntriesRequest(
        region_id=c.region, port_range_list_id=list_id
    )
    body = (
        await c.caller.call(
            "ecs",
            "DescribePortRangeListEntries",
            lambda: c.ecs.describe_port_range_list_entries_async(request),
        )
    ).body
    return tuple(_port_range(e.port_range) for e in body.entries or [] if e.port_range)


def _eni_from_sdk(
    item: ecs.DescribeNetworkInterfacesResponseBodyNetworkInterfaceSetsNetworkInterfaceSet,
) -> NetworkInterface:
    ips = (
        [p.private_ip_address for p in (item.private_ip_sets.private_ip_set or [])]
        if (item.private_ip_sets)
        else []
    )
    if item.private_ip_address and item.private_ip_address not in ips:
        ips.insert(0, item.private_ip_address)
    groups = item.security_group_ids.security_group_id if item.security_group_ids else None
    return NetworkInterface(
        id=item.network_interface_id or "",
        vpc_id=item.vpc_id or "",
        private_ips=tuple(ip for ip in ips if ip),
        security_group_ids=tuple(groups or ()),
        instance_id=item.instance_id or "",
        eni_type=item.type or "",
        status=item.status or "",
    )


async def network_interfaces(c: CloudClients, **filters: object) -> list[NetworkInterface]:
    """Every network interface the filters match, read page by page to the last NextToken."""
    found: list[NetworkInterface] = []
    next_token: str | None = None
    while True:
        request = ecs.DescribeNetworkInterfacesRequest(
            region_id=c.region, max_results=ENIS_PER_PAGE, next_token=next_token, **filters
        )
        body = (
            await c.caller.call(
                "ecs",
                "DescribeNetworkInterfaces",
                lambda request=request: c.ecs.describe_network_interfaces_async(request),
            )
        ).body
        holder = body.network_interface_sets
        found.extend(
            _eni_from_sdk(i) for i in (holder.network_interface_set if holder else []) or []
        )
        next_token = body.next_token
        if not next_token:
            return found


async def network_interfaces_by_id(
    c: CloudClients, ids: Sequence[str]
) -> dict[str, NetworkInterface]:
    """Unknown ids are absent (the batch takes up to 100 ids a call)."""
    found: dict[str, NetworkInterface] = {}
    for chunk in _chunks(ids):
        for eni in await network_interfaces(c, network_interface_id=chunk):
            found[eni.id] = eni
    return found


async def network_interfaces_by_ip(c: CloudClients, vpc_id: str, ip: str) -> list[NetworkInterface]:
    return await network_interfaces(c, vpc_id=vpc_id, private_ip_address=[ip])


async def prefix_list_cidrs(c: CloudClients, prefix_list_id: str) -> tuple[str, ...]:
    request = ecs.DescribePrefixListAttributesRequest(
        region_id=c.region, prefix_list_id=prefix_list_id
    )
    body = (
        await c.caller.call(
            "ecs",
            "DescribePrefixListAttributes",
            lambda: c.ecs.describe_prefix_list_attributes_async(request),
        )
    ).body
    entries = (body.entries.entry if body.entries else None) or []
    return tuple(e.cidr for e in entries if e.cidr)


async def authorize_ingress(
    c: CloudClients,
    group_id: str,
    port_range: str,
    source_cidrs: Sequence[str],
    priority: int,
    description: str,
    protocol: str = "TCP",
) -> None:
    """Add one accept rule per CIDR; an identical existing rule is left as it is."""
    permissions = [
        ecs.AuthorizeSecurityGroupRequestPermissions(
            policy="accept",
            priority=str(priority),
            ip_protocol=protocol,
            port_range=port_range,
            source_cidr_ip=cidr,
            description=description,
        )
        for cidr in source_cidrs
    ]
    request = ecs.AuthorizeSecurityGroupRequest(
        region_id=c.region, security_group_id=group_id, permissions=permissions
    )
    await c.caller.call(
        "ecs", "AuthorizeSecurityGroup", lambda: c.ecs.authorize_security_group_async(request)
    )


async def revoke_rules(c: CloudClients, group_id: str, rule_ids: Sequence[str]) -> None:
    """Remove exactly these rules, by id."""
    request = ecs.RevokeSecurityGroupRequest(
        region_id=c.region, security_group_id=group_id, security_group_rule_id=list(rule_ids)
    )
    await c.caller.call(
        "ecs", "RevokeSecurityGroup", lambda: c.ecs.revoke_security_group_async(request)
    )


def _probe_outcome(
    instance_id: str,
    target: str,
    result: ecs.DescribeInvocationResultsResponseBodyInvocationInvocationResultsInvocationResult,
) -> ProbeResult:
    """The script's own exit status says open or closed; anything else means no answer."""
    output = base64.b64decode(result.output or "").decode(errors="replace").strip()
    # ExitCodeNonzero is the script itself saying "closed"; other error codes mean it never ran.
    ran = result.exit_code is not None and (result.error_code or "") in SCRIPT_RAN_CODES
    if result.invocation_status not in ("Success", "Failed") or not ran:
        why = result.error_code or result.invocation_status or "no result"
        detail = f": {result.error_info}" if result.error_info else ""
        raise CloudError(
            "ecs", "RunCommand", why, f"the Cloud Assistant probe did not run ({why}{detail})"
        )
    return ProbeResult(
        instance_id=instance_id,
        target=target,
        connected=result.invocation_status == "Success" and result.exit_code == 0,
        output=output,
        exit_code=result.exit_code,
    )


def probe_script(ip: str, port: int) -> str:
    """A TCP connect with bash's /dev/tcp: no curl or nc needed on the image."""
    target = shlex.quote(f"</dev/tcp/{ip}/{port}")
    return (
        f"if timeout {PROBE_TIMEOUT_S} bash -c {target}; "
        f"then echo 'open {ip}:{port}'; else echo 'closed {ip}:{port}'; exit 1; fi"
    )


async def probe_tcp(
    c: CloudClients, instance_id: str, ip: str, port: int, timeout_s: float = PROBE_DEADLINE_S
) -> ProbeResult:
    """Run the probe with Cloud Assistant on `instance_id` and wait for its result.

    A slow invocation stays Pending or Running for seconds: poll with backoff until it ends
    or `timeout_s` passes, then give up naming the invocation (never a `fail`)."""
    run = ecs.RunCommandRequest(
        region_id=c.region,
        type="RunShellScript",
        command_content=probe_script(ip, port),
        content_encoding="PlainText",
        instance_id=[instance_id],
        timeout=PROBE_TIMEOUT_S + 5,
        name="vpc-test-probe",
    )
    invoke_id = (
        await c.caller.call("ecs", "RunCommand", lambda: c.ecs.run_command_async(run))
    ).body.invoke_id
    query = ecs.DescribeInvocationResultsRequest(
        region_id=c.region, invoke_id=invoke_id, instance_id=instance_id
    )
    clock = asyncio.get_running_loop().time
    deadline = clock() + timeout_s
    pause = PROBE_POLL_S
    while True:
        body = (
            await c.caller.call(
                "ecs",
                "DescribeInvocationResults",
                lambda: c.ecs.describe_invocation_results_async(query),
            )
        ).body
        holder = body.invocation.invocation_results if body.invocation else None
        results = (holder.invocation_result if holder else None) or []
        result = next((r for r in results if r.instance_id == instance_id), None)
        if result and (result.invocation_status in FINAL_INVOCATION_STATES):
            return _probe_outcome(instance_id, f"{ip}:{port}", result)
        left = deadline - clock()
        if left <= 0:
            state = (result.invocation_status if result else None) or "Pending"
            raise CloudError(
                "ecs",
                "DescribeInvocationResults",
                "Timeout",
                f"the probe (Cloud Assistant invocation {invoke_id}) was still {state} "
                f"after {timeout_s:g}s; look it up later, or raise --probe-timeout",
            )
        await asyncio.sleep(min(pause, left))
        pause = min(pause * PROBE_BACKOFF, PROBE_POLL_MAX_S)

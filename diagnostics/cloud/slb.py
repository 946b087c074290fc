"""CLB/SLB (2014-05-15) reads and writes, turned into facts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from alibabacloud_slb20140515 import models as slb

from diagnostics.cloud.clients import CloudClients
from diagnostics.cloud.paging import PAGE_SIZE, all_pages
from diagnostics.facts import AclEntry, BackendHealth, BackendServer, ClbAcl, Listener, LoadBalancer


async def load_balancer(c: CloudClients, lb_id: str) -> LoadBalancer:
    """The instance, its backend servers and its listeners (two calls at once)."""
    request = slb.DescribeLoadBalancerAttributeRequest(region_id=c.region, load_balancer_id=lb_id)
    attribute, lb_listeners = await asyncio.gather(
        c.caller.call(
            "slb",
            "DescribeLoadBalancerAttribute",
            lambda: c.slb.describe_load_balancer_attribute_async(request),
        ),
        listeners(c, lb_id),
    )
    body = attribute.body
    servers = (body.backend_servers.backend_server if body.backend_servers else None) or []
    return LoadBalancer(
        id=body.load_balancer_id or lb_id,
        vpc_id=body.vpc_id or "",
        address=body.address or "",
        address_type=body.address_type or "",
        status=body.load_balancer_status or "",
        listeners=lb_listeners,
        backend_servers=tuple(
            BackendServer(
                server_id=s.server_id or "",
                port=0,  # the default server group serves on each listener's backend port
                weight=int(s.weight or 0),
                server_ip=s.server_ip or "",
            )
            for s in servers
        ),
        name=body.load_balancer_name or "",
    )


async def listeners(c: CloudClients, lb_id: str) -> tuple[Listener, ...]:
    found: list[Listener] = []
    next_token: str | None = None
    while True:
        request = slb.DescribeLoadBalancerListenersRequest(
            region_id=c.region, load_balancer_id=[lb_id], max_results=100, next_token=next_token
        )
        body = (
            await c.caller.call(
                "slb",
                "DescribeLoadBalancerListeners",
                lambda request=request: c.slb.describe_load_balancer_listeners_async(request),
            )
        ).body
        items = body.listeners or []
        found.extend(
            Listener(
                port=int(item.listener_port or 0),
                protocol=(item.listener_protocol or "").lower(),
                status=item.status or "",
                backend_port=int(item.backend_server_port) if item.backend_server_port else None,
                acl_status=item.acl_status or "off",
                acl_type=item.acl_type or "",
                acl_id=item.acl_id or "",
            )
            for item in items
        )
        next_token = body.next_token
        if not next_token or not items:
            return tuple(found)


async def load_balancers_by_address(c: CloudClients, vpc_id: str, address: str) -> list[str]:
    async def page(number: int) -> tuple[list[str], int]:
        request = slb.DescribeLoadBalancersRequest(
            region_id=c.region,
            vpc_id=vpc_id,
            address=address,
            page_number=number,
            page_size=PAGE_SIZE,
        )
        body = (
            await c.caller.call(
                "slb", "DescribeLoadBalancers", lambda: c.slb.describe_load_balancers_async(request)
            )
        ).body
        items = (body.load_balancers.load_balancer if body.load_balancers else None) or []
        return [i.load_balancer_id for i in items if i.load_balancer_id], body.total_count or 0

    return await all_pages(page)


async def access_control_list(c: CloudClients, acl_id: str) -> ClbAcl:
    request = slb.DescribeAccessControlListAttributeRequest(region_id=c.region, acl_id=acl_id)
    body = (
        await c.caller.call(
            "slb",
            "DescribeAccessControlListAttribute",
            lambda: c.slb.describe_access_control_list_attribute_async(request),
        )
    ).body
    entries = (body.acl_entrys.acl_entry if body.acl_entrys else None) or []
    return ClbAcl(
        id=body.acl_id or acl_id,
        entries=tuple(
            AclEntry(cidr=e.acl_entry_ip, comment=e.acl_entry_comment or "")
            for e in entries
            if e.acl_entry_ip
        ),
        name=body.acl_name or "",
    )


async def health_status(
    c: CloudClients, lb_id: str, listener_port: int
) -> tuple[BackendHealth, ...]:
    request = slb.DescribeHealthStatusRequest(
        region_id=c.region, load_balancer_id=lb_id, listener_port=listener_port
    )
    body = (
        await c.caller.call(
            "slb", "DescribeHealthStatus", lambda: c.slb.describe_health_status_async(request)
        )
    ).body
    servers = (body.backend_servers.backend_server if body.backend_servers else None) or []
    return tuple(
        BackendHealth(
            server_id=s.server_id or "",
            port=int(s.port or 0),
            status=s.server_health_status or "",
            server_ip=s.server_ip or "",
            listener_port=int(s.listener_port) if s.listener_port else None,
        )
        for s in servers
        if not s.listener_port or int(s.listener_port) == listener_port
    )


async def add_acl_entries(c: CloudClients, acl_id: str, entries: Sequence[AclEntry]) -> None:
    payload = json.dumps([{"entry": e.cidr, "comment": e.comment} for e in entries])
    request = slb.AddAccessControlListEntryRequest(
        region_id=c.region, acl_id=acl_id, acl_entrys=payload
    )
    await c.caller.call(
        "slb",
        "AddAccessControlListEntry",
        lambda: c.slb.add_access_control_list_entry_async(request),
    )


async def remove_acl_entries(c: CloudClients, acl_id: str, cidrs: Sequence[str]) -> None:
    payload = json.dumps([{"entry": cidr} for cidr in cidrs])
    request = slb.RemoveAccessControlListEntryRequest(
        region_id=c.region, acl_id=acl_id, acl_entrys=payload
    )
    await c.caller.call(
        "slb",
        "RemoveAccessControlListEntry",
        lambda: c.slb.remove_access_control_list_entry_async(request),
    )

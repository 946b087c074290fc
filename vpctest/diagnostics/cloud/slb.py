"""CLB/SLB (2014-05-15) reads and writes, turned into facts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from alibabacloud_slb20140515 import models as slb

from vpctest.diagnostics.cloud.clients import CloudClients
from vpctest.diagnostics.cloud.paging import PAGE_SIZE, all_pages
from vpctest.diagnostics.facts import (
    AclEntry,
    BackendHealth,
    BackendServer,
    ClbAcl,
    Listener,
    LoadBalancer,
    ServerGroup,
)

ACL_PAGE_SIZE = 50  # DescribeAccessControlListAttribute serves at most 50 entries a page


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
                server_type=(s.type or "ecs").lower(),
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
        found.extend(_listener_from_sdk(item) for item in items)
        next_token = body.next_token
        if not next_token:
            return tuple(found)


def _listener_from_sdk(item: slb.DescribeLoadBalancerListenersResponseBodyListeners) -> Listener:
    """One row of DescribeLoadBalancerListeners; health check and primary/secondary group
    sit in the protocol's own config block."""
    protocol = (item.listener_protocol or "").lower()
    config = {
        "tcp": item.tcplistener_config,
        "udp": item.udplistener_config,
        "http": item.httplistener_config,
        "https": item.httpslistener_config,
    }.get(protocol)
    return Listener(
        port=int(item.listener_port or 0),
        protocol=protocol,
        status=item.status or "",
        backend_port=int(item.backend_server_port) if item.backend_server_port else None,
        acl_status=item.acl_status or "off",
        acl_type=item.acl_type or "",
        acl_id=item.acl_id or "",
        health_check=(getattr(config, "health_check", None) or "on").lower(),
        vserver_group_id=item.vserver_group_id or "",
        master_slave_group_id=getattr(config, "master_slave_server_group_id", None) or "",
    )


def _member(server: object, role: str = "") -> BackendServer:
    """A vServer or primary/secondary group member (the two SDK models share these fields;
    the primary/secondary one has no ServerIp)."""
    weight = getattr(server, "weight", None)
    return BackendServer(
        server_id=getattr(server, "server_id", None) or "",
        port=int(getattr(server, "port", None) or 0),
        weight=int(weight if weight is not None else 100),
        server_ip=getattr(server, "server_ip", None) or "",
        server_type=(getattr(server, "type", None) or "ecs").lower(),
        role=role,
    )


async def vserver_group(c: CloudClients, group_id: str) -> ServerGroup:
    """A vServer group: each backend on its own port, ECS instances or ENIs."""
    request = slb.DescribeVServerGroupAttributeRequest(
        region_id=c.region, vserver_group_id=group_id
    )
    body = (
        await c.caller.call(
            "slb",
            "DescribeVServerGroupAttribute",
            lambda: c.slb.describe_vserver_group_attribute_async(request),
        )
    ).body
    servers = (body.backend_servers.backend_server if body.backend_servers else None) or []
    return ServerGroup(
        kind="vserver",
        id=body.vserver_group_id or group_id,
        name=body.vserver_group_name or "",
        backends=tuple(_member(s) for s in servers),
    )


async def master_slave_group(c: CloudClients, group_id: str) -> ServerGroup:
    """A primary/secondary group: a Master and a Slave."""
    request = slb.DescribeMasterSlaveServerGroupAttributeRequest(
        region_id=c.region, master_slave_server_group_id=group_id
    )
    body = (
        await c.caller.call(
            "slb",
            "DescribeMasterSlaveServerGroupAttribute",
            lambda: c.slb.describe_master_slave_server_group_attribute_async(request),
        )
    ).body
    holder = body.master_slave_backend_servers
    servers = (holder.master_slave_backend_server if holder else None) or []
    return ServerGroup(
        kind="primary_secondary",
        id=body.master_slave_server_group_id or group_id,
        name=body.master_slave_server_group_name or "",
        backends=tuple(_member(s, role=s.server_type or "") for s in servers),
    )


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
    """Every entry of the ACL, page by page (50 a page) until `TotalAclEntry` are in."""
    name = ""

    async def page(number: int) -> tuple[list[AclEntry], int]:
        nonlocal name
        request = slb.DescribeAccessControlListAttributeRequest(
            region_id=c.region, acl_id=acl_id, page=number, page_size=ACL_PAGE_SIZE
        )
        body = (
            await c.caller.call(
                "slb",
                "DescribeAccessControlListAttribute",
                lambda: c.slb.describe_access_control_list_attribute_async(request),
            )
        ).body
        name = body.acl_name or name
        entries = (body.acl_entrys.acl_entry if body.acl_entrys else None) or []
        found = [
            AclEntry(cidr=e.acl_entry_ip, comment=e.acl_entry_comment or "")
            for e in entries
            if e.acl_entry_ip
        ]
        return found, int(body.total_acl_entry or 0)

    return ClbAcl(id=acl_id, entries=tuple(await all_pages(page)), name=name)


async def health_status(
    c: CloudClients, lb_id: str, listener_port: int, protocol: str
) -> tuple[BackendHealth, ...]:
    """The health of one listener's backends: asked by port AND protocol, since a udp and a
    tcp listener may share the port number and each has its own backends."""
    request = slb.DescribeHealthStatusRequest(
        region_id=c.region,
        load_balancer_id=lb_id,
        listener_port=listener_port,
        listener_protocol=protocol,
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
        if (not s.listener_port or int(s.listener_port) == listener_port)
        and (not s.protocol or s.protocol.lower() == protocol)
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

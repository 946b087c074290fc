"""CLB/SLB (2014-05-15): load balancers, listeners, server groups, access control lists, health.

Not-found errors for server groups: real CLB answers an unknown VServerGroupId with 400
`InvalidParameter` "The specified VServerGroupId does not exist." and an unknown
MasterSlaveServerGroupId with 400 `InvalidParameter` "The specified MasterSlaveGroupId does not
exist." (the messages the Terraform provider matches on; not seen on a live account here).
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from vpctest.emulator import network
from vpctest.emulator.actions.registry import CREATED, Context, action, vswitch_id
from vpctest.emulator.errors import ApiError, invalid_parameter, missing_parameter
from vpctest.emulator.params import Params, page_numbers, paginate, token_page
from vpctest.emulator.products import SLB
from vpctest.emulator.world import (
    AclEntry,
    Backend,
    ClbAcl,
    ClbInstance,
    Listener,
    PrimarySecondaryGroup,
    VServerGroup,
    World,
)

LISTENER_PROTOCOLS = ("tcp", "udp", "http", "https")
ACL_QUOTA = 1000  # entries an ACL holds (raised from the default 300 so big worlds work)


def find_lb(world: World, params: Params) -> ClbInstance:
    lb_id = params.str("LoadBalancerId", required=True)
    lb = world.clb(lb_id)
    if lb is None:
        raise ApiError(
            400, "InvalidLoadBalancerId.NotFound", "The specified LoadBalancerId does not exist."
        )
    return lb


def find_acl(world: World, params: Params) -> ClbAcl:
    acl_id = params.str("AclId", required=True)
    acl = world.clb_acl(acl_id)
    if acl is None:
        raise ApiError(400, "AclNotExist", "The specified acl does not exist.")
    return acl


def lb_view(world: World, lb: ClbInstance) -> dict[str, Any]:
    return {
        "LoadBalancerId": lb.id,
        "LoadBalancerName": lb.id,
        "LoadBalancerStatus": lb.status,
        "Address": lb.address,
        "AddressType": lb.address_type,
        "AddressIPVersion": "ipv4",
        "NetworkType": "vpc",
        "VpcId": lb.vpc_id,
        "VSwitchId": vswitch_id(lb.vpc_id),
        "RegionId": world.region,
        "RegionIdAlias": world.region,
        "MasterZoneId": f"{world.region}-h",
        "SlaveZoneId": f"{world.region}-i",
        "LoadBalancerSpec": "slb.s2.small",
        "PayType": "PayOnDemand",
        "InstanceChargeType": "PayBySpec",
        "InternetChargeType": "paybytraffic",
        "Bandwidth": 5120,
        "CreateTime": "2024-05-01T08:00Z",
        "CreateTimeStamp": 1714550400000,
        "DeleteProtection": "off",
        "ModificationProtectionStatus": "NonProtection",
        "ResourceGroupId": "",
        "Tags": {"Tag": []},
    }


def acl_fields(listener: Listener) -> dict[str, Any]:
    fields: dict[str, Any] = {"AclStatus": listener.acl.status}
    if listener.acl.id:
        fields.update(AclId=listener.acl.id, AclType=listener.acl.type)
    return fields


def health_check(listener: Listener) -> dict[str, Any]:
    """The listener's (fixed) health-check settings, in the shape its protocol uses."""
    common: dict[str, Any] = {
        "HealthCheck": listener.health_check,
        "HealthyThreshold": 3,
        "UnhealthyThreshold": 3,
    }
    if listener.protocol in ("tcp", "udp"):
        common["MasterSlaveServerGroupId"] = listener.primary_secondary_group
    if listener.protocol == "tcp":
        return common | {
            "HealthCheckType": "tcp",
            "HealthCheckConnectTimeout": 5,
            "HealthCheckInterval": 2,
            "PersistenceTimeout": 0,
            "EstablishedTimeout": 900,
            "ConnectionDrain": "off",
        }
    if listener.protocol == "udp":
        return common | {"HealthCheckConnectTimeout": 5, "HealthCheckInterval": 2}
    return common | {
        "HealthCheckTimeout": 5,
        "HealthCheckInterval": 2,
        "HealthCheckURI": "/",
        "HealthCheckHttpCode": "http_2xx,http_3xx",
        "HealthCheckMethod": "head",
        "StickySession": "off",
        "Gzip": "on",
        "XForwardedFor": "on",
        "IdleTimeout": 15,
        "RequestTimeout": 60,
    }


def listener_view(lb: ClbInstance, listener: Listener) -> dict[str, Any]:
    config_key = f"{listener.protocol.upper()}ListenerConfig"
    return {
        "LoadBalancerId": lb.id,
        "ListenerPort": listener.port,
        "ListenerProtocol": listener.protocol,
        "Status": listener.status,
        "BackendServerPort": listener.backend_port,
        "Bandwidth": -1,
        "Scheduler": "wrr",
        "Description": "",
        "VServerGroupId": listener.server_group,
        **acl_fields(listener),
        "AclIds": [listener.acl.id] if listener.acl.id else [],
        config_key: health_check(listener),
        "Tags": [],
    }


def all_backends(lb: ClbInstance) -> list[Backend]:
    """Every backend of the load balancer: default groups, vServer and primary/secondary groups."""
    return [
        *(b for x in lb.listeners for b in x.backends),
        *(b for g in lb.vserver_groups for b in g.backends),
        *(b for g in lb.primary_secondary_groups for b in g.backends),
    ]


@action(SLB, "DescribeLoadBalancers")
def describe_load_balancers(ctx: Context) -> dict[str, Any]:
    p = ctx.params
    ids = [x.strip() for x in (p.str("LoadBalancerId") or "").split(",") if x.strip()]
    server = p.str("ServerId")

    def wanted(lb: ClbInstance) -> bool:
        return (
            (not ids or lb.id in ids)
            and p.str("VpcId") in (None, lb.vpc_id)
            and p.str("Address") in (None, lb.address)
            and p.str("AddressType") in (None, lb.address_type)
            and p.str("LoadBalancerStatus") in (None, lb.status)
            and p.str("LoadBalancerName") in (None, lb.id)
            and p.str("NetworkType") in (None, "vpc")
            and (server is None or any(b.server_id == server for b in all_backends(lb)))
        )

    page = paginate(p, [lb for lb in ctx.world.clb_instances if wanted(lb)], max_size=100)
    return {
        "LoadBalancers": {"LoadBalancer": [lb_view(ctx.world, lb) for lb in page.items]},
        **page.fields,
    }


@action(SLB, "DescribeLoadBalancerAttribute")
def describe_load_balancer_attribute(ctx: Context) -> dict[str, Any]:
    lb = find_lb(ctx.world, ctx.params)
    servers: dict[str, int] = {}  # the default server group only (as the real API)
    for listener in lb.listeners:
        for backend in listener.backends:
            servers.setdefault(backend.server_id, backend.weight)
    ports = [{"ListenerPort": x.port, "ListenerProtocol": x.protocol} for x in lb.listeners]
    return {
        **lb_view(ctx.world, lb),
        "BackendServers": {
            "BackendServer": [
                {
                    "ServerId": server_id,
                    "Weight": weight,
                    "Type": "ecs",
                    "ServerIp": server.private_ip if (server := ctx.world.ecs(server_id)) else "",
                    "Description": "",
                }
                for server_id, weight in servers.items()
            ]
        },
        "ListenerPorts": {"ListenerPort": [x.port for x in lb.listeners]},
        "ListenerPortsAndProtocol": {
            "ListenerPortAndProtocol": [dict(p, Description="") for p in ports]
        },
        "ListenerPortsAndProtocal": {
            "ListenerPortAndProtocal": [
                {"ListenerPort": p["ListenerPort"], "ListenerProtocal": p["ListenerProtocol"]}
                for p in ports
            ]
        },
    }


@action(SLB, "DescribeLoadBalancerListeners")
def describe_load_balancer_listeners(ctx: Context) -> dict[str, Any]:
    p = ctx.params
    ids = p.repeated("LoadBalancerId")
    port = p.int("ListenerPort", lo=1, hi=65535)
    protocol = p.choice("ListenerProtocol", LISTENER_PROTOCOLS)
    rows = [
        listener_view(lb, listener)
        for lb in ctx.world.clb_instances
        if not ids or lb.id in ids
        for listener in lb.listeners
        if port in (None, listener.port) and protocol in (None, listener.protocol)
    ]
    page = token_page(p, rows, default_size=20, max_size=100)
    return {"Listeners": page.items, **page.fields}


def listener_attribute(ctx: Context, protocol: str) -> dict[str, Any]:
    lb = find_lb(ctx.world, ctx.params)
    port = ctx.params.int("ListenerPort", required=True, lo=1, hi=65535)
    listener = next((x for x in lb.listeners if x.port == port and x.protocol == protocol), None)
    if listener is None:
        raise ApiError(400, "InvalidParameter", "The specified resource does not exist.")
    extra: dict[str, Any]
    if protocol == "tcp":
        extra = {"SynProxy": "disable", "ProxyProtocolV2Enabled": False}
    elif protocol == "udp":
        extra = {"HealthCheckReq": "", "HealthCheckExp": "", "ProxyProtocolV2Enabled": False}
    elif protocol == "http":
        extra = {"ListenerForward": "off", "SecurityStatus": "normal", "Rules": {"Rule": []}}
    else:
        extra = {
            "SecurityStatus": "normal",
            "Rules": {"Rule": []},
            "ServerCertificateId": "",
            "EnableHttp2": "on",
            "TLSCipherPolicy": "tls_cipher_policy_1_0",
            "DomainExtensions": {"DomainExtension": []},
        }
    return {
        "LoadBalancerId": lb.id,
        "ListenerPort": listener.port,
        "BackendServerPort": listener.backend_port,
        "Status": listener.status,
        "Bandwidth": -1,
        "Scheduler": "wrr",
        "Description": "",
        "VServerGroupId": listener.server_group,
        **acl_fields(listener),
        "AclIds": {"AclId": [listener.acl.id] if listener.acl.id else []},
        **health_check(listener),
        **extra,
        "Tags": {"Tag": []},
    }


@action(SLB, "DescribeLoadBalancerTCPListenerAttribute")
def describe_tcp_listener(ctx: Context) -> dict[str, Any]:
    return listener_attribute(ctx, "tcp")


@action(SLB, "DescribeLoadBalancerUDPListenerAttribute")
def describe_udp_listener(ctx: Context) -> dict[str, Any]:
    return listener_attribute(ctx, "udp")


@action(SLB, "DescribeLoadBalancerHTTPListenerAttribute")
def describe_http_listener(ctx: Context) -> dict[str, Any]:
    return listener_attribute(ctx, "http")


@action(SLB, "DescribeLoadBalancerHTTPSListenerAttribute")
def describe_https_listener(ctx: Context) -> dict[str, Any]:
    return listener_attribute(ctx, "https")


@action(SLB, "DescribeAccessControlListAttribute")
def describe_access_control_list_attribute(ctx: Context) -> dict[str, Any]:
    p = ctx.params
    acl = find_acl(ctx.world, p)
    comment = p.str("AclEntryComment")
    entries = [e for e in acl.entries if comment in (None, e.comment)]
    # world.md rule 10: at most PageSize (1..50, default 50) entries of page Page; never all
    entries = page_numbers(p, entries, default_size=50, max_size=50, number_key="Page").items
    related = [
        {
            "LoadBalancerId": lb.id,
            "ListenerPort": x.port,
            "Protocol": x.protocol,
            "AclType": x.acl.type,
        }
        for lb in ctx.world.clb_instances
        for x in lb.listeners
        if x.acl.id == acl.id
    ]
    return {
        "AclId": acl.id,
        "AclName": acl.id,
        "AddressIPVersion": "ipv4",
        "ResourceGroupId": "",
        "CreateTime": CREATED,
        "TotalAclEntry": len([e for e in acl.entries if comment in (None, e.comment)]),
        "AclEntrys": {
            "AclEntry": [{"AclEntryIP": e.cidr, "AclEntryComment": e.comment} for e in entries]
        },
        "RelatedListeners": {"RelatedListener": related},
        "Tags": {"Tag": []},
    }


def requested_entries(p: Params) -> list[AclEntry]:
    """`AclEntrys='[{"entry":"10.0.0.0/8","comment":"…"}]'`, repeats dropped."""
    raw = p.str("AclEntrys", required=True)
    try:
        items = json.loads(raw)
    except json.JSONDecodeError:
        raise invalid_parameter("AclEntrys", "Expected a JSON array of {entry, comment}.") from None
    if not isinstance(items, list) or not items:
        raise invalid_parameter("AclEntrys", "Expected a non-empty JSON array of {entry, comment}.")
    if len(items) > 50:
        raise invalid_parameter("AclEntrys", "At most 50 entries can be given at a time.")
    entries: dict[str, AclEntry] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("entry"), str):
            raise missing_parameter("AclEntrys.entry")
        try:
            cidr = str(ipaddress.IPv4Network(item["entry"].strip(), strict=False))
        except ValueError:
            raise invalid_parameter(
                "AclEntrys", f"{item['entry']!r} is not a CIDR block."
            ) from None
        entries.setdefault(cidr, AclEntry(cidr, str(item.get("comment") or "")))
    return list(entries.values())


def _normalized(cidr: str) -> str:
    return str(ipaddress.IPv4Network(cidr, strict=False))


@action(SLB, "AddAccessControlListEntry")
def add_access_control_list_entry(ctx: Context) -> dict[str, Any]:
    acl = find_acl(ctx.world, ctx.params)
    present = {_normalized(e.cidr) for e in acl.entries}
    # An entry that already exists is accepted and adds nothing (no error, no duplicate).
    entries = [e for e in requested_entries(ctx.params) if e.cidr not in present]
    if len(acl.entries) + len(entries) > ACL_QUOTA:
        raise ApiError(400, "QuotaExceeded.AclEntry", f"An ACL holds at most {ACL_QUOTA} entries.")
    acl.entries.extend(entries)
    return {}


@action(SLB, "RemoveAccessControlListEntry")
def remove_access_control_list_entry(ctx: Context) -> dict[str, Any]:
    acl = find_acl(ctx.world, ctx.params)
    doomed = {e.cidr for e in requested_entries(ctx.params)}
    present = {_normalized(e.cidr) for e in acl.entries}
    if not doomed <= present:
        raise ApiError(400, "AclEntryNotExist", "The specified aclEntry does not exist in the acl.")
    acl.entries = [e for e in acl.entries if _normalized(e.cidr) not in doomed]
    return {}


@action(SLB, "DescribeHealthStatus")
def describe_health_status(ctx: Context) -> dict[str, Any]:
    """One row per backend of the server group each listener really uses, on its own port."""
    p = ctx.params
    lb = find_lb(ctx.world, p)
    port = p.int("ListenerPort", lo=1, hi=65535)
    protocol = p.choice("ListenerProtocol", LISTENER_PROTOCOLS)
    rows = [
        {
            "ListenerPort": listener.port,
            "Protocol": listener.protocol,
            "Port": backend.port,
            "ServerId": backend.server_id,
            "ServerIp": network.backend_ip(ctx.world, backend),
            "ServerHealthStatus": network.backend_health(ctx.world, lb, listener, backend),
        }
        for listener in lb.listeners
        if port in (None, listener.port) and protocol in (None, listener.protocol)
        for backend in network.server_group(lb, listener).backends
    ]
    return {"BackendServers": {"BackendServer": rows}}


# --- vServer groups and primary/secondary groups ------------------------------------------------


def tags() -> dict[str, Any]:
    return {"Tag": []}


def associated_listeners(lb: ClbInstance, group_id: str) -> list[dict[str, Any]]:
    return [
        {"Port": x.port, "Protocol": x.protocol}
        for x in lb.listeners
        if group_id in (x.server_group, x.primary_secondary_group)
    ]


def associated_objects(p: Params, lb: ClbInstance, group_id: str, rules: bool) -> dict[str, Any]:
    """AssociatedObjects as asked for with IncludeListener / IncludeRule (both default false)."""
    out: dict[str, Any] = {}
    if p.bool("IncludeListener"):
        out["Listeners"] = {"Listener": associated_listeners(lb, group_id)}
    if rules and p.bool("IncludeRule"):
        out["Rules"] = {"Rule": []}  # the emulator serves no forwarding rules
    return out


def find_vserver_group(world: World, params: Params) -> tuple[ClbInstance, VServerGroup]:
    group_id = params.str("VServerGroupId", required=True)
    for lb in world.clb_instances:
        if group := lb.vserver_group(group_id):
            return lb, group
    raise ApiError(400, "InvalidParameter", "The specified VServerGroupId does not exist.")


def find_ps_group(world: World, params: Params) -> tuple[ClbInstance, PrimarySecondaryGroup]:
    group_id = params.str("MasterSlaveServerGroupId", required=True)
    for lb in world.clb_instances:
        if group := lb.primary_secondary_group(group_id):
            return lb, group
    raise ApiError(400, "InvalidParameter", "The specified MasterSlaveGroupId does not exist.")


@action(SLB, "DescribeVServerGroups")
def describe_vserver_groups(ctx: Context) -> dict[str, Any]:
    p = ctx.params
    lb = find_lb(ctx.world, p)
    name = p.str("Description")  # the API filters by group name through Description
    rows = []
    for group in lb.vserver_groups:
        if name not in (None, group.name):
            continue
        row: dict[str, Any] = {
            "VServerGroupId": group.id,
            "VServerGroupName": group.name,
            "ServerCount": len(group.backends),
            "CreateTime": CREATED,
            "Tags": tags(),
        }
        if objects := associated_objects(p, lb, group.id, rules=True):
            row["AssociatedObjects"] = objects
        rows.append(row)
    return {"VServerGroups": {"VServerGroup": rows}}


@action(SLB, "DescribeVServerGroupAttribute")
def describe_vserver_group_attribute(ctx: Context) -> dict[str, Any]:
    lb, group = find_vserver_group(ctx.world, ctx.params)
    return {
        "VServerGroupId": group.id,
        "VServerGroupName": group.name,
        "LoadBalancerId": lb.id,
        "CreateTime": CREATED,
        "BackendServers": {
            "BackendServer": [
                {
                    "ServerId": b.server_id,
                    "Port": b.port,
                    "Weight": b.weight,
                    "Type": b.type,
                    "ServerIp": network.backend_ip(ctx.world, b),
                }
                for b in group.backends
            ]
        },
        "Tags": tags(),
    }


@action(SLB, "DescribeMasterSlaveServerGroups")
def describe_master_slave_server_groups(ctx: Context) -> dict[str, Any]:
    p = ctx.params
    lb = find_lb(ctx.world, p)
    name = p.str("Description")
    rows = []
    for group in lb.primary_secondary_groups:
        if name not in (None, group.name):
            continue
        row: dict[str, Any] = {
            "MasterSlaveServerGroupId": group.id,
            "MasterSlaveServerGroupName": group.name,
            "CreateTime": CREATED,
            "Tags": tags(),
        }
        if objects := associated_objects(p, lb, group.id, rules=False):
            row["AssociatedObjects"] = objects
        rows.append(row)
    return {"MasterSlaveServerGroups": {"MasterSlaveServerGroup": rows}}


@action(SLB, "DescribeMasterSlaveServerGroupAttribute")
def describe_master_slave_server_group_attribute(ctx: Context) -> dict[str, Any]:
    lb, group = find_ps_group(ctx.world, ctx.params)
    return {
        "MasterSlaveServerGroupId": group.id,
        "MasterSlaveServerGroupName": group.name,
        "LoadBalancerId": lb.id,
        "CreateTime": CREATED,
        "MasterSlaveBackendServers": {
            "MasterSlaveBackendServer": [
                {
                    "ServerId": b.server_id,
                    "Port": b.port,
                    "Weight": b.weight,
                    "ServerType": b.server_type,
                    "Type": b.type,
                    "ServerIp": network.backend_ip(ctx.world, b),
                }
                for b in group.backends
            ]
        },
        "Tags": tags(),
    }

"""API Gateway (CloudAPI 2016-07-14): gateways, VPC access authorizations, connectivity, ACLs."""

from __future__ import annotations

from typing import Any

from vpctest.emulator import network
from vpctest.emulator.actions.registry import CREATED, Context, action
from vpctest.emulator.errors import ApiError
from vpctest.emulator.params import paginate
from vpctest.emulator.products import CLOUDAPI
from vpctest.emulator.world import Gateway, VpcAccess, World


def gateway_view(world: World, g: Gateway) -> dict[str, Any]:
    view: dict[str, Any] = {
        "InstanceId": g.id,
        "InstanceName": g.name,
        "InstanceType": g.type,
        "Status": "RUNNING",
        "RegionId": world.region,
        "ZoneId": f"{world.region}-MAZ6",
        "ZoneLocalName": "Multi-zone",
        "InstanceChargeType": "PostPaid",
        "CreatedTime": CREATED,
        "HttpsPolicies": "HTTPS2_TLS1_0",
        "VpcIntranetEnable": True,
        "VpcSlbIntranetEnable": False,
        "SupportIpv6": False,
        "EgressIpv6Enable": False,
        "NetworkInterfaceAttributes": {
            "NetworkInterfaceAttribute": [
                {
                    "VswitchId": nic.vswitch_id,
                    "CidrBlock": nic.cidr_block,
                    "SecurityGroupId": nic.security_group_id,
                    "ZoneId": f"{world.region}-h",
                }
                for nic in g.network_interfaces
            ]
        },
        "AclStatus": g.acl.status if g.acl else "off",
    }
    if g.type == "VPC_DEDICATED":
        view["InstanceSpec"] = "api.s1.small"
    for field, value in (
        ("VpcEgressAddress", g.vpc_egress_address),
        ("NewVpcEgressAddress", g.new_vpc_egress_address),
        ("DedicatedInstanceType", g.dedicated_instance_type),
    ):
        if value:
            view[field] = value
    if g.acl:
        view.update(AclId=g.acl.id, AclName=g.acl.id, AclType=g.acl.type)
    return view


def vpc_access_view(world: World, a: VpcAccess) -> dict[str, Any]:
    return {
        "VpcAccessId": a.id,
        "Name": a.name,
        "VpcId": a.vpc_id,
        "InstanceId": a.instance_id,
        "Port": a.port,
        "RegionId": world.region,
        "CreatedTime": CREATED,
        "Description": "",
    }


@action(CLOUDAPI, "DescribeInstances", regional=False)
def describe_instances(ctx: Context) -> dict[str, Any]:
    p = ctx.params
    gateways = [
        g
        for g in ctx.world.gateways
        if p.str("InstanceId") in (None, g.id) and p.str("InstanceType") in (None, g.type)
    ]
    page = paginate(p, gateways, default_size=10, max_size=100)
    return {
        "Instances": {"InstanceAttribute": [gateway_view(ctx.world, g) for g in page.items]},
        **page.fields,
    }


@action(CLOUDAPI, "DescribeVpcAccesses", regional=False)
def describe_vpc_accesses(ctx: Context) -> dict[str, Any]:
    p = ctx.params
    name, exact = p.str("Name"), p.bool("AccurateQuery")
    port = p.int("Port", lo=1, hi=65535)

    def wanted(a: VpcAccess) -> bool:
        if name is not None and (a.name != name if exact else name not in a.name):
            return False
        return (
            p.str("VpcAccessId") in (None, a.id)
            and p.str("InstanceId") in (None, a.instance_id)
            and p.str("VpcId") in (None, a.vpc_id)
            and port in (None, a.port)
        )

    page = paginate(p, [a for a in ctx.world.vpc_accesses if wanted(a)])
    return {
        "VpcAccessAttributes": {
            "VpcAccessAttribute": [vpc_access_view(ctx.world, a) for a in page.items]
        },
        **page.fields,
    }


@action(CLOUDAPI, "ValidateVpcConnectivity", regional=False)
def validate_vpc_connectivity(ctx: Context) -> dict[str, Any]:
    gateway_id = ctx.params.str("InstanceId", required=True)
    access_id = ctx.params.str("VpcAccessId", required=True)
    gateway = ctx.world.gateway(gateway_id)
    if gateway is None:
        raise ApiError(404, "NotFoundInstance", f"Cannot find the instance: {gateway_id}.")
    access = ctx.world.vpc_access(access_id)
    if access is None:
        raise ApiError(404, "NotFoundVpc", f"Cannot find the VPC authorization: {access_id}.")
    result = network.connectivity(ctx.world, gateway, access)
    body: dict[str, Any] = {"Connected": result.connected}
    if result.ip_type:
        body["IpType"] = result.ip_type
    return body


@action(CLOUDAPI, "DescribeApisByVpcAccess", regional=False)
def describe_apis_by_vpc_access(ctx: Context) -> dict[str, Any]:
    name = ctx.params.str("VpcName", required=True)
    rows = [
        {
            "ApiId": api.id,
            "ApiName": api.name,
            "GroupId": api.group_id,
            "GroupName": api.group_name,
            "StageName": api.stage,
            "StageId": f"{api.group_id or 'group'}-{api.stage}".lower(),
            "Method": "GET",
            "Path": f"/{api.name}",
            "Description": "",
            "RegionId": ctx.world.region,
            "InstanceId": access.instance_id,
            "Port": access.port,
            "VpcId": access.vpc_id,
            "VpcName": access.name,
        }
        for access in ctx.world.vpc_accesses
        if access.name == name
        for api in access.apis
    ]
    page = paginate(ctx.params, rows)
    return {"ApiVpcAccessInfos": {"ApiVpcAccessInfo": page.items}, **page.fields}


@action(CLOUDAPI, "DescribeAccessControlListAttribute", regional=False)
def describe_access_control_list_attribute(ctx: Context) -> dict[str, Any]:
    acl_id = ctx.params.str("AclId", required=True)
    acl = ctx.world.gateway_acl(acl_id)
    if acl is None:
        raise ApiError(404, "NotFoundAcl", f"Cannot find the access control policy: {acl_id}.")
    return {
        "AclId": acl.id,
        "AclName": acl.id,
        "AddressIPVersion": "ipv4",
        "AclEntrys": {"AclEntry": [{"AclEntryIp": e, "AclEntryComment": ""} for e in acl.entries]},
    }


@action(CLOUDAPI, "DescribeApiGroup", regional=False)
def describe_api_group(ctx: Context) -> dict[str, Any]:
    """A group as the APIs using authorizations name it; its InstanceId is its gateway."""
    group_id = ctx.params.str("GroupId", required=True)
    api = next(
        (a for access in ctx.world.vpc_accesses for a in access.apis if a.group_id == group_id),
        None,
    )
    if api is None:
        raise ApiError(404, "NotFoundApiGroup", f"Cannot find the API group: {group_id}.")
    return {
        "GroupId": group_id,
        "GroupName": api.group_name or group_id,
        "InstanceId": api.gateway_id,
        "RegionId": ctx.world.region,
        "Status": "NORMAL",
    }

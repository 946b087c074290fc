"""API Gateway (CloudAPI 2016-07-14) reads, turned into facts."""

from __future__ import annotations

from alibabacloud_cloudapi20160714 import models as api

from vpctest.diagnostics.cloud.clients import CloudClients
from vpctest.diagnostics.cloud.paging import PAGE_SIZE, all_pages
from vpctest.diagnostics.facts import ApiRef, Gateway, GatewayAcl, VpcAccess


def split_cidrs(value: str | None) -> tuple[str, ...]:
    """`VpcEgressAddress` may hold several comma-separated CIDRs."""
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def gateway_from_sdk(attr: api.DescribeInstancesResponseBodyInstancesInstanceAttribute) -> Gateway:
    vpc_connect = (attr.dedicated_instance_type or "") == "vpc_connect"
    interfaces = (
        attr.network_interface_attributes.network_interface_attribute
        if attr.network_interface_attributes
        else []
    ) or []
    egress = (
        tuple(i.cidr_block for i in interfaces if i.cidr_block)
        if vpc_connect
        else split_cidrs(attr.vpc_egress_address)
    )
    acl = None
    if attr.acl_status:
        acl = GatewayAcl(
            status=attr.acl_status, acl_type=attr.acl_type or "", acl_id=attr.acl_id or ""
        )
    return Gateway(
        id=attr.instance_id,
        name=attr.instance_name or "",
        instance_type=attr.instance_type or "",
        egress_cidrs=egress,
        new_egress_cidrs=split_cidrs(attr.new_vpc_egress_address),
        vpc_connect=vpc_connect,
        acl=acl,
    )


async def list_gateways(c: CloudClients, gateway_id: str | None = None) -> list[Gateway]:
    async def page(number: int) -> tuple[list[Gateway], int]:
        request = api.DescribeInstancesRequest(
            instance_id=gateway_id, page_number=number, page_size=PAGE_SIZE
        )
        body = (
            await c.caller.call(
                "cloudapi",
                "DescribeInstances",
                lambda: c.cloudapi.describe_instances_async(request),
            )
        ).body
        attrs = (body.instances.instance_attribute if body.instances else None) or []
        return [gateway_from_sdk(a) for a in attrs], body.total_count or 0

    return await all_pages(page)


async def list_vpc_accesses(c: CloudClients) -> list[VpcAccess]:
    async def page(number: int) -> tuple[list[VpcAccess], int]:
        request = api.DescribeVpcAccessesRequest(page_number=number, page_size=PAGE_SIZE)
        body = (
            await c.caller.call(
                "cloudapi",
                "DescribeVpcAccesses",
                lambda: c.cloudapi.describe_vpc_accesses_async(request),
            )
        ).body
        holder = body.vpc_access_attributes
        attrs = (holder.vpc_access_attribute if holder else None) or []
        accesses = [
            VpcAccess(
                id=a.vpc_access_id or "",
                name=a.name or "",
                vpc_id=a.vpc_id or "",
                instance_id=a.instance_id or "",
                port=int(a.port or 0),
            )
            for a in attrs
        ]
        return accesses, body.total_count or 0

    return await all_pages(page)


async def validate_connectivity(
    c: CloudClients, gateway_id: str, vpc_access_id: str
) -> tuple[bool, str]:
    """(connected, IpType) as ValidateVpcConnectivity answers."""
    request = api.ValidateVpcConnectivityRequest(
        instance_id=gateway_id, vpc_access_id=vpc_access_id
    )
    response = await c.caller.call(
        "cloudapi",
        "ValidateVpcConnectivity",
        lambda: c.cloudapi.validate_vpc_connectivity_async(request),
    )
    return bool(response.body.connected), response.body.ip_type or ""


async def apis_by_vpc_access(c: CloudClients, vpc_access_name: str) -> list[ApiRef]:
    async def page(number: int) -> tuple[list[ApiRef], int]:
        request = api.DescribeApisByVpcAccessRequest(
            vpc_name=vpc_access_name, page_number=number, page_size=PAGE_SIZE
        )
        body = (
            await c.caller.call(
                "cloudapi",
                "DescribeApisByVpcAccess",
                lambda: c.cloudapi.describe_apis_by_vpc_access_async(request),
            )
        ).body
        holder = body.api_vpc_access_infos
        infos = (holder.api_vpc_access_info if holder else None) or []
        refs = [
            ApiRef(
                api_id=i.api_id or "",
                api_name=i.api_name or "",
                group_id=i.group_id or "",
                group_name=i.group_name or "",
                stage=i.stage_name or "",
            )
            for i in infos
        ]
        return refs, body.total_count or 0

    return await all_pages(page)


async def gateway_acl_entries(c: CloudClients, acl_id: str) -> tuple[str, ...]:
    request = api.DescribeAccessControlListAttributeRequest(acl_id=acl_id)
    response = await c.caller.call(
        "cloudapi",
        "DescribeAccessControlListAttribute",
        lambda: c.cloudapi.describe_access_control_list_attribute_async(request),
    )
    entries = response.body.acl_entrys.acl_entry if response.body.acl_entrys else []
    return tuple(e.acl_entry_ip for e in entries or [] if e.acl_entry_ip)


async def api_group_instance(c: CloudClients, group_id: str) -> str:
    """The API Gateway instance an API group is deployed on."""
    request = api.DescribeApiGroupRequest(group_id=group_id)
    response = await c.caller.call(
        "cloudapi", "DescribeApiGroup", lambda: c.cloudapi.describe_api_group_async(request)
    )
    return response.body.instance_id or ""

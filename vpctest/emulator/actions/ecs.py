"""ECS (2014-05-26): instances, network interfaces, security groups, prefix lists, port lists
and Cloud Assistant.

An unknown port list answers 404 `InvalidPortRangeListId.NotFound` (a best guess at the real
code, not checked against a live account).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import re
from typing import Any

from vpctest.emulator import network
from vpctest.emulator.actions.registry import (
    CREATED,
    Context,
    Invocation,
    InvocationResult,
    action,
    vswitch_id,
)
from vpctest.emulator.errors import ApiError, invalid_parameter, missing_parameter
from vpctest.emulator.params import Params, page_numbers, paginate, token_page
from vpctest.emulator.products import ECS
from vpctest.emulator.world import (
    PROTOCOLS,
    EcsInstance,
    PortRangeList,
    SecurityGroup,
    SgRule,
    World,
    port_range_problem,
)

STATUS_CODES = {"Pending": 0, "Running": 1, "Starting": 2, "Stopping": 64, "Stopped": 128}
HEALTH_CODES = {
    "Ok": 0,
    "Initializing": 1,
    "InsufficientData": 2,
    "NotApplicable": 3,
    "Maintaining": 32,
    "Warning": 64,
    "Impaired": 128,
}


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def mac_address(resource_id: str) -> str:
    return ":".join(["00", "16", "3e"] + [_digest(resource_id, 6)[k : k + 2] for k in (0, 2, 4)])


def primary_eni_id(instance: EcsInstance) -> str:
    return "eni-" + _digest(instance.id, 20)


def instance_view(world: World, i: EcsInstance) -> dict[str, Any]:
    mac = mac_address(i.id)
    secondary = [
        {
            "NetworkInterfaceId": e.id,
            "Type": "Secondary",
            "MacAddress": mac_address(e.id),
            "PrimaryIpAddress": e.private_ip,
            "PrivateIpSets": {
                "PrivateIpSet": [{"PrivateIpAddress": e.private_ip, "Primary": True}]
            },
        }
        for e in world.attached_enis(i.id)
    ]
    return {
        "InstanceId": i.id,
        "InstanceName": i.id,
        "HostName": i.id,
        "Description": "",
        "Status": i.status,
        "RegionId": world.region,
        "ZoneId": f"{world.region}-h",
        "InstanceType": "ecs.g7.large",
        "InstanceTypeFamily": "ecs.g7",
        "Cpu": 2,
        "Memory": 8192,
        "OSType": "linux",
        "OSName": "Alibaba Cloud Linux  3.2104 LTS 64位",
        "OSNameEn": "Alibaba Cloud Linux  3.2104 LTS 64 bit",
        "ImageId": "aliyun_3_x64_20G_alibase_20240528.vhd",
        "InstanceNetworkType": "vpc",
        "InstanceChargeType": "PostPaid",
        "InternetChargeType": "PayByTraffic",
        "InternetMaxBandwidthIn": 0,
        "InternetMaxBandwidthOut": 0,
        "CreationTime": "2024-05-01T08:00Z",
        "StartTime": "2024-05-01T08:01Z",
        "ExpiredTime": "2099-12-31T15:59Z",
        "StoppedMode": "Not-applicable" if i.status != "Stopped" else "KeepCharging",
        "IoOptimized": True,
        "DeletionProtection": False,
        "DeviceAvailable": True,
        "Recyclable": False,
        "ResourceGroupId": "",
        "SerialNumber": _digest(i.id + "serial", 32),
        "VpcAttributes": {
            "VpcId": i.vpc_id,
            "VSwitchId": vswitch_id(i.vpc_id),
            "PrivateIpAddress": {"IpAddress": [i.private_ip]},
            "NatIpAddress": "",
        },
        "InnerIpAddress": {"IpAddress": []},
        "PublicIpAddress": {"IpAddress": []},
        "RdmaIpAddress": {"IpAddress": []},
        "EipAddress": {"AllocationId": "", "IpAddress": "", "InternetChargeType": ""},
        "SecurityGroupIds": {"SecurityGroupId": list(i.security_groups)},
        "NetworkInterfaces": {
            "NetworkInterface": [
                {
                    "NetworkInterfaceId": primary_eni_id(i),
                    "Type": "Primary",
                    "MacAddress": mac,
                    "PrimaryIpAddress": i.private_ip,
                    "PrivateIpSets": {
                        "PrivateIpSet": [{"PrivateIpAddress": i.private_ip, "Primary": True}]
                    },
                },
                *secondary,
            ]
        },
        "OperationLocks": {"LockReason": []},
        "Tags": {"Tag": []},
    }


@action(ECS, "DescribeInstances")
def describe_instances(ctx: Context) -> dict[str, Any]:
    p = ctx.params
    ids = p.json_list("InstanceIds", max_items=100)
    ips = p.json_list("PrivateIpAddresses", max_items=100)
    network_type = p.str("InstanceNetworkType")

    def wanted(i: EcsInstance) -> bool:
        return (
            (ids is None or i.id in ids)
            # only the instance's primary private IP matches, never an ENI's (as the real API)
            and (ips is None or i.private_ip in ips)
            and p.str("VpcId") in (None, i.vpc_id)
            and (p.str("SecurityGroupId") is None or p.str("SecurityGroupId") in i.security_groups)
            and p.str("Status") in (None, i.status)
            and p.str("InstanceName") in (None, i.id)
            and network_type in (None, "vpc")
        )

    page = paginate(
        p,
        [i for i in ctx.world.ecs_instances if wanted(i)],
        default_size=10,
        max_size=100,
        token_max=100,
        token_min=10,  # MaxResults below 10 means 10, above 100 means 100
        clamp=True,
    )
    return {
        "Instances": {"Instance": [instance_view(ctx.world, i) for i in page.items]},
        **page.fields,
    }


@action(ECS, "DescribeInstancesFullStatus")
def describe_instances_full_status(ctx: Context) -> dict[str, Any]:
    p = ctx.params
    ids = p.repeated("InstanceId")
    if len(ids) > 100:
        raise invalid_parameter("InstanceId", "At most 100 instance IDs are allowed.")
    instances = [
        i
        for i in ctx.world.ecs_instances
        if (not ids or i.id in ids)
        and p.str("Status") in (None, i.status)
        and p.str("HealthStatus") in (None, i.health)
    ]
    page = paginate(p, instances, default_size=10, max_size=100)
    return {
        "InstanceFullStatusSet": {
            "InstanceFullStatusType": [
                {
                    "InstanceId": i.id,
                    "Status": {"Name": i.status, "Code": STATUS_CODES.get(i.status, 0)},
                    "HealthStatus": {"Name": i.health, "Code": HEALTH_CODES[i.health]},
                    "ScheduledSystemEventSet": {"ScheduledSystemEventType": []},
                }
                for i in page.items
            ]
        },
        **page.fields,
    }


# --- network interfaces ------------------------------------------------------------------------


def eni_row(
    world: World,
    *,
    eni_id: str,
    kind: str,
    ip: str,
    groups: list[str],
    vpc_id: str,
    instance_id: str,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "NetworkInterfaceId": eni_id,
        "NetworkInterfaceName": eni_id,
        "Description": "",
        "Type": kind,
        "Status": "InUse" if instance_id else "Available",
        "InstanceId": instance_id,
        "VpcId": vpc_id,
        "VSwitchId": vswitch_id(vpc_id),
        "ZoneId": f"{world.region}-h",
        "PrivateIpAddress": ip,
        "PrivateIpSets": {"PrivateIpSet": [{"PrivateIpAddress": ip, "Primary": True}]},
        "SecurityGroupIds": {"SecurityGroupId": list(groups)},
        "MacAddress": mac_address(instance_id if kind == "Primary" else eni_id),
        "CreationTime": CREATED,
        "ResourceGroupId": "",
        "ServiceManaged": False,
        "OwnerId": "1234567890123456",
        "NetworkInterfaceTrafficMode": "Standard",
        "QueueNumber": 2,
        "DeleteOnRelease": kind == "Primary",
        "SourceDestCheck": True,
        "Ipv6Sets": {"Ipv6Set": []},
        "Ipv4PrefixSets": {"Ipv4PrefixSet": []},
        "Ipv6PrefixSets": {"Ipv6PrefixSet": []},
        "Tags": {"Tag": []},
    }
    if instance_id:
        row["Attachment"] = {
            "InstanceId": instance_id,
            "DeviceIndex": 0 if kind == "Primary" else 1,
            "NetworkCardIndex": 0,
        }
    return row


def all_eni_rows(world: World) -> list[dict[str, Any]]:
    """Every ENI of the account: each instance's Primary one, then the Secondary ones."""
    primaries = [
        eni_row(
            world,
            eni_id=primary_eni_id(i),
            kind="Primary",
            ip=i.private_ip,
            groups=i.security_groups,
            vpc_id=i.vpc_id,
            instance_id=i.id,
        )
        for i in world.ecs_instances
    ]
    secondaries = [
        eni_row(
            world,
            eni_id=e.id,
            kind="Secondary",
            ip=e.private_ip,
            groups=e.security_groups,
            vpc_id=e.vpc_id,
            instance_id=e.instance_id,
        )
        for e in world.network_interfaces
    ]
    return primaries + secondaries


@action(ECS, "DescribeNetworkInterfaces")
def describe_network_interfaces(ctx: Context) -> dict[str, Any]:
    """ENIs, Primary and Secondary; paged by MaxResults (10..500, clamped, default 10) and
    NextToken, or (deprecated) PageNumber/PageSize."""
    p = ctx.params
    ids = p.repeated("NetworkInterfaceId")
    ips = p.repeated("PrivateIpAddress")
    if len(ids) > 100 or len(ips) > 100:
        raise invalid_parameter("NetworkInterfaceId", "At most 100 values are allowed.")
    kind = p.choice("Type", ("Primary", "Secondary"))
    group = p.str("SecurityGroupId")

    def wanted(row: dict[str, Any]) -> bool:
        row_ips = [x["PrivateIpAddress"] for x in row["PrivateIpSets"]["PrivateIpSet"]]
        return (
            (not ids or row["NetworkInterfaceId"] in ids)
            and (not ips or any(ip in ips for ip in row_ips))
            and p.str("PrimaryIpAddress") in (None, row["PrivateIpAddress"])
            and kind in (None, row["Type"])
            # the filter finds secondary ENIs only (primary ones: DescribeInstances)
            and (
                group is None
                or (
                    row["Type"] == "Secondary"
                    and group in row["SecurityGroupIds"]["SecurityGroupId"]
                )
            )
            and p.str("InstanceId") in (None, row["InstanceId"])
            and p.str("VpcId") in (None, row["VpcId"])
            and p.str("VSwitchId") in (None, row["VSwitchId"])
            and p.str("Status") in (None, row["Status"])
            and p.str("NetworkInterfaceName") in (None, row["NetworkInterfaceName"])
        )

    rows = [row for row in all_eni_rows(ctx.world) if wanted(row)]
    by_numbers = ("PageNumber" in p or "PageSize" in p) and not (
        "MaxResults" in p or "NextToken" in p
    )
    if by_numbers:  # the deprecated form, only when asked for
        page = page_numbers(p, rows, default_size=10, max_size=500, clamp=True)
    else:
        page = token_page(p, rows, default_size=10, max_size=500, min_size=10, clamp=True)
    fields = {k: v for k, v in page.fields.items() if k != "MaxResults"}
    return {"NetworkInterfaceSets": {"NetworkInterfaceSet": page.items}, **fields}


# --- security groups ---------------------------------------------------------------------------


def group_view(world: World, g: SecurityGroup) -> dict[str, Any]:
    members = len(world.members(g.id))
    return {
        "SecurityGroupId": g.id,
        "SecurityGroupName": g.id,
        "Description": "",
        "VpcId": g.vpc_id,
        "SecurityGroupType": g.type,
        "CreationTime": CREATED,
        "ServiceManaged": False,
        "ResourceGroupId": "",
        "RuleCount": len(g.inbound),
        "GroupToGroupRuleCount": sum(1 for r in g.inbound if r.source_group),
        "EcsCount": members,
        "AvailableInstanceAmount": (2000 if g.type == "normal" else 65536) - members,
        "Tags": {"Tag": []},
    }


def permission_view(r: SgRule) -> dict[str, Any]:
    """A rule as DescribeSecurityGroupAttribute returns it (a port-list rule: empty PortRange)."""
    return {
        "SecurityGroupRuleId": r.id,
        "Direction": "ingress",
        "Policy": r.policy.capitalize(),
        "Priority": str(r.priority),
        "IpProtocol": r.protocol,
        "PortRange": r.port_range,
        "SourcePortRange": "",
        "SourceCidrIp": r.source_cidr,
        "SourceGroupId": r.source_group,
        "SourceGroupName": r.source_group,
        "SourceGroupOwnerAccount": "",
        "SourcePrefixListId": r.source_prefix_list,
        "SourcePrefixListName": r.source_prefix_list,
        "Ipv6SourceCidrIp": "",
        "DestCidrIp": "",
        "DestGroupId": "",
        "DestGroupName": "",
        "DestGroupOwnerAccount": "",
        "DestPrefixListId": "",
        "DestPrefixListName": "",
        "Ipv6DestCidrIp": "",
        "PortRangeListId": r.port_range_list,
        "PortRangeListName": r.port_range_list,
        "NicType": "intranet",
        "Description": r.description,
        "CreateTime": CREATED,
    }


def find_group(world: World, params: Params) -> SecurityGroup:
    group_id = params.str("SecurityGroupId", required=True)
    group = world.security_group(group_id)
    if group is None:
        raise ApiError(
            404, "InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId does not exist."
        )
    return group


@action(ECS, "DescribeSecurityGroups")
def describe_security_groups(ctx: Context) -> dict[str, Any]:
    p = ctx.params
    ids = p.json_list("SecurityGroupIds", max_items=100)
    groups = [
        g
        for g in ctx.world.security_groups
        if (ids is None or g.id in ids)
        and p.str("SecurityGroupId") in (None, g.id)
        and p.str("VpcId") in (None, g.vpc_id)
        and p.str("SecurityGroupType") in (None, g.type)
        and p.str("SecurityGroupName") in (None, g.id)
    ]
    page = paginate(p, groups, default_size=10, max_size=50, token_max=100)
    return {
        "RegionId": ctx.world.region,
        "SecurityGroups": {"SecurityGroup": [group_view(ctx.world, g) for g in page.items]},
        **page.fields,
    }


@action(ECS, "DescribeSecurityGroupAttribute")
def describe_security_group_attribute(ctx: Context) -> dict[str, Any]:
    p = ctx.params
    group = find_group(ctx.world, p)
    direction = p.choice("Direction", ("ingress", "egress", "all"), default="all")
    rules = group.inbound if direction in ("ingress", "all") else []
    page = token_page(p, rules, default_size=500, max_size=1000, min_size=10)
    body: dict[str, Any] = {
        "RegionId": ctx.world.region,
        "SecurityGroupId": group.id,
        "SecurityGroupName": group.id,
        "Description": "",
        "VpcId": group.vpc_id,
        "InnerAccessPolicy": group.inner_access_policy,
        "Permissions": {"Permission": [permission_view(r) for r in page.items]},
    }
    if "NextToken" in page.fields:
        body["NextToken"] = page.fields["NextToken"]
    return body


@action(ECS, "DescribePrefixListAttributes")
def describe_prefix_list_attributes(ctx: Context) -> dict[str, Any]:
    prefix_list_id = ctx.params.str("PrefixListId", required=True)
    prefix_list = ctx.world.prefix_list(prefix_list_id)
    if prefix_list is None:
        raise ApiError(
            404, "InvalidPrefixListId.NotFound", "The specified prefix list was not found."
        )
    return {
        "PrefixListId": prefix_list.id,
        "PrefixListName": prefix_list.id,
        "AddressFamily": "IPv4",
        "MaxEntries": max(20, len(prefix_list.entries)),
        "Description": "",
        "CreationTime": CREATED,
        "Entries": {"Entry": [{"Cidr": e, "Description": ""} for e in prefix_list.entries]},
    }


# --- port lists ----------------------------------------------------------------------------------


def find_port_range_list(world: World, params: Params) -> PortRangeList:
    list_id = params.str("PortRangeListId", required=True)
    port_list = world.port_range_list(list_id)
    if port_list is None:
        raise port_range_list_not_found()
    return port_list


def port_range_list_not_found() -> ApiError:
    return ApiError(
        404, "InvalidPortRangeListId.NotFound", "The specified port range list does not exist."
    )


def port_list_associations(world: World, list_id: str) -> int:
    return sum(
        1 for g in world.security_groups if any(r.port_range_list == list_id for r in g.inbound)
    )


@action(ECS, "DescribePortRangeListEntries")
def describe_port_range_list_entries(ctx: Context) -> dict[str, Any]:
    port_list = find_port_range_list(ctx.world, ctx.params)
    return {"Entries": [{"PortRange": e, "Description": ""} for e in port_list.entries]}


@action(ECS, "DescribePortRangeLists")
def describe_port_range_lists(ctx: Context) -> dict[str, Any]:
    p = ctx.params
    ids = p.repeated("PortRangeListId")
    name = p.str("PortRangeListName")
    lists = [
        x for x in ctx.world.port_range_lists if (not ids or x.id in ids) and name in (None, x.id)
    ]
    page = token_page(p, lists, default_size=10, max_size=100)
    body: dict[str, Any] = {
        "PortRangeLists": [
            {
                "PortRangeListId": x.id,
                "PortRangeListName": x.id,
                "Description": "",
                "MaxEntries": max(20, len(x.entries)),
                "AssociationCount": port_list_associations(ctx.world, x.id),
                "CreationTime": CREATED,
                "ResourceGroupId": "",
                "Tags": [],
            }
            for x in page.items
        ]
    }
    if "NextToken" in page.fields:
        body["NextToken"] = page.fields["NextToken"]
    return body


# --- writing security-group rules ----------------------------------------------------------------

RULE_PARAMS = (
    "IpProtocol",
    "PortRange",
    "Policy",
    "Priority",
    "SourceCidrIp",
    "SourceGroupId",
    "SourcePrefixListId",
    "Description",
    "NicType",
    "SourcePortRange",
    "DestCidrIp",
    "Ipv6SourceCidrIp",
    "Ipv6DestCidrIp",
    "SourceGroupOwnerAccount",
    "SourceGroupOwnerId",
    "PortRangeListId",
)


def requested_permissions(p: Params) -> list[dict[str, str]]:
    """`Permissions.N.*`, or the legacy flat parameters as one permission (not both)."""
    permissions = p.repeated_objects("Permissions")
    flat = {k: p.raw[k] for k in RULE_PARAMS if p.raw.get(k)}
    if permissions and flat:
        raise ApiError(
            400,
            "InvalidParam.Permissions",
            "The specified parameter Permissions cannot coexist with other parameters.",
        )
    return permissions or ([flat] if flat else [])


def rule_from_permission(world: World, group: SecurityGroup, perm: dict[str, str]) -> SgRule:
    """A rule (without its id yet) from one permission, validated as ECS does."""
    raw_protocol = perm.get("IpProtocol")
    if not raw_protocol:
        raise missing_parameter("IpProtocol")
    protocol = next((x for x in PROTOCOLS if x.lower() == raw_protocol.lower()), None)
    if protocol is None:
        raise ApiError(
            400,
            "InvalidIpProtocol.ValueNotSupported",
            "The parameter IpProtocol must be specified with case insensitive TCP, UDP, ICMP, "
            "GRE or All.",
        )
    port_range = perm.get("PortRange") or ""
    port_list = perm.get("PortRangeListId") or ""
    if port_list:
        if port_range:
            raise invalid_parameter(
                "PortRangeListId", "PortRange and PortRangeListId cannot both be set."
            )
        if protocol not in ("TCP", "UDP"):
            raise invalid_parameter("PortRangeListId", "A port list takes TCP or UDP rules only.")
        if world.port_range_list(port_list) is None:
            raise port_range_list_not_found()
    elif not port_range:
        raise ApiError(
            400, "InvalidPortRange.Malformed", "The specified parameter PortRange must set."
        )
    if not port_list and (problem := port_range_problem(protocol, port_range)):
        raise ApiError(
            400,
            "InvalidParam.PortRange",
            f"The specified parameter PortRange is not valid: {problem}",
        )
    try:
        priority = int(perm.get("Priority") or 1)
    except ValueError:
        raise ApiError(
            400, "InvalidPriority.Malformed", "The parameter Priority is invalid."
        ) from None
    if not 1 <= priority <= 100:
        raise ApiError(
            400,
            "InvalidPriority.ValueNotSupported",
            "The specified parameter Priority is invalid: valid values are 1 to 100.",
        )
    policy = (perm.get("Policy") or "accept").lower()
    if policy not in ("accept", "drop"):
        raise ApiError(
            400, "InvalidPolicy.Malformed", "The specified parameter Policy is not valid."
        )
    if perm.get("Ipv6SourceCidrIp") or perm.get("Ipv6DestCidrIp"):
        raise invalid_parameter("Ipv6SourceCidrIp", "The emulator serves IPv4 rules only.")
    cidr = perm.get("SourceCidrIp") or ""
    if cidr:
        try:
            cidr = str(ipaddress.IPv4Network(cidr, strict=False))
        except ValueError:
            raise ApiError(
                400,
                "InvalidSourceCidrIp.Malformed",
                "The specified parameter SourceCidrIp is not valid.",
            ) from None
    source_group = perm.get("SourceGroupId") or ""
    if source_group:
        other = world.security_group(source_group)
        if other is None:
            raise ApiError(
                404,
                "InvalidSourceGroupId.NotFound",
                "The SourceGroupId provided does not exist in our records.",
            )
        if other.vpc_id != group.vpc_id:
            raise ApiError(
                400,
                "InvalidSourceGroupId.Mismatch",
                "Specified security group and source group are not in the same VPC.",
            )
    prefix_list = perm.get("SourcePrefixListId") or ""
    if prefix_list and world.prefix_list(prefix_list) is None:
        raise ApiError(
            404, "InvalidPrefixListId.NotFound", "The specified prefix list was not found."
        )
    if not (cidr or source_group or prefix_list):
        raise ApiError(
            400,
            "MissingParameter.Source",
            "One of the parameters SourceCidrIp, Ipv6SourceCidrIp, SourceGroupId or "
            "SourcePrefixListId must be specified.",
        )
    if group.type == "enterprise" and (policy == "drop" or source_group):
        raise ApiError(
            400,
            "InvalidGroupParameter.OperationDenied",
            "The attributes Policy, SourceGroupId, DestGroupId of enterprise level security "
            "groups are not allowed to be set or modified.",
        )
    description = perm.get("Description") or ""
    if len(description) > 512:
        raise ApiError(
            400,
            "InvalidSecurityGroupDiscription.Malformed",
            "The specified security group rule description is not valid.",
        )
    return SgRule(
        id="",
        protocol=protocol,
        port_range=port_range,
        port_range_list=port_list,
        policy=policy,
        priority=priority,
        source_cidr=cidr,
        source_group=source_group,
        source_prefix_list=prefix_list,
        description=description,
    )


@action(ECS, "AuthorizeSecurityGroup")
def authorize_security_group(ctx: Context) -> dict[str, Any]:
    group = find_group(ctx.world, ctx.params)
    permissions = requested_permissions(ctx.params)
    if not permissions:
        raise missing_parameter("IpProtocol")
    rules = [rule_from_permission(ctx.world, group, perm) for perm in permissions]
    identities = [r.identity() for r in rules]
    if len(set(identities)) != len(identities):
        raise ApiError(
            400,
            "InvalidParam.DuplicatePermissions",
            "There are duplicate permissions in the specified parameter Permissions.",
        )
    existing = {r.identity() for r in group.inbound}
    for rule in rules:
        if rule.identity() not in existing:  # an existing rule is left alone: success, no change
            rule.id = group.new_rule_id()
            group.inbound.append(rule)
    return {}


@action(ECS, "RevokeSecurityGroup")
def revoke_security_group(ctx: Context) -> dict[str, Any]:
    group = find_group(ctx.world, ctx.params)
    rule_ids = ctx.params.repeated("SecurityGroupRuleId")
    if rule_ids:
        by_id = {r.id: r for r in group.inbound}
        for rule_id in rule_ids:
            if rule_id not in by_id:
                raise ApiError(
                    404,
                    "InvalidSecurityGroupRuleId.NotFound",
                    "The specified SecurityGroupRuleId is not exists.",
                )
        doomed = set(rule_ids)
    else:
        permissions = requested_permissions(ctx.params)
        if not permissions:
            raise missing_parameter("SecurityGroupRuleId.N")
        doomed = set()
        for perm in permissions:
            wanted = rule_from_permission(ctx.world, group, perm).identity()
            match = next((r for r in group.inbound if r.identity() == wanted), None)
            if match is None:
                raise ApiError(
                    400,
                    "InvalidSecurityGroupRule.RuleNotExist",
                    "The specified rule does not exist.",
                )
            doomed.add(match.id)
    group.inbound = [r for r in group.inbound if r.id not in doomed]
    return {}


# --- Cloud Assistant ----------------------------------------------------------------------------

DEV_TCP = re.compile(r"/dev/tcp/([A-Za-z0-9.\-]+)/(\d+)")
SHELL_TYPES = ("RunShellScript", "RunBatScript", "RunPowerShellScript")


def run_script(world: World, instance: EcsInstance, script: str) -> InvocationResult:
    """Run what the emulator understands of a shell script: its bash /dev/tcp connects."""
    for host, port in DEV_TCP.findall(script):
        outcome = network.probe(world, instance, host, int(port))
        if outcome == "open":
            continue
        reason = "Connection refused" if outcome == "refused" else "Connection timed out"
        exit_code = 124 if outcome == "timeout" and "timeout " in script else 1
        return InvocationResult(
            instance.id,
            "Failed",
            exit_code,
            f"bash: connect: {reason}\nbash: line 1: /dev/tcp/{host}/{port}: {reason}\n",
            "ExitCodeNonzero",
            "the command execution exit code is not zero",
        )
    return InvocationResult(instance.id, "Success", 0, "")


@action(ECS, "RunCommand")
def run_command(ctx: Context) -> dict[str, Any]:
    p = ctx.params
    command_type = p.str("Type", required=True)
    if command_type not in SHELL_TYPES:
        raise ApiError(400, "InvalidCmdType.NotFound", "The specified command type does not exist.")
    content = p.str("CommandContent", required=True)
    if p.str("ContentEncoding", default="").lower() == "base64":
        try:
            content = base64.b64decode(content, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise invalid_parameter("CommandContent", "It is not valid Base64.") from None
    instance_ids = p.repeated("InstanceId")
    if not instance_ids:
        raise missing_parameter("InstanceId.1")
    if len(instance_ids) > 100:
        raise invalid_parameter("InstanceId", "At most 100 instances are allowed.")
    instances = []
    for instance_id in instance_ids:
        instance = ctx.world.ecs(instance_id)
        if instance is None:
            raise ApiError(
                404,
                "InvalidInstanceId.NotFound",
                f"The specified InstanceId {instance_id} does not exist.",
            )
        if instance.status != "Running":
            raise ApiError(
                400,
                "InvalidInstance.NotRunning",
                f"The specified instance {instance_id} is not in the Running state.",
            )
        instances.append(instance)
    results = []
    for instance in instances:
        if not instance.cloud_assistant:
            results.append(
                InvocationResult(
                    instance.id,
                    "Aborted",
                    None,
                    "",
                    "ClientNotRunning",
                    "the aliyun service is not running on the instance",
                )
            )
        elif command_type != "RunShellScript":
            results.append(
                InvocationResult(
                    instance.id,
                    "Invalid",
                    None,
                    "",
                    "CommandNotApplicable",
                    "the command is not applicable",
                )
            )
        else:
            results.append(run_script(ctx.world, instance, content))
    invocation = Invocation(
        invoke_id=ctx.state.next_id("t", ctx.world.region),
        command_id=ctx.state.next_id("c", ctx.world.region),
        name=p.str("Name", default=""),
        results=results,
        started=ctx.state.clock(),
        running_ms=ctx.world.faults.probe_running_ms,
    )
    ctx.state.invocations[invocation.invoke_id] = invocation
    return {"CommandId": invocation.command_id, "InvokeId": invocation.invoke_id}


def invocation_result_view(
    inv: Invocation, r: InvocationResult, base64_output: bool, running: bool = False
) -> dict[str, Any]:
    """One instance's result; while the invocation is `running` (rule 11): Running, no exit code,
    no output yet."""
    if running and r.exit_code is not None:
        r = InvocationResult(r.instance_id, "Running", None, "")
    output = r.output.encode()
    view: dict[str, Any] = {
        "CommandId": inv.command_id,
        "InvokeId": inv.invoke_id,
        "InstanceId": r.instance_id,
        "InvocationStatus": r.status,
        "InvokeRecordStatus": "Running" if r.status == "Running" else "Finished",
        "Output": base64.b64encode(output).decode() if base64_output else r.output,
        "Dropped": 0,
        "ErrorCode": r.error_code,
        "ErrorInfo": r.error_info,
        "Repeats": 0 if r.exit_code is None else 1,
        "StartTime": CREATED,
        "FinishedTime": "" if r.status == "Running" else CREATED,
        "StopTime": "",
        "Username": "root",
        "ContainerId": "",
        "ContainerName": "",
        "Launcher": "",
        "TerminationMode": "Process",
        "Tags": {"Tag": []},
    }
    if r.exit_code is not None:
        view["ExitCode"] = r.exit_code
    return view


@action(ECS, "DescribeInvocationResults")
def describe_invocation_results(ctx: Context) -> dict[str, Any]:
    p = ctx.params
    base64_output = p.str("ContentEncoding", default="Base64").lower() != "plaintext"
    views = [
        invocation_result_view(inv, r, base64_output, ctx.state.running(inv))
        for inv in reversed(list(ctx.state.invocations.values()))
        if p.str("InvokeId") in (None, inv.invoke_id)
        and p.str("CommandId") in (None, inv.command_id)
        for r in inv.results
        if p.str("InstanceId") in (None, r.instance_id)
    ]
    rows = [v for v in views if p.str("InvokeRecordStatus") in (None, v["InvokeRecordStatus"])]
    page = paginate(p, rows, default_size=10, max_size=50, token_max=50)
    return {"Invocation": {"InvocationResults": {"InvocationResult": page.items}, **page.fields}}

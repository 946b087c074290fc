"""ECS (2014-05-26): instances, security groups, prefix lists and Cloud Assistant."""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import re
from typing import Any

from emulator import network
from emulator.actions.registry import (
    CREATED,
    ECS,
    Context,
    Invocation,
    InvocationResult,
    action,
    vswitch_id,
)
from emulator.errors import ApiError, invalid_parameter, missing_parameter
from emulator.params import Params, paginate, token_page
from emulator.world import (
    PROTOCOLS,
    EcsInstance,
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


def instance_view(world: World, i: EcsInstance) -> dict[str, Any]:
    mac = ":".join(["00", "16", "3e"] + [_digest(i.id, 6)[k : k + 2] for k in (0, 2, 4)])
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
                    "NetworkInterfaceId": "eni-" + _digest(i.id, 20),
                    "Type": "Primary",
                    "MacAddress": mac,
                    "PrimaryIpAddress": i.private_ip,
                    "PrivateIpSets": {
                        "PrivateIpSet": [{"PrivateIpAddress": i.private_ip, "Primary": True}]
                    },
                }
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
        "PortRangeListId": "",
        "PortRangeListName": "",
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
    port_range = perm.get("PortRange")
    if not port_range:
        raise ApiError(
            400, "InvalidPortRange.Malformed", "The specified parameter PortRange must set."
        )
    if problem := port_range_problem(protocol, port_range):
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
    )
    ctx.state.invocations[invocation.invoke_id] = invocation
    return {"CommandId": invocation.command_id, "InvokeId": invocation.invoke_id}


def invocation_result_view(
    inv: Invocation, r: InvocationResult, base64_output: bool
) -> dict[str, Any]:
    output = r.output.encode()
    view: dict[str, Any] = {
        "CommandId": inv.command_id,
        "InvokeId": inv.invoke_id,
        "InstanceId": r.instance_id,
        "InvocationStatus": r.status,
        "InvokeRecordStatus": "Finished",
        "Output": base64.b64encode(output).decode() if base64_output else r.output,
        "Dropped": 0,
        "ErrorCode": r.error_code,
        "ErrorInfo": r.error_info,
        "Repeats": 0 if r.exit_code is None else 1,
        "StartTime": CREATED,
        "FinishedTime": CREATED,
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
    rows = [
        invocation_result_view(inv, r, base64_output)
        for inv in reversed(list(ctx.state.invocations.values()))
        if p.str("InvokeId") in (None, inv.invoke_id)
        and p.str("CommandId") in (None, inv.command_id)
        for r in inv.results
        if p.str("InstanceId") in (None, r.instance_id)
        and p.str("InvokeRecordStatus") in (None, "Finished")
    ]
    page = paginate(p, rows, default_size=10, max_size=50, token_max=50)
    return {"Invocation": {"InvocationResults": {"InvocationResult": page.items}, **page.fields}}

"""The three products the emulator serves, each with the actions it declares.

The declaration is the emulator's manifest: the action registry refuses a handler for an
undeclared action, a test holds the two in step, and a world's `faults:` section is checked
against it without importing the handlers (which import the world).
"""

from __future__ import annotations

from dataclasses import dataclass

CLOUDAPI = "2016-07-14"
ECS = "2014-05-26"
SLB = "2014-05-15"


@dataclass(frozen=True)
class Product:
    key: str  # the RAM action prefix: apigateway, ecs, slb
    name: str  # as the troubleshooting link names it
    host: str  # HostId in error bodies; {region} is filled in
    actions: frozenset[str]  # what the emulator serves of it


PRODUCTS = {
    CLOUDAPI: Product(
        "apigateway",
        "CloudAPI",
        "apigateway.{region}.aliyuncs.com",
        frozenset(
            {
                "DescribeAccessControlListAttribute",
                "DescribeApiGroup",
                "DescribeApisByVpcAccess",
                "DescribeInstances",
                "DescribeVpcAccesses",
                "ValidateVpcConnectivity",
            }
        ),
    ),
    ECS: Product(
        "ecs",
        "Ecs",
        "ecs.{region}.aliyuncs.com",
        frozenset(
            {
                "AuthorizeSecurityGroup",
                "DescribeInstances",
                "DescribeInstancesFullStatus",
                "DescribeInvocationResults",
                "DescribeNetworkInterfaces",
                "DescribePortRangeListEntries",
                "DescribePortRangeLists",
                "DescribePrefixListAttributes",
                "DescribeRegions",
                "DescribeSecurityGroupAttribute",
                "DescribeSecurityGroups",
                "RevokeSecurityGroup",
                "RunCommand",
            }
        ),
    ),
    SLB: Product(
        "slb",
        "Slb",
        "slb.{region}.aliyuncs.com",
        frozenset(
            {
                "AddAccessControlListEntry",
                "DescribeAccessControlListAttribute",
                "DescribeHealthStatus",
                "DescribeLoadBalancerAttribute",
                "DescribeLoadBalancerHTTPListenerAttribute",
                "DescribeLoadBalancerHTTPSListenerAttribute",
                "DescribeLoadBalancerListeners",
                "DescribeLoadBalancerTCPListenerAttribute",
                "DescribeLoadBalancerUDPListenerAttribute",
                "DescribeLoadBalancers",
                "DescribeMasterSlaveServerGroupAttribute",
                "DescribeMasterSlaveServerGroups",
                "DescribeVServerGroupAttribute",
                "DescribeVServerGroups",
                "RemoveAccessControlListEntry",
            }
        ),
    ),
}


def action_names() -> set[str]:
    """Every served action, bare (`DescribeInstances`) and qualified (`ecs:DescribeInstances`)."""
    return {name for p in PRODUCTS.values() for name in p.actions} | {
        f"{p.key}:{name}" for p in PRODUCTS.values() for name in p.actions
    }

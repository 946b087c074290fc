"""Every cloud read of one run, each made once and shared by all the authorizations."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from vpctest.diagnostics.batching import Batcher
from vpctest.diagnostics.cloud import apigateway, ecs, slb
from vpctest.diagnostics.cloud.clients import CloudClients
from vpctest.diagnostics.errors import CloudError
from vpctest.diagnostics.facts import (
    ApiRef,
    BackendHealth,
    ClbAcl,
    EcsInstance,
    Gateway,
    LoadBalancer,
    NetworkInterface,
    ProbeResult,
    SecurityGroup,
    ServerGroup,
    VpcAccess,
)

T = TypeVar("T")
NOT_FOUND_CODES = ("InvalidLoadBalancerId.NotFound", "InvalidInstanceId.NotFound")


class Lookups:
    """Memoised reads: the first caller of a key starts the call, later ones share it."""

    def __init__(self, clients: CloudClients) -> None:
        self.clients = clients
        self._memo: dict[tuple[str, Hashable], asyncio.Future[Any]] = {}
        self.distinct: Counter[str] = Counter()  # distinct keys read, per RAM action name
        self._instances = Batcher(self._fetch_instances)
        self._health = Batcher(self._fetch_health)
        self._enis = Batcher(self._fetch_enis)

    def _once(self, action: str, key: Hashable, read: Callable[[], Awaitable[T]]) -> Awaitable[T]:
        memo_key = (action, key)
        if memo_key not in self._memo:
            self.distinct[action] += 1
            future = asyncio.ensure_future(read())
            # A read started ahead of need may never be awaited: mark its error as seen.
            future.add_done_callback(lambda f: f.cancelled() or f.exception())
            self._memo[memo_key] = future
        return self._memo[memo_key]

    # API Gateway

    def gateways(self, gateway_id: str | None = None) -> Awaitable[list[Gateway]]:
        return self._once(
            "apigateway:DescribeInstances",
            gateway_id,
            lambda: apigateway.list_gateways(self.clients, gateway_id),
        )

    def vpc_accesses(self) -> Awaitable[list[VpcAccess]]:
        return self._once(
            "apigateway:DescribeVpcAccesses",
            None,
            lambda: apigateway.list_vpc_accesses(self.clients),
        )

    def connectivity(self, gateway_id: str, vpc_access_id: str) -> Awaitable[tuple[bool, str]]:
        return self._once(
            "apigateway:ValidateVpcConnectivity",
            (gateway_id, vpc_access_id),
            lambda: apigateway.validate_connectivity(self.clients, gateway_id, vpc_access_id),
        )

    def apis(self, vpc_access_name: str) -> Awaitable[list[ApiRef]]:
        return self._once(
            "apigateway:DescribeApisByVpcAccess",
            vpc_access_name,
            lambda: apigateway.apis_by_vpc_access(self.clients, vpc_access_name),
        )

    def api_group_gateway(self, group_id: str) -> Awaitable[str]:
        """The gateway instance an API group is deployed on."""
        return self._once(
            "apigateway:DescribeApiGroup",
            group_id,
            lambda: apigateway.api_group_instance(self.clients, group_id),
        )

    def gateway_acl_entries(self, acl_id: str) -> Awaitable[tuple[str, ...]]:

        return self._once(
            "apigateway:DescribeAccessControlListAttribute",
            acl_id,
            lambda: apigateway.gateway_acl_entries(self.clients, acl_id),
        )

    # ECS

    async def _fetch_instances(self, ids: list[str]) -> dict[str, EcsInstance]:
        return await ecs.instances_by_id(self.clients, ids)

    async def _fetch_health(self, ids: list[str]) -> dict[str, tuple[str, str]]:
        return await ecs.health_by_id(self.clients, ids)

    async def _fetch_enis(self, ids: list[str]) -> dict[str, NetworkInterface]:
        return await ecs.network_interfaces_by_id(self.clients, ids)

    def network_interface(self, eni_id: str) -> Awaitable[NetworkInterface | None]:
        """None when no such interface exists; ids batch 100 per call."""
        return self._once("ecs:DescribeNetworkInterfaces", eni_id, lambda: self._enis.load(eni_id))

    def enis_by_ip(self, vpc_id: str, ip: str) -> Awaitable[list[NetworkInterface]]:
        return self._once(
            "ecs:DescribeNetworkInterfaces",
            ("ip", vpc_id, ip),
            lambda: ecs.network_interfaces_by_ip(self.clients, vpc_id, ip),
        )

    def ecs_instance(self, instance_id: str) -> Awaitable[EcsInstance | None]:
        """None when no such instance exists (DescribeInstances answers an empty list)."""
        return self._once(
            "ecs:DescribeInstances", instance_id, lambda: self._instances.load(instance_id)
        )

    def ecs_health(self, instance_id: str) -> Awaitable[tuple[str, str] | None]:
        """(status, health status) of DescribeInstancesFullStatus."""
        return self._once(
            "ecs:DescribeInstancesFullStatus", instance_id, lambda: self._health.load(instance_id)
        )

    def ecs_by_ip(self, vpc_id: str, ip: str) -> Awaitable[list[EcsInstance]]:
        return self._once(
            "ecs:DescribeInstances",
            ("ip", vpc_id, ip),
            lambda: ecs.instances_by_private_ip(self.clients, vpc_id, ip),
        )

    def security_group(self, group_id: str) -> Awaitable[SecurityGroup]:
        return self._once(
            "ecs:DescribeSecurityGroupAttribute",
            group_id,
            lambda: self._read_security_group(group_id),
        )

    async def _read_security_group(self, group_id: str) -> SecurityGroup:
        """The group's rules with their prefix lists and port lists expanded."""
        vpc_id, rules = await ecs.security_group_rules(self.clients, group_id)
        prefix_ids = list({r.source_prefix_list_id for r in rules if r.source_prefix_list_id})
        port_ids = list({r.port_range_list_id for r in rules if r.port_range_list_id})
        cidrs, ranges = await asyncio.gather(
            asyncio.gather(*map(self.prefix_list, prefix_ids)),
            asyncio.gather(*map(self.port_range_list, port_ids)),
        )
        cidrs_of = dict(zip(prefix_ids, cidrs, strict=True))
        ranges_of = dict(zip(port_ids, ranges, strict=True))
        expanded = tuple(
            dataclasses.replace(
                r,
                source_cidrs=cidrs_of.get(r.source_prefix_list_id or "", r.source_cidrs),
                port_list_ranges=ranges_of.get(r.port_range_list_id or "", ()),
            )
            for r in rules
        )
        return SecurityGroup(
            id=group_id, vpc_id=vpc_id, group_type="", inner_access_policy="", rules=expanded
        )

    def prefix_list(self, prefix_list_id: str) -> Awaitable[tuple[str, ...]]:
        return self._once(
            "ecs:DescribePrefixListAttributes",
            prefix_list_id,
            lambda: ecs.prefix_list_cidrs(self.clients, prefix_list_id),
        )

    def port_range_list(self, list_id: str) -> Awaitable[tuple[tuple[int, int], ...]]:
        return self._once(
            "ecs:DescribePortRangeListEntries",
            list_id,
            lambda: ecs.port_range_list_entries(self.clients, list_id),
        )

    def probe(
        self, instance_id: str, ip: str, port: int, timeout_s: float = ecs.PROBE_DEADLINE_S
    ) -> Awaitable[ProbeResult]:
        return self._once(
            "ecs:RunCommand",
            (instance_id, ip, port),
            lambda: ecs.probe_tcp(self.clients, instance_id, ip, port, timeout_s),
        )

    # CLB

    def load_balancer(self, lb_id: str) -> Awaitable[LoadBalancer | None]:
        return self._once(
            "slb:DescribeLoadBalancerAttribute", lb_id, lambda: self._read_load_balancer(lb_id)
        )

    async def _read_load_balancer(self, lb_id: str) -> LoadBalancer | None:
        try:
            return await slb.load_balancer(self.clients, lb_id)
        except CloudError as exc:
            if exc.code in NOT_FOUND_CODES:
                return None
            raise

    def load_balancers_by_address(self, vpc_id: str, address: str) -> Awaitable[list[str]]:
        return self._once(
            "slb:DescribeLoadBalancers",
            (vpc_id, address),
            lambda: slb.load_balancers_by_address(self.clients, vpc_id, address),
        )

    def clb_acl(self, acl_id: str) -> Awaitable[ClbAcl]:
        return self._once(
            "slb:DescribeAccessControlListAttribute",
            acl_id,
            lambda: slb.access_control_list(self.clients, acl_id),
        )

    def clb_health(
        self, lb_id: str, port: int, protocol: str
    ) -> Awaitable[tuple[BackendHealth, ...]]:
        return self._once(
            "slb:DescribeHealthStatus",
            (lb_id, port, protocol),
            lambda: slb.health_status(self.clients, lb_id, port, protocol),
        )

    def vserver_group(self, group_id: str) -> Awaitable[ServerGroup]:
        return self._once(
            "slb:DescribeVServerGroupAttribute",
            group_id,
            lambda: slb.vserver_group(self.clients, group_id),
        )

    def master_slave_group(self, group_id: str) -> Awaitable[ServerGroup]:
        return self._once(
            "slb:DescribeMasterSlaveServerGroupAttribute",
            group_id,
            lambda: slb.master_slave_group(self.clients, group_id),
        )

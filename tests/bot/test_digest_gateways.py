"""A digest without --gateway in a region of several gateways tests each authorization
from the gateways its APIs run on."""

from __future__ import annotations

from tests.engine_helpers import clients_for, scenario
from vpctest.bot.diagnosis import DiagnosisService
from vpctest.bot.digest.run import NO_GATEWAY, diagnose


def world_with_two_gateways() -> dict:
    world = scenario("ecs-pass")
    first = world["gateways"][0]
    world["gateways"].append({**first, "id": "apigateway-b", "name": "b"})
    base = world["vpc_accesses"][0]

    def access(n: int, *gateways: str) -> dict:
        apis = [
            {"id": f"api-{n}-{g}", "name": f"Api{n}", "group_id": f"grp-{g}", "gateway_id": g}
            for g in gateways
        ]
        return {**base, "id": f"va-{n}", "name": f"orders-{n}", "apis": apis}

    world["vpc_accesses"] = [
        access(1, first["id"]),
        access(2, "apigateway-b"),
        access(3, first["id"], "apigateway-b"),
        access(4),
    ]
    return world


async def test_each_authorization_is_tested_from_the_gateways_that_use_it(emulator_server) -> None:
    server = emulator_server(world_with_two_gateways())
    found = await diagnose(DiagnosisService(clients_for(server)), None)
    tested = sorted((r.vpc_access.id, r.gateway.id) for r in found.reports)
    assert tested == [
        ("va-1", "apigateway-hz-1a2b3c"),
        ("va-2", "apigateway-b"),
        ("va-3", "apigateway-b"),
        ("va-3", "apigateway-hz-1a2b3c"),
    ]
    assert {r.verdict.value for r in found.reports} == {"pass"}
    [unused] = found.unknown
    assert unused.vpc_access_id == "va-4" and unused.root_causes == (NO_GATEWAY,)
    assert server.qualified_calls["apigateway:DescribeApiGroup"] == 2  # once per group


async def test_a_named_gateway_tests_every_authorization_from_it(emulator_server) -> None:
    server = emulator_server(world_with_two_gateways())
    found = await diagnose(DiagnosisService(clients_for(server)), "apigateway-b")
    assert sorted(r.vpc_access.id for r in found.reports) == ["va-1", "va-2", "va-3", "va-4"]
    assert found.unknown == [] and server.qualified_calls["apigateway:DescribeApiGroup"] == 0

"""Fix requests: the request modal, approve / deny / revert buttons, their views."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from vpctest.bot.fixflow import FixFlow


def register(app: AsyncApp, flow: FixFlow) -> None:
    @app.action("request_fix")
    async def request_fix(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any
    ) -> None:
        await ack()
        await flow.open_request(client, body, action)

    @app.view("fix_request")
    async def fix_request(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any
    ) -> None:
        await ack()
        await flow.submit_request(client, body, view)

    @app.action("approve")
    async def approve(ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any) -> None:
        await ack()
        await flow.approve(client, body, action)

    @app.action("deny")
    async def deny(ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any) -> None:
        await ack()
        await flow.open_deny(client, body, action)

    @app.view("deny_reason")
    async def deny_reason(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any
    ) -> None:
        await ack()
        await flow.submit_deny(client, body, view)

    @app.action("revert")
    async def revert(ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any) -> None:
        await ack()
        await flow.revert(client, body, action)

"""Build the Bolt app. The transport (HTTP or Socket Mode) is chosen in bot/serve.py;
nothing below this module knows which one runs."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.context import BotContext
from bot.deliveries import Deliveries
from bot.fixflow import FixFlow
from bot.guard import Refused, caller_of, check_workspace
from bot.listeners import actions, commands, fixes

log = logging.getLogger(__name__)


def web_client(ctx: BotContext) -> AsyncWebClient:
    """The Web API client: SLACK_API_URL, and retries after Slack's Retry-After on 429."""
    client = AsyncWebClient(token=ctx.config.bot_token, base_url=ctx.config.api_url)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
    return client


def build_app(ctx: BotContext) -> AsyncApp:
    app = AsyncApp(
        client=web_client(ctx),
        signing_secret=ctx.config.signing_secret or "",
        request_verification_enabled=not ctx.config.socket_mode,
        raise_error_for_unhandled_request=False,
    )

    @app.middleware
    async def one_workspace(body: dict[str, Any], next: Any) -> BoltResponse | None:
        """Requests from another workspace are refused before any listener runs."""
        try:
            check_workspace(ctx.config, caller_of(body))
        except Refused as exc:
            return BoltResponse(status=200, body=str(exc))
        return await next()

    @app.error
    async def on_error(error: Exception, body: dict[str, Any], respond: Any) -> None:
        """A failure becomes a message to the user, never a stack trace."""
        log.exception("listener failed", exc_info=error)
        if respond is not None and body.get("response_url"):
            text = f":warning: vpc-test hit an error and stopped: {type(error).__name__}: {error}"
            await respond(response_type="ephemeral", replace_original=False, text=text[:3000])

    deliveries = Deliveries(ctx.store.engine if ctx.store is not None else None)
    app.middleware(deliveries.middleware)  # a repeated delivery stops here, acked

    commands.register(app, ctx)
    actions.register(app, ctx)
    if ctx.store is not None:
        fixes.register(app, FixFlow(ctx, ctx.store))
    return app

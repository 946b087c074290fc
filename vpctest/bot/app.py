"""Build the Bolt app. The transport (HTTP or Socket Mode) is chosen in bot/serve.py;
nothing below this module knows which one runs."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from vpctest.bot import listeners
from vpctest.bot.context import BotContext

log = logging.getLogger(__name__)


def configure_client(client: AsyncWebClient, ctx: BotContext) -> AsyncWebClient:
    """SLACK_API_URL, and retries after Slack's Retry-After on 429."""
    client.base_url = ctx.config.api_url.rstrip("/") + "/"
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
    return client


def web_client(ctx: BotContext) -> AsyncWebClient:
    """A Web API client configured as the app's own (for work outside a request)."""
    return configure_client(AsyncWebClient(token=ctx.config.bot_token), ctx)


async def on_error(error: Exception, body: dict[str, Any], respond: Any) -> None:
    """A failure becomes a message to the user, never a stack trace."""
    log.exception("listener failed", exc_info=error)
    if respond is not None and body.get("response_url"):
        text = f":warning: vpc-test hit an error and stopped: {type(error).__name__}: {error}"
        await respond(response_type="ephemeral", replace_original=False, text=text[:3000])


def build_app(ctx: BotContext) -> AsyncApp:
    # Bolt makes the client from the token (it reads SLACK_BOT_TOKEN itself, so handing it
    # a client of our own as well made it warn that the token is unused); then the client
    # is pointed at SLACK_API_URL.
    app = AsyncApp(
        token=ctx.config.bot_token,
        signing_secret=ctx.config.signing_secret or "",
        request_verification_enabled=not ctx.config.socket_mode,
        raise_error_for_unhandled_request=False,
    )
    configure_client(app.client, ctx)

    app.error(on_error)
    listeners.register(app, ctx)
    return app

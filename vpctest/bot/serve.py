"""`vpc-test serve`: the Bolt app over HTTP (POST /slack/events) or Socket Mode, with
GET /healthz for the platform in both."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import time
from collections.abc import Callable

import aiohttp
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.authorization.async_single_team_authorization import (
    AsyncSingleTeamAuthorization,
)
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError

from vpctest.bot.ack import dispatch
from vpctest.bot.config import ConfigError
from vpctest.bot.context import BotContext
from vpctest.bot.diagnosis import acks_first
from vpctest.bot.digest.live import Digests
from vpctest.bot.fixflow import FixFlow
from vpctest.bot.inbound import Refusal, refusal
from vpctest.messages import one_line
from vpctest.telemetry.metrics import PENDING_APPROVALS, SLACK_ACK_SECONDS

log = logging.getLogger(__name__)


def http_app(
    app: AsyncApp,
    healthy: Callable[[], bool] = lambda: True,
    pending: Callable[[], int] | None = None,
) -> web.Application:
    """The aiohttp application: Slack's events endpoint, the health check and the Prometheus
    metrics (`pending` counts the fix requests awaiting a decision, read at each scrape)."""

    async def events(request: web.Request) -> web.Response:
        acks_first.begin()
        started = time.perf_counter()
        try:
            return await answer(request)
        finally:
            acks_first.end()
            SLACK_ACK_SECONDS.labels("http").observe(time.perf_counter() - started)

    async def answer(request: web.Request) -> web.Response:
        raw = await request.read()
        refused = refusal(raw, request.headers, request.content_type)
        if refused is None:
            try:
                bolt_request = AsyncBoltRequest(
                    body=raw.decode("utf-8"), query=request.query_string, headers=request.headers
                )
                bolt_response = await dispatch(app, bolt_request)
            except Exception as exc:  # Bolt reads a body it trusts
                refused = Refusal(400, f"Bolt could not handle it ({type(exc).__name__}: {exc})")
            else:
                return await to_aiohttp_response(bolt_response)
        log.warning("refused a request from %s: %s", request.remote, one_line(str(refused), 300))
        return web.Response(status=refused.status, text=f"refused: {refused}")

    async def metrics(_: web.Request) -> web.Response:
        if pending is not None:
            PENDING_APPROVALS.set(await asyncio.to_thread(pending))
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def healthz(_: web.Request) -> web.Response:
        ok = healthy()
        return web.json_response({"ok": ok}, status=200 if ok else 503)

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics)
    return web_app


EXPIRY_SWEEP_S = 60


async def expire_requests(ctx: BotContext, app: AsyncApp) -> None:
    """Every minute: expire overdue fix requests and settle interrupted ones, so their
    approval messages say so."""
    assert ctx.store is not None
    flow = FixFlow(ctx, ctx.store)
    while True:
        try:
            await flow.expire(app.client)
            await flow.recover_interrupted(app.client)
        except Exception:  # keep sweeping; the next round retries
            log.exception("expiry sweep failed")
        await asyncio.sleep(EXPIRY_SWEEP_S)


async def prime_authorization(app: AsyncApp) -> None:
    """Ask auth.test once, before serving, and hand Bolt the answer.

    Bolt asks it on the first request and caches it, so each request of a first burst
    would wait for its own auth.test before its ack. A rejected token stops the bot here.
    """
    try:
        answer = await app.client.auth_test()
    except SlackApiError as exc:
        raise ConfigError(
            f"SLACK_BOT_TOKEN was refused by Slack: {exc.response.get('error')}"
        ) from exc
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise ConfigError(
            f"SLACK_API_URL={app.client.base_url!r}: Slack did not answer auth.test "
            f"({type(exc).__name__}: {exc})"
        ) from exc
    for middleware in getattr(app, "_async_middleware_list", ()):
        if isinstance(middleware, AsyncSingleTeamAuthorization):
            middleware.auth_test_result = answer


def freeze_startup_heap() -> None:
    """Move what start-up made (modules, SDK models, the app) out of the collector's reach.

    A full collection walks every tracked object, about 70 ms with the loop stopped on
    this heap: an ack in a burst waited for it. Later collections skip the frozen part.
    """
    gc.collect()
    gc.freeze()


async def start_digests(ctx: BotContext, app: AsyncApp) -> Digests | None:
    """The digest scheduler, its jobs rebuilt from the stored subscriptions and missed
    slots caught up; None without a database."""
    digests = await ctx.open_digests(app.client)
    if digests is not None:
        caught = await digests.scheduler.start()
        log.info(
            "digests: %d slot(s) run, %d skipped at start", len(caught.ran), len(caught.skipped)
        )
    return digests


async def serve(ctx: BotContext, app: AsyncApp, host: str = "0.0.0.0") -> None:
    """Serve until SIGINT/SIGTERM."""
    await prime_authorization(app)
    socket_handler = None
    if ctx.config.socket_mode:
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        socket_handler = AsyncSocketModeHandler(app, ctx.config.app_token)
        await socket_handler.connect_async()

    def healthy() -> bool:
        return socket_handler is None or bool(socket_handler.client.is_connected())

    sweeper = asyncio.create_task(expire_requests(ctx, app)) if ctx.store else None
    digests = await start_digests(ctx, app)
    pending = ctx.store.pending_count if ctx.store else None
    runner = web.AppRunner(http_app(app, healthy, pending))
    await runner.setup()
    freeze_startup_heap()
    await web.TCPSite(runner, host, ctx.config.port).start()
    mode = "Socket Mode" if socket_handler else "HTTP"
    log.warning("vpc-test bot serving (%s) on port %d", mode, ctx.config.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        if sweeper:
            sweeper.cancel()
        if digests:
            await asyncio.to_thread(digests.close)
        if socket_handler:
            await socket_handler.close_async()
        await runner.cleanup()

"""`vpc-test serve`: validate the configuration, then run the bot until stopped."""

from __future__ import annotations

import asyncio
import os
from contextlib import ExitStack

from vpctest.bot.config import BotConfig, ConfigError
from vpctest.diagnostics.cloud.caller import CloudCaller
from vpctest.diagnostics.cloud.clients import CloudSettings, credential_client, resolve_credentials
from vpctest.diagnostics.cloud.regions import check_region
from vpctest.diagnostics.errors import UsageError
from vpctest.telemetry.logs import LogSettingError, configure_from_env


def run_serve(sandbox_world: str | None, host: str = "0.0.0.0", verbose: bool = False) -> int:
    try:
        configure_from_env(os.environ, verbose)
    except LogSettingError as exc:
        raise UsageError(str(exc)) from exc
    try:
        config = BotConfig.from_env(os.environ)
        from vpctest.bot.store import parse_database_url

        parse_database_url(config.database_url)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    with ExitStack() as stack:
        settings = CloudSettings.from_env(config.region)
        if sandbox_world is not None:
            from vpctest.cli.sandbox import sandbox

            settings = stack.enter_context(sandbox(sandbox_world or None))
        try:
            asyncio.run(_serve(config, settings, host))
        except ConfigError as exc:  # e.g. Slack refused the token
            raise UsageError(str(exc)) from exc
    return 0


async def _serve(config: BotConfig, settings: CloudSettings, host: str) -> None:
    from vpctest.bot.app import build_app
    from vpctest.bot.context import BotContext
    from vpctest.bot.diagnosis import DiagnosisService
    from vpctest.bot.serve import serve
    from vpctest.bot.store import Database, Store

    credentials = credential_client(settings)
    await resolve_credentials(credentials)
    await check_region(settings, credentials, CloudCaller())
    # The one database every store shares: fix requests, digests, seen deliveries.
    database = await asyncio.to_thread(Database.open, config.database_url)
    try:
        diagnosis = DiagnosisService.from_settings(settings, config.gateway)
        ctx = BotContext(config, diagnosis, Store(database))
        await serve(ctx, build_app(ctx), host)
    finally:
        await asyncio.to_thread(database.close)

"""`vpc-test playground`: bring everything up on loopback, print the address, serve until
Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from vpctest.emulator.server import EmulatorServer
from vpctest.emulator.world import World, load_world
from vpctest.playground import people
from vpctest.playground.bot import child_environment
from vpctest.playground.server import Playground
from vpctest.slack_emulator import SlackServer

BOT_START_S = 60.0


class PlaygroundStartError(Exception):
    """The playground cannot start as asked; the message says what to change."""


@dataclass
class Options:
    world_file: Path
    port: int = 8400
    bot_url: str | None = None  # a bot run by the user; None: start one
    database_url: str | None = None  # the managed bot's; None: a fresh SQLite file


def listen(port: int) -> socket.socket:
    """A loopback socket on `port` (0: any free one), or PlaygroundStartError naming the fix."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise PlaygroundStartError(
            f"--port {port}: cannot listen on 127.0.0.1:{port} ({exc.strerror}); "
            "pass another --port, or --port 0 for any free one"
        ) from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def new_slack() -> SlackServer:
    """The playground's Slack: its people and channels only, fresh secrets each run."""
    return SlackServer(
        token="xoxb-playground-" + secrets.token_hex(8),
        signing_secret=secrets.token_hex(16),
        team_id=people.TEAM["id"],
        users=people.user_specs(),
        channels={c.id: c.name for c in people.CHANNELS},
        strict=True,
        action_id_scope="block",  # Slack's rule: action_ids unique within a block
        keep_calls=1000,  # it runs for hours: the page needs none of the call log
    )


async def serve_page(playground: Playground, sock: socket.socket) -> web.AppRunner:
    """Serve the page and its API on `sock` (from `listen`); the runner's cleanup stops it."""
    runner = web.AppRunner(playground.app(sock.getsockname()[1]), shutdown_timeout=1.0)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return runner


def bot_settings(
    slack: SlackServer, cloud: EmulatorServer, world: World, port: int, database_url: str
) -> dict[str, str]:
    """The managed bot's environment: configured exactly as an operator would (docs/spec/bot.md)."""
    return {
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "SLACK_TEAM_ID": slack.identity.team_id,
        "SLACK_APPROVAL_CHANNEL": people.APPROVALS.id,
        "VPCTEST_APPROVERS": people.APPROVER.id,
        "VPCTEST_REGION": world.region,
        "ALIBABA_CLOUD_ACCESS_KEY_ID": world.credentials.access_key_id,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": world.credentials.access_key_secret,
        "ALIBABA_CLOUD_ENDPOINT": cloud.url,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
        # The page shows the bot's last lines: warnings and errors, as text.
        "VPCTEST_LOG_FORMAT": "text",
        "VPCTEST_LOG_LEVEL": "warning",
    }


def run(options: Options) -> int:
    """Serve until SIGINT/SIGTERM; 0 when stopped so."""
    world = load_world(options.world_file)  # WorldError names the file and the key
    sock = listen(options.port)
    with contextlib.ExitStack() as stack:
        cloud = stack.enter_context(EmulatorServer(world))
        slack = stack.enter_context(new_slack())
        asyncio.run(_serve(options, cloud, slack, world, sock, stack))
    return 0


async def _serve(
    options: Options,
    cloud: EmulatorServer,
    slack: SlackServer,
    world: World,
    sock: socket.socket,
    stack: contextlib.ExitStack,
) -> None:
    page_port = sock.getsockname()[1]
    if options.bot_url:
        events_url, bot_env = options.bot_url, None
    else:
        bot_port = free_port()
        events_url = f"http://127.0.0.1:{bot_port}/slack/events"
        database_url = options.database_url or "sqlite:///" + str(
            Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vpc-test-playground-")))
            / "bot.db"
        )
        settings = bot_settings(slack, cloud, world, bot_port, database_url)
        bot_env = child_environment(os.environ, settings)
    playground = Playground(
        cloud, slack, events_url, lambda: load_world(options.world_file), bot_env
    )
    runner = await serve_page(playground, sock)
    await playground.start()
    address = f"http://127.0.0.1:{page_port}/"
    say(f"vpc-test playground: {address}")
    if bot_env is None:
        say(f"  drive your own bot at {events_url}; configure it with")
        for key, value in bot_settings(slack, cloud, world, 0, "sqlite:///vpc-test.db").items():
            if key not in ("PORT", "DATABASE_URL", "PYTHONUNBUFFERED"):
                say(f"    {key}={value}")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    try:
        if await _until(playground.bot.wait_up(BOT_START_S), stop):
            # A fresh database has no subscription to reuse: don't ask for one.
            await playground.subscribe_digest(reuse=bool(options.bot_url or options.database_url))
            say(f"ready: the bot is up; open {address} (Ctrl-C stops)")
        elif not stop.is_set():
            say(f"the bot is not up ({playground.bot.status.detail}); the page shows why")
        await stop.wait()
    finally:
        await playground.close()
        await runner.cleanup()


async def _until(work: asyncio.Future[bool] | object, stop: asyncio.Event) -> bool:
    """`work`'s result, or False as soon as `stop` is set."""
    task = asyncio.ensure_future(work)  # type: ignore[arg-type]
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    stopper.cancel()
    if task not in done:
        task.cancel()
        return False
    return bool(task.result())


def say(line: str) -> None:
    print(line, flush=True)

"""`vpc-test playground`: the bot, both emulators and a page that plays Slack, on loopback.
Like `--sandbox`, an entry that may import `emulator`."""

from __future__ import annotations

from pathlib import Path

from vpctest.cli.sandbox import demo_world_path
from vpctest.diagnostics.errors import UsageError


def run_playground(
    world: str | None, port: int, bot_url: str | None, database_url: str | None
) -> int:
    from vpctest.emulator.world import WorldError
    from vpctest.playground.run import Options, PlaygroundStartError, run

    path = Path(world) if world else demo_world_path()
    if not path.is_file():
        raise UsageError(f"--world {path}: no such world file")
    if bot_url is not None and not bot_url.startswith(("http://", "https://")):
        raise UsageError(
            f"--bot-url {bot_url!r}: give the bot's events URL, "
            "such as http://127.0.0.1:3000/slack/events"
        )
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port}: give a TCP port (1–65535), or 0 for any free one")
    try:
        return run(Options(path, port, bot_url, database_url))
    except (WorldError, PlaygroundStartError) as exc:
        raise UsageError(str(exc)) from exc

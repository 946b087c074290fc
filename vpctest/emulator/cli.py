"""`vpc-test emulator --world FILE [--host 127.0.0.1] [--port N]`: serve a world until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from vpctest.emulator.schema import WorldError
from vpctest.emulator.server import EmulatorServer
from vpctest.emulator.world import load_world

DEMO_WORLD = Path(__file__).parent / "worlds" / "demo.yaml"
EXIT_USAGE = 3


class _Parser(argparse.ArgumentParser):
    """Bad usage: one line on stderr and exit 3, like the rest of `vpc-test`."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {' '.join(message.split())} (see --help)\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="vpc-test emulator",
        description="Serve a world file as the Alibaba Cloud CloudAPI, ECS and SLB APIs.",
    )
    p.add_argument(
        "--world",
        type=Path,
        default=DEMO_WORLD,
        help="the world YAML file to serve (default: the bundled demo world)",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--port", type=int, default=8080, help="port to listen on (default 8080; 0: any)"
    )
    return p


@contextmanager
def _stopping_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C (SIGINT) and SIGTERM set `stop` instead of interrupting (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in wanted}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse already printed why
        return 0 if exc.code == 0 else EXIT_USAGE
    if not 0 <= args.port <= 65535:
        print(
            f"vpc-test emulator: --port {args.port}: give a TCP port (1–65535), "
            "or 0 for any free one",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        world = load_world(args.world)
    except WorldError as exc:
        print(f"vpc-test emulator: {exc}", file=sys.stderr)
        return EXIT_USAGE
    stop = threading.Event()
    with _stopping_on_signals(stop):
        server = EmulatorServer(world, host=args.host, port=args.port)
        try:
            server.start()
        except OSError as exc:
            print(
                f"vpc-test emulator: cannot listen on {args.host}:{args.port}: {exc.strerror}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        try:
            creds = world.credentials
            print(f"Serving {world.source} at {server.url} (Ctrl-C stops)")
            print(f"export ALIBABA_CLOUD_ENDPOINT={server.url}")
            print(f"export ALIBABA_CLOUD_ACCESS_KEY_ID={creds.access_key_id}")
            print(f"export ALIBABA_CLOUD_ACCESS_KEY_SECRET={creds.access_key_secret}")
            print(f"export VPCTEST_REGION={world.region}", flush=True)
            while not stop.wait(0.5):
                pass
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

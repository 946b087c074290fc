"""`vpc-test emulator --world FILE [--host 127.0.0.1] [--port N]`: serve a world until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from emulator.schema import WorldError
from emulator.server import EmulatorServer
from emulator.world import load_world

DEMO_WORLD = Path(__file__).parent / "worlds" / "demo.yaml"
EXIT_USAGE = 3


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
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

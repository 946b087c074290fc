"""Run `python -m cli serve` as a separate process, as deployed, and read its memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
ROOT = Path(__file__).resolve().parents[1]
COMMAND = (sys.executable, "-m", "vpctest.cli", "serve")
CLEARED = ("ALIBABA_CLOUD_", "VPCTEST_", "SLACK_")
CLEARED_VARS = {"DATABASE_URL", "PORT", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(settings: Mapping[str, str]) -> dict[str, str]:
    """This environment without cloud, Slack or bot settings, plus `settings`."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(CLEARED) and k not in CLEARED_VARS
    }
    env["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"
    env.update(settings)
    return env


@dataclass
class BotProcess:
    process: subprocess.Popen[bytes]
    url: str  # http://127.0.0.1:PORT

    def memory_kb(self, field: str) -> int:
        """A `/proc/PID/status` figure in kB: VmRSS now, VmHWM the peak so far."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
        raise LookupError(f"{field} is not in /proc/{self.process.pid}/status")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False


@contextmanager
def bot_process(settings: Mapping[str, str], log: Path) -> Iterator[BotProcess]:
    """Start the bot with `settings` (PORT among them), wait for /healthz, stop it at exit."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            COMMAND,
            cwd=ROOT,
            env=bot_env(settings),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    bot = BotProcess(process, f"http://127.0.0.1:{settings['PORT']}")
    try:
        _wait_healthy(bot, log)
        yield bot
    finally:
        _stop(process)


def _wait_healthy(bot: BotProcess, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not bot.healthy():
        if bot.process.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-5:]
            raise RuntimeError(f"the bot exited with {bot.process.returncode}: {tail}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the bot did not answer /healthz in {START_TIMEOUT_S:.0f} s")
        time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

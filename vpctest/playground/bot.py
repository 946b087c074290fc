"""The bot the playground drives: a `vpc-test serve` child process it starts (and restarts), or
one the user runs (`--bot-url`). Either way its health is watched through GET /healthz."""

from __future__ import annotations

import asyncio
import collections
import ctypes
import logging
import os
import signal
import sys
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import aiohttp

log = logging.getLogger("vpc-test.playground")
HEALTH_EVERY_S = 1.0
LOG_LINES = 20
STOP_GRACE_S = 10.0
PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY")
# What the child must not inherit: it is configured for the playground only.
FOREIGN_PREFIXES = ("SLACK_", "ALIBABA_CLOUD_", "VPCTEST_")
FOREIGN_NAMES = ("DATABASE_URL", "PORT", *PROXY_VARIABLES)


@dataclass
class BotStatus:
    status: str  # starting | up | down | external
    url: str
    managed: bool
    detail: str | None = None
    pid: int | None = None  # the managed child's, e.g. to attach a debugger or py-spy

    def json(self) -> dict[str, Any]:
        return asdict(self)


def child_environment(base: Mapping[str, str], settings: Mapping[str, str]) -> dict[str, str]:
    """`base` without anything that would point the bot elsewhere, plus `settings`."""
    kept = {
        k: v
        for k, v in base.items()
        if not k.startswith(FOREIGN_PREFIXES) and k not in FOREIGN_NAMES
    }
    return {**kept, **settings}


def die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn that makes the child get SIGTERM when the playground dies, however it
    dies (SIGKILL included): Linux's prctl(PR_SET_PDEATHSIG). None elsewhere.

    Everything is looked up before the fork; the child only calls into libc. The signal
    follows the thread that forked: the playground forks from its main (event-loop) thread,
    which lives as long as the process.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()
    pr_set_pdeathsig, sigterm = 1, int(signal.SIGTERM)

    def preexec() -> None:
        prctl(pr_set_pdeathsig, sigterm, 0, 0, 0)
        if os.getppid() != parent:  # the playground died before prctl took effect
            os._exit(1)

    return preexec


def health_url(events_url: str) -> str:
    """GET /healthz beside the events URL."""
    root = events_url.split("/slack/", 1)[0].rstrip("/")
    return f"{root}/healthz"


class Bot:
    """The bot's status as the page shows it; starts and restarts the child when `managed`.

    `on_change()` is called (on the playground's loop) whenever the status changes.
    """

    def __init__(
        self,
        events_url: str,
        on_change: Callable[[], None],
        *,
        env: Mapping[str, str] | None = None,
        port: int | None = None,
    ) -> None:
        self.events_url = events_url
        self.managed = env is not None
        self._env = dict(env or {})
        self._port = port
        self._on_change = on_change
        self._process: asyncio.subprocess.Process | None = None
        self._lines: collections.deque[str] = collections.deque(maxlen=LOG_LINES)
        self._status = BotStatus(
            "starting" if self.managed else "external", events_url, self.managed
        )
        self._watcher: asyncio.Task[None] | None = None
        self._relay_task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def status(self) -> BotStatus:
        return self._status

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process and self._process.returncode is None else None

    async def start(self) -> None:
        """Start the child (when managed) and the health watch."""
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2))
        if self.managed:
            await self._spawn()
        self._watcher = asyncio.create_task(self._watch())

    async def wait_up(self, timeout: float) -> bool:
        """Wait until the bot answers /healthz; False after `timeout` or if it died."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if self._status.status == "up":
                return True
            if self._status.status == "down" and self.managed:
                return False
            await asyncio.sleep(0.1)
        return False

    async def restart(self) -> None:
        if not self.managed:
            raise RuntimeError("this bot runs outside the playground (--bot-url): restart it there")
        await self._terminate()
        await self._spawn()

    async def close(self) -> None:
        if self._watcher:
            self._watcher.cancel()
        await self._terminate()
        if self._session:
            await self._session.close()

    # --- the child --------------------------------------------------------------------------

    async def _spawn(self) -> None:
        self._lines.clear()
        self._set("starting", None)
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "vpctest.cli",
            "serve",
            "--host",
            "127.0.0.1",
            env=self._env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            # Its own process group: Ctrl-C reaches the playground alone, which then stops
            # the bot (SIGTERM, then SIGKILL after STOP_GRACE_S) - once, without a traceback.
            start_new_session=True,
            preexec_fn=die_with_parent(),
        )
        self._relay_task = asyncio.create_task(self._relay(self._process))

    async def _relay(self, process: asyncio.subprocess.Process) -> None:
        """Echo the bot's log to ours (prefixed) and keep its last lines for the page."""
        assert process.stdout is not None
        async for raw in process.stdout:
            line = raw.decode(errors="replace").rstrip()
            self._lines.append(line)
            print(f"bot | {line}", file=sys.stderr, flush=True)

    async def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), STOP_GRACE_S)
        except TimeoutError:
            process.kill()
            await process.wait()

    # --- health -----------------------------------------------------------------------------

    async def _watch(self) -> None:
        while True:
            await self._check()
            await asyncio.sleep(HEALTH_EVERY_S)

    async def _check(self) -> None:
        process = self._process
        if self.managed and process is not None and process.returncode is not None:
            last = "\n".join(self._lines) or "(it logged nothing)"
            self._set("down", f"the bot process exited with status {process.returncode}:\n{last}")
            return
        if self.managed and process is None:
            return
        assert self._session is not None
        try:
            async with self._session.get(health_url(self.events_url)) as answer:
                healthy = answer.status == 200
                detail = None if healthy else f"GET /healthz answered {answer.status}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            if self.managed and self._status.status == "starting":
                return  # still importing
            healthy, detail = (
                False,
                f"no answer from {health_url(self.events_url)} ({exc or type(exc).__name__})",
            )
        self._set("up" if healthy else "down", detail)

    def _set(self, status: str, detail: str | None) -> None:
        if (status, detail) == (self._status.status, self._status.detail):
            return
        self._status = BotStatus(status, self.events_url, self.managed, detail, self.pid)
        log.info("bot %s%s", status, f": {detail}" if detail else "")
        self._on_change()

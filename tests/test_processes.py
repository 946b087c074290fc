"""Nothing is left running: `dev.py run` stopped by SIGTERM or SIGINT to its PID, and the
playground killed outright (SIGKILL), take every process they started with them.

The real commands are spawned; the process tree is read from /proc before the signal and
checked after it. Whatever survives a failing test is killed at teardown.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.cli_runner import COMMAND, ROOT, cli_env

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

READY = "ready: the bot is up"
READY_WITHIN_S = 90.0
GONE_WITHIN_S = 25.0


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of `pid`, or None when it no longer exists."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    state, ppid = text.rsplit(")", 1)[1].split()[:2]
    return state, int(ppid)


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")  # a zombie has stopped running


def descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = stat[1]
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found


@dataclass
class Started:
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    tree: set[int] = field(default_factory=set)  # every pid seen under it

    def survivors(self) -> set[int]:
        return {pid for pid in self.tree | {self.process.pid} if alive(pid)}

    def wait_gone(self, timeout: float = GONE_WITHIN_S) -> set[int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.process.poll()  # reap our own child
            if not self.survivors():
                return set()
            time.sleep(0.1)
        return self.survivors()


@contextmanager
def started(argv: list[str]) -> Iterator[Started]:
    """Start `argv` and wait for the playground's ready line; kill what is left at the end."""
    env = cli_env()
    env.pop("SLACK_BOT_TOKEN", None)
    process = subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    run = Started(process)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            run.lines.append(line.rstrip("\n"))
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        deadline = time.monotonic() + READY_WITHIN_S
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError("not ready:\n" + "\n".join(run.lines)) from None
            if line is None:
                raise AssertionError("exited before ready:\n" + "\n".join(run.lines))
            if line.startswith(READY):
                break
        run.tree = descendants(process.pid)
        assert run.tree, "the playground started no bot process"
        yield run
    finally:
        for pid in run.survivors():
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.wait(10)


def dev_run() -> list[str]:
    return [sys.executable, str(ROOT / "dev.py"), "run", "--port", "0"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_dev_py_run_stopped_by_its_pid_leaves_nothing_running(sig: signal.Signals) -> None:
    with started(dev_run()) as run:
        run.process.send_signal(sig)
        left = run.wait_gone()
        assert not left, f"still running after {sig.name}: {left}\n" + "\n".join(run.lines)
        assert run.process.wait(5) in (0, 130, -sig)
        output = "\n".join(run.lines)
        assert "Traceback" not in output and "KeyboardInterrupt" not in output, output


def test_the_bot_dies_with_the_playground_even_on_sigkill() -> None:
    with started([*COMMAND, "playground", "--port", "0"]) as run:
        bots = set(run.tree)
        run.process.send_signal(signal.SIGKILL)
        run.process.wait(5)
        deadline = time.monotonic() + GONE_WITHIN_S
        while time.monotonic() < deadline and any(alive(pid) for pid in bots):
            time.sleep(0.1)
        assert not any(alive(pid) for pid in bots), "the bot outlived the killed playground"
        # Bolt is configured as it expects: no start-up warning about an unused token.
        assert not any("will be unused" in line for line in run.lines), run.lines

"""`vpc-test playground` as a user runs it: a subprocess, its address read from what it prints."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.cli_runner import COMMAND, ROOT, cli_env

ADDRESS = re.compile(r"^vpc-test playground: (http://127\.0\.0\.1:\d+/)$")
READY = "ready: the bot is up"


@dataclass
class PlaygroundProcess:
    process: subprocess.Popen[str]
    url: str = ""
    lines: list[str] = field(default_factory=list)

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM, as a service manager stops it; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


@contextmanager
def playground(*args: str, ready_within: float = 90) -> Iterator[PlaygroundProcess]:
    """Start the playground on a free port and wait for it to say the bot is up."""
    process = subprocess.Popen(
        [*COMMAND, "playground", "--port", "0", *args],
        cwd=ROOT,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running = PlaygroundProcess(process)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:  # keep reading, or the bot's log would fill the pipe and block it
        assert process.stdout is not None
        for line in process.stdout:
            running.lines.append(line.rstrip("\n"))
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        deadline = time.monotonic() + ready_within
        while True:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                raise AssertionError("playground exited:\n" + "\n".join(running.lines))
            if match := ADDRESS.match(line):
                running.url = match.group(1)
            if line.startswith(READY):
                break
        yield running
    except queue.Empty:
        raise AssertionError("playground not ready:\n" + "\n".join(running.lines)) from None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

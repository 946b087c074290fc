#!/usr/bin/env python3
"""Set up the project's virtualenv on demand, then run the product, the tests or a tool.

Needs only Python 3.11+: `python3 dev.py run` and `python3 dev.py test` work on a fresh clone.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import venv
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"

COMMANDS = {
    "run": ["vpc-test", "playground"],  # or `serve`, when Slack credentials are set: run_command()
    "demo": ["vpc-test", "check", "--all", "--sandbox"],
    "test": ["python", "-m", "pytest", "-q"],
    "lint": ["ruff", "check", "."],  # after BEFORE["lint"]
    "bench": ["python", "-m", "bench"],
    # The README's pictures, taken by the browser tests' own story (tests/browser/conftest.py).
    "screenshots": ["python", "-m", "pytest", "-q", "tests/browser"],
}
# Commands that run first, each of which must pass for the main command to run.
BEFORE = {"lint": [["ruff", "format", "--check", "."]]}


def ensure_venv() -> None:
    """Create .venv and install the project with its dev extras when pyproject.toml changed."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("creating .venv …", file=sys.stderr)
        venv.create(VENV, with_pip=True)
    print("installing vpc-test and its dev tools into .venv …", file=sys.stderr)
    pip = [str(BIN / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted)


def run_command(env: Mapping[str, str]) -> list[str]:
    """The product: the bot when Slack credentials are set (on the sandbox world unless
    Alibaba Cloud credentials are set too), else the playground, which needs none."""
    if not env.get("SLACK_BOT_TOKEN"):
        return COMMANDS["run"]
    sandbox = [] if env.get("ALIBABA_CLOUD_ACCESS_KEY_ID") else ["--sandbox"]
    return ["vpc-test", "serve", *sandbox]


def run_forwarding(cmd: list[str], env: Mapping[str, str]) -> int:
    """Run `cmd` to its end, passing on SIGINT, SIGTERM and SIGHUP sent to this process.

    The command runs in a process group of its own, so Ctrl-C in a terminal reaches it
    once (passed on from here), not twice; without a handler of its own it dies by it.
    """
    posix = os.name == "posix"
    child = subprocess.Popen(cmd, cwd=ROOT, env=env, **({"process_group": 0} if posix else {}))

    def forward(signum: int, _frame: object) -> None:
        if child.poll() is None:
            child.send_signal(signum)

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), forward)
    status = child.wait()
    return 128 - status if status < 0 else status


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(f"usage: python3 dev.py {{{'|'.join(COMMANDS)}}} [args…]", file=sys.stderr)
        return 3
    ensure_venv()
    exe, *args = run_command(os.environ) if argv[0] == "run" else COMMANDS[argv[0]]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    if argv[0] == "screenshots":
        env["VPCTEST_SCREENSHOTS"] = str(ROOT / "docs" / "screenshots")
    for before_exe, *before_args in BEFORE.get(argv[0], []):
        before = subprocess.run([str(BIN / before_exe), *before_args], cwd=ROOT, env=env)
        if before.returncode:
            return before.returncode
    cmd = [str(BIN / exe), *args, *argv[1:]]
    if argv[0] != "demo" and os.name == "posix":
        # Become the command: signals sent to this PID (SIGTERM, SIGINT, Ctrl-C) reach it
        # directly, and no Python parent is left to print a KeyboardInterrupt traceback or
        # to die and leave the command behind.
        sys.stdout.flush()
        sys.stderr.flush()
        os.chdir(ROOT)
        os.execve(cmd[0], cmd, env)
    status = run_forwarding(cmd, env)
    if argv[0] == "demo" and status in (1, 2):
        # The demo world fails on purpose, to show each failure the guide covers.
        print(
            f"(vpc-test exited {status}: some demo authorizations fail or are unknown, "
            "as designed)",
            file=sys.stderr,
        )
        return 0
    return status


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:  # Ctrl-C while .venv is being set up
        sys.exit(130)

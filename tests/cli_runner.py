"""Run the real `vpc-test` command in a subprocess, isolated from the caller's cloud setup.

The environment drops every `ALIBABA_CLOUD_*` and `VPCTEST_*` variable and every proxy
variable, and sets `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true` so the default credential
chain never reaches for the ECS metadata address; `env` adds variables on top of that.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")
COMMAND = (sys.executable, "-m", "vpctest.cli")


def cli_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without cloud settings, plus `env`."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ALIBABA_CLOUD_", "VPCTEST_")) and k not in PROXY_VARS
    }
    clean["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"
    clean.update(env or {})
    return clean


def run_cli(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python -m cli ARGS` from the project root; output captured as text."""
    return subprocess.run(
        [*COMMAND, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=cli_env(env),
        timeout=timeout,
    )

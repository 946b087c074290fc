"""Browser tests: Debian's chromium, driven by Playwright for Python (never a downloaded browser).

Without chromium they skip, except under CI=true, where that is a failure (.ci/run installs it).
With VPCTEST_SCREENSHOTS=DIR, `shot(name)` saves DIR/name.png: `python3 dev.py screenshots`
refreshes the README's pictures from the same story the tests run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.playground.process import PlaygroundProcess, playground

CHROMIUM_FLAGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # the machine has no network: no calls home
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}
expect.set_options(timeout=20_000)  # a diagnosis, a fix and a re-test take a few seconds


def chromium_path() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if found:
        return found
    why = "Debian's chromium is not installed (apt-get install chromium; .ci/run does)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(why)
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium, per module: Playwright's sync API keeps an event loop running in this thread
    while it is open, and the asyncio tests of other modules need the thread to themselves."""
    executable = chromium_path()
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def running() -> Iterator[PlaygroundProcess]:
    """One playground per module, started as a user starts it."""
    with playground() as started:
        yield started
        started.stop()


@pytest.fixture
def page(browser: Browser, running: PlaygroundProcess) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="UTC")
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    tab.goto(running.url)
    yield tab
    context.close()


@pytest.fixture(scope="session")
def shot() -> Callable[[Page, str], None]:
    """`shot(page, name)`: a screenshot for the README, when VPCTEST_SCREENSHOTS is set."""
    where = os.environ.get("VPCTEST_SCREENSHOTS")

    def save(page: Page, name: str) -> None:
        if where:
            Path(where).mkdir(parents=True, exist_ok=True)
            page.wait_for_timeout(300)  # let the highlight of what changed settle
            page.screenshot(path=str(Path(where) / f"{name}.png"))

    return save

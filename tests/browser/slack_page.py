"""What a person does on the playground's page, in its own words (the page's data-testid hooks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Locator, Page, expect


@dataclass
class SlackPage:
    page: Page

    def be(self, user_id: str) -> None:
        self.page.select_option("[data-testid=identity]", user_id)

    def open(self, channel_id: str) -> None:
        """Switch channel, and wait until the page shows it: a sidebar re-rendered by a
        server-sent update while the click lands would otherwise leave the old channel."""
        link = f"[data-testid=channel][data-channel={channel_id}]"
        for _ in range(3):
            self.page.click(link)
            try:
                expect(self.page.locator(f"{link}[aria-current=page]")).to_have_count(1)
                return
            except AssertionError:
                continue
        expect(self.page.locator(f"{link}[aria-current=page]")).to_have_count(1)

    def type(self, command: str) -> None:
        composer = self.page.locator("[data-testid=composer]")
        composer.fill(command)
        composer.press("Enter")

    def message(self, text: str, *, ephemeral: bool = False) -> Locator:
        kind = "[data-ephemeral=true]" if ephemeral else ":not([data-ephemeral=true])"
        return self.page.locator(f"[data-testid=message]{kind}", has_text=text).last

    def click(self, within: Locator, action_id: str, *, confirm: bool = True) -> None:
        within.locator(f"[data-action-id={action_id}]").first.click()
        dialog = self.page.locator("[data-testid=confirm]")
        if confirm and dialog.count():
            dialog.locator("[data-testid=confirm-ok]").click()

    @property
    def modal(self) -> Locator:
        return self.page.locator("[data-testid=modal]")

    def fill(self, block_id: str, text: str) -> None:
        self.modal.locator(f"[data-block-id={block_id}]").locator("textarea, input").first.fill(
            text
        )

    def submit(self) -> None:
        self.modal.locator("[data-testid=modal-submit]").click()

    def close_modal(self) -> None:
        self.modal.locator("[data-testid=modal-close]").click()
        expect(self.modal).to_have_count(0)

    def cloud(self) -> Locator:
        self.page.click("[data-testid=tab-cloud]")
        return self.page.locator("[data-testid=world]")

    def rule(self, group: str, source: str) -> Locator:
        return self.cloud().locator(f"[data-testid=sg-rule][data-group={group}]", has_text=source)

    def banner(self) -> Locator:
        return self.page.locator("[data-testid=delivery-error]")

    def bot_status(self) -> Locator:
        return self.page.locator("[data-testid=bot-status]")

    def state(self) -> Any:
        return self.page.evaluate("fetch('/api/state').then(r => r.json())")

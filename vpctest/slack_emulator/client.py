"""The Slack platform calling the bot: signed slash commands, clicks, view submissions, events."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from vpctest.slack_emulator import inputs, payloads
from vpctest.slack_emulator.ids import random_id
from vpctest.slack_emulator.messages import interactive_elements
from vpctest.slack_emulator.webapi import SlackServer

ACK_DEADLINE = 3.0  # Slack gives up on an ack after three seconds
STALE_BY = 600  # seconds; Bolt refuses timestamps more than five minutes off
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


@dataclass
class Delivery:
    """One request to the bot and its answer; `elapsed` in seconds."""

    kind: str  # "slash_command", "block_actions", "view_submission", "view_closed", "event"
    payload: dict[str, Any]  # the form fields (slash command) or the JSON payload sent
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0
    raw: str = ""  # the request body as sent, for `SlackPlatform.redeliver`
    content_type: str = "application/x-www-form-urlencoded"

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def late(self) -> bool:
        """Slack would have given up waiting for this ack (over three seconds)."""
        return self.elapsed > ACK_DEADLINE

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None if it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body.strip() else None
        except ValueError:
            return None

    @property
    def ack(self) -> Any:
        """What the bot acked with: parsed JSON, `{"text": body}` for plain text, None if empty."""
        if not self.body.strip():
            return None
        return self.json if self.json is not None else {"text": self.body}


class SlackPlatform:
    """Sends the bot what Slack sends, signed with the server's signing secret.

    Every helper takes `forge_signature=True` (sign with a wrong secret) and `stale=True` (a
    timestamp ten minutes old) for tests of rejection. Acks are applied as Slack would (a command's
    ack body shown to the user, a view submission's response_action) and recorded on the server
    as "ack" calls; `deliveries` lists every request sent.
    """

    def __init__(
        self,
        server: SlackServer,
        events_url: str,
        *,
        user: str = "U0TESTER01",
        channel: str = "C0GENERAL1",
        command: str = "/vpc-test",
        signing_secret: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.server = server
        self.events_url = events_url
        self.user = user
        self.channel = channel
        self.command = command
        self.signing_secret = signing_secret or server.signing_secret
        self.timeout = timeout
        self.deliveries: list[Delivery] = []
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SlackPlatform:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # --- what users do ------------------------------------------------------------------------

    def prepare_slash(
        self,
        text: str = "",
        *,
        user: str | None = None,
        channel: str | None = None,
        command: str | None = None,
    ) -> PreparedSlash:
        """`/command text` typed by `user` in `channel`, signed and ready to send."""
        who = self.server.user(user or self.user)
        where = self.server.channel(channel or self.channel)
        response_url = self.server.mint_response_url(where["id"], who["id"])
        fields = payloads.slash_command(
            self.server.identity,
            command=command or self.command,
            text=text,
            user=who,
            channel=where,
            response_url=response_url,
            trigger_id=self.server.mint_trigger(who["id"]),
        )
        body = urlencode(fields)
        return PreparedSlash(fields, body, self.signed_headers(body), response_url)

    async def slash(
        self,
        text: str = "",
        *,
        user: str | None = None,
        channel: str | None = None,
        command: str | None = None,
        forge_signature: bool = False,
        stale: bool = False,
    ) -> Delivery:
        """`/command text` typed by `user` in `channel`; its ack body is shown as Slack would."""
        prepared = self.prepare_slash(text, user=user, channel=channel, command=command)
        delivery = await self._send(
            "slash_command", prepared.fields, prepared.body, forge_signature, stale
        )
        if delivery.ok and not delivery.late and delivery.ack is not None:
            self.server.acknowledge_command(prepared.response_url, delivery.ack)
        return delivery

    async def click(
        self,
        target: str | Mapping[str, Any],
        action_id: str,
        *,
        user: str | None = None,
        value: str | None = None,
        block_id: str | None = None,
        forge_signature: bool = False,
        stale: bool = False,
    ) -> Delivery:
        """Click the element `action_id` in a message (its ts or dict) or a view (id or dict).

        The element is looked up in the server's current state and its real block_id and value
        are sent; `value` overrides the value (or picks a select/overflow option), `block_id`
        disambiguates. A message's ephemeral recipient clicks by default, a view's owner likewise.
        """
        view = self._view_target(target)
        if view is not None:
            element, found_block = find_element(view["blocks"], action_id, block_id)
            who = self.server.user(user or view["user"])
            action = payloads.button_action(element, found_block, _value(element, value))
            payload = payloads.block_actions(
                self.server.identity,
                user=who,
                action=action,
                trigger_id=self.server.mint_trigger(who["id"], view["id"]),
                view={k: v for k, v in view.items() if k not in ("is_open", "user")},
            )
            return await self._interact("block_actions", payload, forge_signature, stale)
        message = self._message_target(target)
        element, found_block = find_element(message.get("blocks", []), action_id, block_id)
        ephemeral = "ephemeral_to" in message
        who = self.server.user(user or message.get("ephemeral_to") or self.user)
        channel = self.server.channel(message["channel"])
        action = payloads.button_action(element, found_block, _value(element, value))
        shown = {k: v for k, v in message.items() if k not in ("channel", "ephemeral_to")}
        payload = payloads.block_actions(
            self.server.identity,
            user=who,
            action=action,
            trigger_id=self.server.mint_trigger(who["id"]),
            message=shown,
            channel=channel,
            message_ts=message["ts"],
            ephemeral=ephemeral,
            response_url=self.server.mint_response_url(
                channel["id"], who["id"], message["ts"], ephemeral
            ),
        )
        return await self._interact("block_actions", payload, forge_signature, stale)

    async def submit(
        self,
        view_id: str,
        values: Mapping[str, Any] | None = None,
        *,
        user: str | None = None,
        forge_signature: bool = False,
        stale: bool = False,
    ) -> Delivery:
        """Submit an open modal with `values` ({block_id: value} or {block_id: {action_id: v}}).

        Raises SubmissionRefused where Slack's client would not submit (a required input empty).
        The ack's response_action is applied to the view (none closes it).
        """
        view = self.server.view(view_id)
        if view is None or not view["is_open"]:
            raise LookupError(f"view {view_id} is not open")
        state = inputs.view_state(view["blocks"], values or {})
        shown = self.server.set_view_state(view_id, state)
        who = self.server.user(user or self._owner(view_id))
        payload = payloads.view_submission(
            self.server.identity,
            user=who,
            view=shown,
            trigger_id=self.server.mint_trigger(who["id"], view_id),
        )
        delivery = await self._interact("view_submission", payload, forge_signature, stale)
        if delivery.ok and not delivery.late:
            self.server.acknowledge_view(view_id, delivery.ack)
        return delivery

    async def close(
        self,
        view_id: str,
        *,
        user: str | None = None,
        forge_signature: bool = False,
        stale: bool = False,
    ) -> Delivery | None:
        """The user closes a modal; Slack tells the bot (view_closed) only if notify_on_close."""
        who = self.server.user(user or self._owner(view_id))
        view = self.server.close_view(view_id)
        if not view["notify_on_close"]:
            return None
        payload = payloads.view_closed(
            self.server.identity, user=who, view=view, cleared=view["clear_on_close"]
        )
        return await self._interact("view_closed", payload, forge_signature, stale)

    async def event(
        self, event: Mapping[str, Any], *, forge_signature: bool = False, stale: bool = False
    ) -> Delivery:
        """Deliver an Events API event (e.g. `{"type": "app_mention", ...}`) in its envelope."""
        body = payloads.event_callback(self.server.identity, event, random_id("Ev"))
        return await self._send(
            "event", body, json.dumps(body), forge_signature, stale, "application/json"
        )

    async def redeliver(self, delivery: Delivery, retry_num: int | None = None) -> Delivery:
        """Send `delivery`'s request again, byte for byte, freshly signed: as Slack does when
        an ack was late or lost (with `X-Slack-Retry-Num`), or a doubled delivery (without)."""
        extra = {}
        if retry_num is not None:
            extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return await self._send(
            delivery.kind,
            delivery.payload,
            delivery.raw,
            False,
            False,
            delivery.content_type,
            extra,
        )

    # --- plumbing -----------------------------------------------------------------------------

    def _view_target(self, target: str | Mapping[str, Any]) -> dict[str, Any] | None:
        view_id = target if isinstance(target, str) else target.get("id")
        if not isinstance(view_id, str) or not view_id.startswith("V"):
            return None
        view = self.server.view(view_id)
        if view is None or not view["is_open"]:
            raise LookupError(f"view {view_id} is not open")
        return view

    def _message_target(self, target: str | Mapping[str, Any]) -> dict[str, Any]:
        ts = target if isinstance(target, str) else target["ts"]
        message = self.server.find_message(ts)
        if message is None:
            raise LookupError(f"no live message with ts {ts}")
        return message

    def _owner(self, view_id: str) -> str:
        view = self.server.view(view_id)
        if view is None:
            raise LookupError(f"no view {view_id}")
        return view["user"]

    async def _interact(
        self, kind: str, payload: dict[str, Any], forge_signature: bool, stale: bool
    ) -> Delivery:
        body = urlencode({"payload": json.dumps(payload)})
        return await self._send(kind, payload, body, forge_signature, stale)

    def signed_headers(
        self,
        body: str,
        forge_signature: bool = False,
        stale: bool = False,
        content_type: str = "application/x-www-form-urlencoded",
        extra_headers: Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        """The headers Slack sends with `body`: its content type, timestamp and signature."""
        timestamp = str(int(time.time()) - (STALE_BY if stale else 0))
        secret = self.signing_secret + ("-forged" if forge_signature else "")
        signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature or "",
            "User-Agent": USER_AGENT,
            **(extra_headers or {}),
        }

    async def _send(
        self,
        kind: str,
        payload: dict[str, Any],
        body: str,
        forge_signature: bool,
        stale: bool,
        content_type: str = "application/x-www-form-urlencoded",
        extra_headers: Mapping[str, str] | None = None,
    ) -> Delivery:
        headers = self.signed_headers(body, forge_signature, stale, content_type, extra_headers)
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=self.timeout)
            self._session = aiohttp.ClientSession(timeout=timeout)
        started = time.perf_counter()
        async with self._session.post(self.events_url, data=body, headers=headers) as response:
            text = await response.text()
        delivery = Delivery(
            kind=kind,
            payload=payload,
            status=response.status,
            body=text,
            headers=dict(response.headers),
            elapsed=time.perf_counter() - started,
            raw=body,
            content_type=content_type,
        )
        self.deliveries.append(delivery)
        return delivery


@dataclass(frozen=True)
class PreparedSlash:
    """A slash command signed and ready to send: its form fields, body and headers."""

    fields: dict[str, Any]
    body: str
    headers: dict[str, str]
    response_url: str


def find_element(
    blocks: list[dict[str, Any]], action_id: str, block_id: str | None = None
) -> tuple[dict[str, Any], str]:
    """The interactive element with `action_id` (in block `block_id` if given), and its block_id."""
    for block in blocks:
        if block_id is not None and block.get("block_id") != block_id:
            continue
        for element in interactive_elements(block):
            if element.get("action_id") == action_id:
                return element, block["block_id"]
    raise LookupError(f"no element with action_id {action_id!r} in these blocks")


def _value(element: Mapping[str, Any], override: str | None) -> str | None:
    return override if override is not None else element.get("value")

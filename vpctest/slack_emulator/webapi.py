"""The Slack Web API and response URLs on loopback, from the emulated workspace's state."""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aiohttp import web

from vpctest.loopback import ThreadedServer
from vpctest.slack_emulator.blockkit import ActionIdScope
from vpctest.slack_emulator.directory import ChannelSpec, Directory, UserSpec
from vpctest.slack_emulator.errors import SlackError
from vpctest.slack_emulator.ids import BotIdentity
from vpctest.slack_emulator.inspection import Inspection
from vpctest.slack_emulator.methods import METHODS
from vpctest.slack_emulator.ratelimit import RateLimiter
from vpctest.slack_emulator.records import Call, Violation
from vpctest.slack_emulator.workspace import Workspace

log = logging.getLogger("vpctest.slack_emulator")
JSON_FIELDS = ("blocks", "view", "attachments", "metadata")


class SlackServer(ThreadedServer, Inspection):
    """The Slack the bot talks to: `{url}/api/<method>` and `{url}/response/<id>`.

    It serves from its own event loop in a daemon thread (like EmulatorServer). State is changed
    under a lock, so the helpers below may be called from any thread. `calls` lists every request
    (Web API, response URL, and the acks SlackPlatform reports) as `Call`s; `violations` lists
    every payload Slack would have refused as `Violation`s.

    Unless `strict`, unknown but well-formed user (U…/W…) and channel (C…/G…/D…) ids exist on
    first use; `users`, `usergroups` and `channels` configure the known ones.
    """

    def __init__(
        self,
        token: str = "xoxb-emulator-token",
        signing_secret: str = "emulator-signing-secret",
        team_id: str = "T0TEAM0001",
        *,
        users: Iterable[UserSpec] = (),
        usergroups: Mapping[str, Iterable[str]] | None = None,
        channels: ChannelSpec | None = None,
        strict: bool = False,
        identity: BotIdentity | None = None,
        trigger_ttl: float = 3.0,
        response_url_ttl: float = 1800.0,
        response_url_uses: int = 5,
        action_id_scope: ActionIdScope = "message",
        keep_calls: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.signing_secret = signing_secret
        self.identity = identity or BotIdentity(team_id=team_id)
        super().__init__(host, port)
        self.clock = clock
        users, groups = list(users), {g: list(m) for g, m in (usergroups or {}).items()}
        if not isinstance(channels, Mapping):
            channels = {c: c.lower() for c in channels or ()}
        known_channels = dict(channels)

        def new_workspace() -> Workspace:
            directory = Directory(self.identity.team_id, users, groups, known_channels, strict)
            return Workspace(
                self.identity,
                directory,
                clock=clock,
                trigger_ttl=trigger_ttl,
                response_url_ttl=response_url_ttl,
                response_url_uses=response_url_uses,
                action_id_scope=action_id_scope,
            )

        self._new_workspace = new_workspace
        self._lock = threading.RLock()
        self.workspace = self._new_workspace()
        self.rate_limits = RateLimiter(clock)
        self.calls: list[Call] = []
        self.keep_calls = keep_calls  # None: every call; N: the last N (a long-running playground)
        self.violations: list[Violation] = []
        self.version = 0  # bumped on every change to what a client would show
        self._watchers: list[Callable[[int], None]] = []

    thread_name = "slack-emulator"

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response_url)
        return app

    @property
    def api_url(self) -> str:
        """The Web API base URL for AsyncWebClient(base_url=...) and SLACK_API_URL."""
        return f"{self.url}/api/"

    def reset(self) -> None:
        """Forget calls, violations, rate limits and all state; keep users/groups/channels given."""
        with self._lock:
            self.workspace = self._new_workspace()
            self.rate_limits.clear()
            self.calls.clear()
            self.violations.clear()
            self._changed()

    def watch(self, callback: Callable[[int], None]) -> None:
        """Call `callback(version)` after every change (from the server's thread; keep it short)."""
        with self._lock:
            self._watchers.append(callback)

    def _changed(self) -> None:
        """Bump `version` and tell the watchers; call with the lock held."""
        self.version += 1
        for callback in list(self._watchers):
            try:
                callback(self.version)
            except Exception:  # a watcher's failure must not fail the Web API call
                log.exception("Slack emulator watcher failed")

    # --- HTTP -----------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args, token = await _read_args(request)
        if token is None:
            return self._answer(method, args, SlackError("not_authed"))
        if token != self.token:
            return self._answer(method, args, SlackError("invalid_auth"))
        handler = METHODS.get(method)
        if handler is None:
            return self._answer(method, args, SlackError("unknown_method"))
        with self._lock:
            retry_after = self.rate_limits.check(method)
        if retry_after is not None:
            refusal = SlackError("ratelimited", status=429)
            return self._answer(method, args, refusal, {"Retry-After": str(retry_after)})
        return self._answer(method, args, lambda: handler(self.workspace, args))

    async def _response_url(self, request: web.Request) -> web.Response:
        url_id = request.match_info["id"]
        try:
            body: Any = json.loads(await request.text() or "null")
        except ValueError:
            body = None
        payload = {"response_url": str(request.url), "body": body}

        def respond() -> dict[str, Any]:
            url = self.workspace.response_urls.use(url_id)
            try:
                self.workspace.respond(url, body)
            except SlackError as exc:
                exc.status = 400 if exc.status == 200 else exc.status
                raise
            return {}

        return self._answer("response_url", payload, respond)

    def _answer(
        self,
        method: str,
        payload: dict[str, Any],
        outcome: SlackError | Callable[[], dict[str, Any]],
        headers: dict[str, str] | None = None,
    ) -> web.Response:
        call = self.run(method, payload, outcome)
        return web.json_response(call.response, status=call.status, headers=headers)

    def run(
        self,
        method: str,
        payload: dict[str, Any],
        outcome: SlackError | Callable[[], dict[str, Any]],
    ) -> Call:
        """Run `outcome` under the lock and record it as a call (and a violation if refused)."""
        payload = copy.deepcopy(payload)
        with self._lock:
            try:
                if isinstance(outcome, SlackError):
                    raise outcome
                response, status = {"ok": True, **outcome()}, 200
            except SlackError as exc:
                response, status = exc.body(), exc.status
                if exc.violation:
                    self.violations.append(
                        Violation(method, exc.error, tuple(exc.messages), payload, self.clock())
                    )
            except Exception:  # an emulator bug: answer like a Slack outage, and say so
                log.exception("Slack emulator failed on %s", method)
                response, status = {"ok": False, "error": "internal_error"}, 500
            call = Call(method, payload, response, status, self.clock())
            self.calls.append(call)
            if self.keep_calls is not None and len(self.calls) > self.keep_calls:
                del self.calls[: -self.keep_calls]
            self._changed()
            return call

    # --- configuration ------------------------------------------------------------------------

    def add_user(self, user: UserSpec) -> dict[str, Any]:
        with self._lock:
            return self.workspace.directory.add_user(user)

    def set_usergroup(self, group_id: str, members: Iterable[str]) -> None:
        with self._lock:
            self.workspace.directory.set_usergroup(group_id, members)

    def add_channel(self, channel_id: str, name: str | None = None) -> dict[str, Any]:
        with self._lock:
            return self.workspace.directory.add_channel(channel_id, name)

    def rate_limit(
        self,
        method: str,
        *,
        per_minute: int | None = None,
        next_calls: int = 0,
        retry_after: int | None = None,
    ) -> None:
        """Answer `method` with HTTP 429: beyond `per_minute` calls in 60 s, or its next N calls.

        Retry-After is `retry_after` if given, else what the 60 s window needs (1 for next_calls).
        """
        with self._lock:
            self.rate_limits.set(
                method, per_minute=per_minute, next_calls=next_calls, retry_after=retry_after
            )

    def clear_rate_limits(self, method: str | None = None) -> None:
        with self._lock:
            self.rate_limits.clear(method)

    # --- what the platform side mints ---------------------------------------------------------

    def mint_trigger(self, user: str, view_id: str | None = None) -> str:
        """A fresh trigger id for `user` (from a modal when `view_id`), single-use, short-lived."""
        with self._lock:
            return self.workspace.triggers.mint(user, view_id)

    def mint_response_url(
        self, channel: str, user: str, message_ts: str | None = None, ephemeral: bool = False
    ) -> str:
        """A response URL for an interaction in `channel` by `user` (on message `message_ts`)."""
        with self._lock:
            url = self.workspace.response_urls.mint(channel, user, message_ts, ephemeral)
        return f"{self.url}/response/{url.id}"

    def acknowledge_command(self, response_url: str, body: Any) -> Call:
        """Apply the body a slash command was acked with, as Slack shows it; record it as "ack"."""
        url_id = response_url.rstrip("/").rsplit("/", 1)[-1]
        payload = {"kind": "slash_command", "body": body}

        def show() -> dict[str, Any]:
            self.workspace.respond(self.workspace.response_urls.get(url_id), body)
            return {}

        return self.run("ack", payload, show)

    def acknowledge_view(self, view_id: str, body: Any) -> Call:
        """Apply a view_submission ack (close, errors, update, push, clear); record it as "ack"."""
        payload = {"kind": "view_submission", "view_id": view_id, "body": body}

        def apply() -> dict[str, Any]:
            record = self.workspace.apply_view_ack(view_id, body)
            return {} if record is None else {"view": record.payload()}

        return self.run("ack", payload, apply)

    def set_view_state(self, view_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """Set what the user has entered in a view (`state.values`); returns the view payload."""
        with self._lock:
            record = self.workspace.views.views[view_id]
            record.state_values = copy.deepcopy(values)
            self._changed()
            return record.payload()

    def close_view(self, view_id: str) -> dict[str, Any]:
        """The user closes a view (its whole stack if `clear_on_close`); returns it as it was."""
        with self._lock:
            record = self.workspace.views.views[view_id]
            payload = record.payload()
            self.workspace.views.close(view_id, clear=payload["clear_on_close"])
            self._changed()
            return payload

    def user(self, user_id: str) -> dict[str, Any]:
        """The users.info object for a user (SlackError `user_not_found` if unknown)."""
        with self._lock:
            return self.workspace.directory.user(user_id)

    def channel(self, channel_id: str) -> dict[str, Any]:
        """The conversations.info object for a channel (SlackError `channel_not_found`)."""
        with self._lock:
            return self.workspace.directory.channel(channel_id)


async def _read_args(request: web.Request) -> tuple[dict[str, Any], str | None]:
    """The call's arguments (query, then JSON or form body) and its token, as Slack reads them."""
    args: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                body = None
            if isinstance(body, dict):
                args.update(body)
        else:
            args.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
    for key in JSON_FIELDS:  # form-encoded requests carry these as JSON strings
        if isinstance(args.get(key), str):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(args[key])
    token = args.pop("token", None)
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        token = auth[7:].strip()
    return args, token or None

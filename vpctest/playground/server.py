"""The page's server: static files, the state as JSON and server-sent events, and the actions a
person takes, sent to the bot as Slack sends them (docs/playground.md)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from vpctest.emulator.server import EmulatorServer
from vpctest.emulator.world import World
from vpctest.playground import people, world_view
from vpctest.playground.bot import Bot
from vpctest.playground.deliveries import KEEP, Deliveries, Sent
from vpctest.slack_emulator import SlackPlatform, SlackServer, SubmissionRefused
from vpctest.slack_emulator.client import Delivery

log = logging.getLogger("vpc-test.playground")
STATIC = Path(str(resources.files("vpctest.playground") / "static"))
KEEPALIVE_S = 15.0
WORLD_POLL_S = 0.5
COALESCE_S = 0.03  # one SSE event for a burst of changes
DIGEST_ID = re.compile(r"\bDG-[0-9A-Z]{4,8}\b")
DIGEST_SCHEDULE = "daily 09:00 UTC"
VIOLATIONS_SHOWN = 20
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class PlaygroundError(Exception):
    """A request the page made is refused; `status` 400 or 404, the message says why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class Playground:
    """The playground's state and actions; `app()` serves them to the page."""

    def __init__(
        self,
        cloud: EmulatorServer,
        slack: SlackServer,
        events_url: str,
        reset_world: Callable[[], World],
        bot_env: dict[str, str] | None = None,
    ) -> None:
        self.cloud = cloud
        self.slack = slack
        self.platform = SlackPlatform(
            slack, events_url, user=people.DEVELOPER.id, channel=people.GENERAL.id
        )
        self.deliveries = Deliveries(events_url)
        self.bot = Bot(events_url, self._notify, env=bot_env)
        self._reset_world = reset_world
        self.digest_id: str | None = None
        self.version = 0  # the playground's own changes; Slack's are slack.version
        self.world_version = 0
        self._world_print = ""
        self._wakers: set[asyncio.Event] = set()
        self._closing = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._poller: asyncio.Task[None] | None = None

    # --- life -----------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.slack.watch(lambda _: self._loop and self._loop.call_soon_threadsafe(self._wake))
        self._world_print = self._fingerprint()
        self._poller = asyncio.create_task(self._poll_world())
        await self.bot.start()

    async def close(self) -> None:
        self._closing.set()
        self._wake()
        if self._poller:
            self._poller.cancel()
        await self.platform.aclose()
        await self.bot.close()

    # --- what the page reads ----------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        return {
            "version": self.version + self.slack.version,
            "team": people.TEAM,
            "bot": self.bot.status.json(),
            "people": people.people_json(),
            "channels": people.channels_json(),
            "messages": self.slack.messages(),
            "views": self.slack.open_views(),
            "deliveries": self.deliveries.json(),
            "refused": [
                {"method": v.method, "error": v.error, "messages": list(v.messages)}
                for v in self.slack.violations[-VIOLATIONS_SHOWN:]
            ],
            "digest": {"id": self.digest_id},
        }

    def world(self) -> dict[str, Any]:
        return self.cloud.mutate(world_view.view)

    # --- what a person does -----------------------------------------------------------------

    async def slash(self, user: str, channel: str, text: str) -> Sent:
        who, where = people.person(user), people.channel(channel)
        summary = f"/vpc-test {text}".strip()
        return await self._send(
            "slash_command",
            who.id,
            summary,
            lambda: self.platform.slash(text, user=who.id, channel=where.id),
        )

    async def click(
        self, user: str, target: str, action_id: str, block_id: str | None, value: str | None
    ) -> Sent:
        who = people.person(user)
        self._check_target(target, who.id)
        return await self._send(
            "block_actions",
            who.id,
            f"click {action_id}",
            lambda: self.platform.click(
                target, action_id, user=who.id, block_id=block_id, value=value
            ),
        )

    async def submit(self, user: str, view_id: str, values: dict[str, Any]) -> Sent:
        who = people.person(user)
        view = self._open_view(view_id, who.id)
        title = (view.get("title") or {}).get("text", view_id)
        try:
            return await self._send(
                "view_submission",
                who.id,
                f"submit “{title}”",
                lambda: self.platform.submit(view_id, values, user=who.id),
            )
        except (SubmissionRefused, ValueError) as exc:
            raise PlaygroundError(str(exc)) from exc

    async def close_view(self, user: str, view_id: str) -> Sent | None:
        who = people.person(user)
        self._open_view(view_id, who.id)
        try:
            delivery = await self.platform.close(view_id, user=who.id)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return self.deliveries.failed("view_closed", who.id, "close modal", exc)
        finally:
            self._notify()
        return (
            None if delivery is None else self.deliveries.answered(delivery, who.id, "close modal")
        )

    async def run_digest(self, user: str) -> Sent:
        """`/vpc-test digest run ID` in the digest channel (subscribing it first if need be)."""
        who = people.person(user)
        if self.digest_id is None:
            await self.subscribe_digest()
        if self.digest_id is None:
            raise PlaygroundError(
                "The digest channel has no subscription yet, and the bot did not add one: "
                "see the Requests tab, or type /vpc-test digest add daily in #vpc-digests"
            )
        return await self.slash(who.id, people.DIGESTS.id, f"digest run {self.digest_id}")

    async def subscribe_digest(self, reuse: bool = True) -> None:
        """Subscribe the digest channel, as the developer, and remember the digest's id.

        With `reuse`, a subscription the bot already has there (its database outlived an
        earlier playground) is taken instead of adding another.
        """
        if reuse:
            self.digest_id = await self._digest_in_answer("digest list")
        if self.digest_id is None:
            self.digest_id = await self._digest_in_answer(f"digest add {DIGEST_SCHEDULE}")
        self._notify()

    async def _digest_in_answer(self, command: str) -> str | None:
        """The id of a digest of the digest channel named in the bot's answer to `command`."""
        before = {m["ts"] for m in self.slack.ephemerals(channel=people.DIGESTS.id)}
        sent = await self.slash(people.DEVELOPER.id, people.DIGESTS.id, command)
        channel = f"<#{people.DIGESTS.id}"
        for _ in range(100):  # the answer comes in the ack, or a moment later
            answers = [str((sent.ack or {}).get("text", ""))] + [
                m.get("text", "")
                for m in self.slack.ephemerals(channel=people.DIGESTS.id)
                if m["ts"] not in before
            ]
            lines = [line for text in answers for line in text.splitlines() if channel in line]
            found = next((m.group(0) for line in lines if (m := DIGEST_ID.search(line))), None)
            if found or not sent.ok or any(answers[1:]):
                return found
            await asyncio.sleep(0.05)
        return None

    async def restart_bot(self) -> None:
        try:
            await self.bot.restart()
        except RuntimeError as exc:
            raise PlaygroundError(str(exc)) from exc

    def change_world(self, op: dict[str, Any]) -> dict[str, Any]:
        if op.get("op") == "reset":
            self.cloud.set_world(self._reset_world())
        else:
            try:
                self.cloud.mutate(lambda world: world_view.apply(world, op))
            except world_view.WorldOpError as exc:
                raise PlaygroundError(str(exc)) from exc
        self._check_world()
        return self.world()

    # --- plumbing -----------------------------------------------------------------------------

    async def _send(
        self, kind: str, user: str, summary: str, send: Callable[[], Awaitable[Delivery]]
    ) -> Sent:
        try:
            delivery = await send()
        except LookupError as exc:  # the message or view is gone
            raise PlaygroundError(str(exc), 404) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            sent = self.deliveries.failed(kind, user, summary, exc)
        else:
            sent = self.deliveries.answered(delivery, user, summary)
        del self.platform.deliveries[:-KEEP]  # `self.deliveries` keeps what the page shows
        self._notify()
        return sent

    def _check_target(self, target: str, user: str) -> None:
        if target.startswith("V"):
            self._open_view(target, user)
            return
        message = self.slack.find_message(target)
        if message is None:
            raise PlaygroundError(f"no message {target}: it was deleted", 404)
        if message.get("ephemeral_to") not in (None, user):
            raise PlaygroundError("that message is only visible to someone else", 404)

    def _open_view(self, view_id: str, user: str) -> dict[str, Any]:
        view = self.slack.view(view_id)
        if view is None or not view["is_open"] or view["user"] != user:
            raise PlaygroundError(f"no open modal {view_id} for {user}", 404)
        return view

    def _notify(self) -> None:
        self.version += 1
        self._wake()

    def _wake(self) -> None:
        for waker in self._wakers:
            waker.set()

    def _fingerprint(self) -> str:
        return json.dumps(self.world(), sort_keys=True)

    def _check_world(self) -> None:
        current = self._fingerprint()
        if current != self._world_print:
            self._world_print = current
            self.world_version += 1
            self._wake()

    async def _poll_world(self) -> None:
        """The bot changes the cloud too (an approved fix): notice it, whoever made it."""
        while True:
            await asyncio.sleep(WORLD_POLL_S)
            try:
                await asyncio.to_thread(self._check_world)
            except Exception:
                log.exception("reading the world failed")

    # --- HTTP ---------------------------------------------------------------------------------

    def app(self, port: int) -> web.Application:
        app = web.Application(middlewares=[local_only(port), refusals])
        app.router.add_get("/", _index)
        app.router.add_static("/static/", STATIC)
        app.router.add_get("/api/state", self._get_state)
        app.router.add_get("/api/world", self._get_world)
        app.router.add_get("/api/events", self._events)
        app.router.add_post("/api/slash", self._post_slash)
        app.router.add_post("/api/click", self._post_click)
        app.router.add_post("/api/submit", self._post_submit)
        app.router.add_post("/api/close", self._post_close)
        app.router.add_post("/api/digest/run", self._post_digest)
        app.router.add_post("/api/bot/restart", self._post_restart)
        app.router.add_post("/api/world", self._post_world)
        return app

    async def _get_state(self, _: web.Request) -> web.Response:
        return web.json_response(self.state())

    async def _get_world(self, _: web.Request) -> web.Response:
        return web.json_response(await asyncio.to_thread(self.world))

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        waker = asyncio.Event()
        self._wakers.add(waker)
        sent_state, sent_world = -1, -1
        try:
            while not self._closing.is_set():
                state_version = self.version + self.slack.version
                if state_version != sent_state:
                    sent_state = state_version
                    await _event(response, "state", self.state())
                if self.world_version != sent_world:
                    sent_world = self.world_version
                    await _event(response, "world", await asyncio.to_thread(self.world))
                try:
                    await asyncio.wait_for(waker.wait(), KEEPALIVE_S)
                except TimeoutError:
                    await response.write(b": keepalive\n\n")
                    continue
                await asyncio.sleep(COALESCE_S)
                waker.clear()
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._wakers.discard(waker)
        return response

    async def _post_slash(self, request: web.Request) -> web.Response:
        body = await _body(request, "user", "channel", "text")
        sent = await self.slash(body["user"], body["channel"], body["text"])
        return web.json_response({"delivery": sent.json()})

    async def _post_click(self, request: web.Request) -> web.Response:
        body = await _body(request, "user", "target", "action_id")
        sent = await self.click(
            body["user"], body["target"], body["action_id"], body.get("block_id"), body.get("value")
        )
        return web.json_response({"delivery": sent.json()})

    async def _post_submit(self, request: web.Request) -> web.Response:
        body = await _body(request, "user", "view_id")
        values = body.get("values") or {}
        if not isinstance(values, dict):
            raise PlaygroundError("values must be an object: {block_id: value}")
        sent = await self.submit(body["user"], body["view_id"], values)
        answer: dict[str, Any] = {"delivery": sent.json()}
        ack = sent.ack if isinstance(sent.ack, dict) else {}
        if ack.get("response_action") == "errors":
            answer["errors"] = ack.get("errors")
        return web.json_response(answer)

    async def _post_close(self, request: web.Request) -> web.Response:
        body = await _body(request, "user", "view_id")
        sent = await self.close_view(body["user"], body["view_id"])
        return web.json_response({"delivery": sent and sent.json()})

    async def _post_digest(self, request: web.Request) -> web.Response:
        body = await _body(request, "user")
        sent = await self.run_digest(body["user"])
        return web.json_response({"delivery": sent.json()})

    async def _post_restart(self, request: web.Request) -> web.Response:
        await _body(request)
        await self.restart_bot()
        return web.json_response({"bot": self.bot.status.json()})

    async def _post_world(self, request: web.Request) -> web.Response:
        body = await _body(request, "op")
        world = await asyncio.to_thread(self.change_world, body)
        return web.json_response({"world": world})


async def _index(_: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})


async def _event(response: web.StreamResponse, name: str, data: Any) -> None:
    await response.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())


async def _body(request: web.Request, *required: str) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise PlaygroundError("send a JSON object") from None
    if not isinstance(body, dict):
        raise PlaygroundError("send a JSON object")
    missing = [k for k in required if not isinstance(body.get(k), str)]
    if missing:
        raise PlaygroundError(f"missing {', '.join(missing)} (strings)")
    return body


@web.middleware
async def refusals(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A refused request answers {"error": "..."} with its status, never a stack trace."""
    try:
        return await handler(request)
    except PlaygroundError as exc:
        return web.json_response({"error": str(exc)}, status=exc.status)
    except ValueError as exc:  # an unknown person or channel
        return web.json_response({"error": str(exc)}, status=400)


def local_only(port: int) -> Callable[..., Awaitable[web.StreamResponse]]:
    """Refuse what a web page elsewhere could make a browser send here: another Host (DNS
    rebinding) and form posts (cross-site: the API takes only JSON, which needs CORS)."""
    hosts = {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.host not in hosts:
            return web.json_response(
                {"error": f"open the playground as http://127.0.0.1:{port}/"}, status=403
            )
        if request.method == "POST" and request.content_type != "application/json":
            return web.json_response(
                {"error": "POST JSON (Content-Type: application/json)"}, status=415
            )
        return await handler(request)

    return middleware

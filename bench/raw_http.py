"""A burst of HTTP requests timed at the socket.

Every request is built and signed, and its connection opened, before the clock starts; the
clock stops in the protocol callback that receives the last byte of the answer. On a shared
machine the figures are then the server's answer time, not the sender's own work (building,
signing and parsing fifty requests on the same cores as the server).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    elapsed: float  # seconds from writing the request to receiving the whole answer


class _Exchange(asyncio.Protocol):
    """One request on its own connection; `done` resolves when the whole answer is in."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.sent = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.data += data
        head, sep, body = bytes(self.data).partition(b"\r\n\r\n")
        if not sep or self.done.done():
            return
        length = _content_length(head)
        if length is not None and len(body) >= length:
            self.done.set_result(time.perf_counter())

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(time.perf_counter())  # an answer without Content-Length

    def answer(self, received: float) -> Answer:
        head, _, body = bytes(self.data).partition(b"\r\n\r\n")
        status_line = head.split(b"\r\n", 1)[0].split()
        status = int(status_line[1]) if len(status_line) > 1 else 0
        return Answer(status, body.decode("utf-8", "replace"), received - self.sent)


def _content_length(head: bytes) -> int | None:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return None


def _request(host: str, path: str, body: str, headers: Mapping[str, str]) -> bytes:
    payload = body.encode()
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}",
        f"Content-Length: {len(payload)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def burst(
    url: str, requests: list[tuple[str, Mapping[str, str]]], timeout: float = 30.0
) -> list[Answer]:
    """POST each (body, headers) to `url` at once, each on a connection opened beforehand."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    loop = asyncio.get_running_loop()
    raw = [_request(parts.netloc, parts.path or "/", body, h) for body, h in requests]
    exchanges = [(await loop.create_connection(_Exchange, host, port))[1] for _ in raw]
    for exchange, data in zip(exchanges, raw, strict=True):
        exchange.sent = time.perf_counter()
        assert exchange.transport is not None
        exchange.transport.write(data)
    received = await asyncio.wait_for(asyncio.gather(*(e.done for e in exchanges)), timeout)
    for exchange in exchanges:
        assert exchange.transport is not None
        exchange.transport.close()
    return [e.answer(at) for e, at in zip(exchanges, received, strict=True)]

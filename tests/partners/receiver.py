"""A real local HTTP receiver for webhook tests: records requests, answers as scripted."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import uvicorn

from services.core.embedded import free_port

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def attributes(headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """A delivery's CloudEvents attributes, in either mode (data included)."""
    if headers.get("content-type", "").startswith("application/cloudevents+json"):
        found: dict[str, Any] = orjson.loads(body)
        return found
    attrs: dict[str, Any] = {k[3:]: v for k, v in headers.items() if k.startswith("ce-")}
    attrs["data"] = orjson.loads(body) if body else None
    return attrs


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int  # what the receiver answered (0: nothing)
    at: float

    @property
    def event(self) -> dict[str, Any]:
        return attributes(self.headers, self.body)


@dataclass(frozen=True)
class Answer:
    status: int = 200
    hang: bool = False  # never answer (the sender's timeout must cut it off)
    body_bytes: int = 0  # a body this long, sent in 1 MiB pieces
    location: str | None = None


@dataclass
class Receiver:
    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    # Per path: (which events, the answers for them in order); others are answered 200.
    script: dict[str, list[tuple[Callable[[dict[str, Any]], bool], deque[Answer]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    server: uvicorn.Server | None = None
    task: asyncio.Task[None] | None = None
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, path: str, when: Callable[[dict[str, Any]], bool], *answers: Answer) -> None:
        """The next answers for the events at ``path`` that ``when`` accepts (by their CloudEvents
        attributes), in order; then 200."""
        self.script[path].append((when, deque(answers)))

    def at(self, path: str, *, status: int | None = None) -> list[Received]:
        return [r for r in self.received if r.path == path and (status is None or r.status == status)]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"]
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        event = attributes(headers, body)
        answer = next(
            (queue.popleft() for when, queue in self.script[path] if queue and when(event)), Answer()
        )
        self.received.append(
            Received(path, headers, body, 0 if answer.hang else answer.status, time.monotonic())
        )
        if answer.hang:
            await self.release.wait()
            return
        extra = [(b"location", answer.location.encode())] if answer.location else []
        await send({"type": "http.response.start", "status": answer.status, "headers": extra})
        chunk = b"x" * (1 << 20)
        left = answer.body_bytes
        while left > 0:
            await send({"type": "http.response.body", "body": chunk[:left], "more_body": True})
            left -= len(chunk)
        await send({"type": "http.response.body", "body": b""})

    async def start(self) -> None:
        config = uvicorn.Config(
            self, host="127.0.0.1", port=self.port, log_config=None, access_log=False, lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        self.release.set()
        if self.server is not None and self.task is not None:
            self.server.should_exit = True
            await self.task

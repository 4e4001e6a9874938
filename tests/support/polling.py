"""Waiting for a condition, never for a length of time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


async def wait_until(
    check: Callable[[], Awaitable[bool]], *, within: float = 10.0, interval: float = 0.05
) -> None:
    """Poll ``check`` until it holds; fail the test after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {within}s")
        await asyncio.sleep(interval)


async def eventually(
    fetch: Callable[[], Awaitable[T]],
    accept: Callable[[T], bool],
    *,
    within: float = 10.0,
    interval: float = 0.05,
) -> T:
    """Call ``fetch`` until ``accept`` holds for its answer, and return that answer."""
    deadline = time.monotonic() + within
    while True:
        value = await fetch()
        if accept(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {within}s; last value: {value!r}")
        await asyncio.sleep(interval)

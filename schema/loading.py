"""Values a request has already loaded, handed out without a coroutine per row."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R")


def now_or_later(loader: DataLoader[K, V], key: K, convert: Callable[[V], R]) -> Any:
    """``convert`` of the loader's value for ``key``: at once when the loader holds it already
    (primed by a query that fetched it along), else an awaitable of it.

    For a synchronous resolver over a list: graphql-core awaits an awaitable a resolver
    returns, but a value returned at once spares a coroutine, and a task in the list's
    gather, per row.
    """
    future = loader.cache_map.get(key)
    if future is not None and future.done() and not future.cancelled() and future.exception() is None:
        return convert(future.result())

    async def later() -> R:
        return convert(await loader.load(key))

    return later()

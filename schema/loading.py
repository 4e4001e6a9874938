"""Request-scoped DataLoaders, made once per request by name, and values already loaded
handed out without a coroutine per row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import asyncpg
from strawberry.dataloader import DataLoader

if TYPE_CHECKING:
    from schema.context import Context

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R")


def request_loader(
    context: Context, name: str, load: Callable[[list[K]], Awaitable[list[V]]]
) -> DataLoader[K, V]:
    """The request's loader called ``name``, made with ``load`` the first time it is asked for."""
    if name not in context.loaders:
        context.loaders[name] = DataLoader(load_fn=load)
    loader: DataLoader[K, V] = context.loaders[name]
    return loader


def grouped_loader(
    context: Context,
    name: str,
    batch: Callable[[asyncpg.Connection, list[K]], Awaitable[Mapping[K, list[V]]]],
) -> DataLoader[K, list[V]]:
    """A loader of lists by key (a council's meetings, an agreement's projects): ``batch``
    reads every asked key in one query, on the request's connection; a key it does not return
    has an empty list."""

    async def load(keys: Sequence[K]) -> list[list[V]]:
        async with context.db() as conn:
            found = await batch(conn, list(keys))
        return [list(found.get(key, [])) for key in keys]

    return request_loader(context, name, load)


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

"""Rows into dataclasses, and one page of a keyset-paginated list."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar

import asyncpg

T = TypeVar("T")


@functools.cache
def _field_names(cls: type[Any]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def from_record(cls: type[T], record: Mapping[str, Any] | asyncpg.Record) -> T:
    """Build dataclass ``cls`` from the same-named columns of a record."""
    names: tuple[str, ...] = _field_names(cls)  # type: ignore[arg-type]  # classes are hashable
    return cls(**{name: record[name] for name in names})


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a keyset-paginated list."""

    items: list[T]
    total: int
    has_next: bool

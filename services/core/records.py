"""Rows into dataclasses, and one page of a keyset-paginated list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar

import asyncpg

T = TypeVar("T")


def from_record(cls: type[T], record: Mapping[str, Any] | asyncpg.Record) -> T:
    """Build dataclass ``cls`` from the same-named columns of a record."""
    return cls(**{f.name: record[f.name] for f in fields(cls)})  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a keyset-paginated list."""

    items: list[T]
    total: int
    has_next: bool

"""Sample instances of every registered event type, made from the classes' fields."""

from __future__ import annotations

import dataclasses
import types
import typing
import uuid
from typing import Any

from services.events.types import DomainEvent


def _value(hint: Any, name: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _value(next(arg for arg in typing.get_args(hint) if arg is not type(None)), name)
    if origin is list:
        return ["样例"]
    if hint is int:
        return 1
    if name == "id" or name.endswith("_id"):
        return str(uuid.uuid4())
    return f"sample-{name}"


def sample(cls: type[DomainEvent], **given: Any) -> DomainEvent:
    """An instance of ``cls`` with a plausible value in every payload field."""
    hints = typing.get_type_hints(cls)
    values = {
        f.name: _value(hints[f.name], f.name)
        for f in dataclasses.fields(cls)
        if f.name != "actor" and f.name not in given
    }
    return cls(**values, **given)

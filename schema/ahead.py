"""Fields answered ahead: values a query has already fetched for the objects it makes.

When the query that makes a page of objects fetches along what one of their resolvers would
load (the owner of each resource), it leaves the value in the object's ``prefetched`` mapping
and ``schema.execution`` completes the field from there without calling the resolver.

The mapping is keyed by ``AheadField``, never by a bare string: a key is made once per type
and field by ``answered_ahead``, which checks at import that the type has that resolver field
and that it is one the execution answers ahead (no extensions, an object type, a type that
carries ``prefetched``). A misspelt or unsuitable field fails at import, not by a resolver
that quietly runs for every row; a bare string key fails mypy.
"""

from __future__ import annotations

import dataclasses
from typing import NewType

from strawberry.types.base import StrawberryOptional, get_object_definition, has_object_definition

AheadField = NewType("AheadField", str)
"""The Python name of a resolver field that may be answered ahead, checked by ``answered_ahead``."""

Prefetched = dict[AheadField, object]
"""What an object carries in its ``prefetched`` attribute (None when nothing was fetched)."""

PREFETCHED = "prefetched"
"""The attribute of a GraphQL object holding values fetched ahead."""


def answered_ahead(type_: type, name: str) -> AheadField:
    """The key under which objects of ``type_`` carry field ``name`` answered ahead.

    TypeError when ``type_`` has no such resolver field, or one the execution would not
    answer ahead, or keeps no ``prefetched`` mapping.
    """
    definition = get_object_definition(type_, strict=True)
    if PREFETCHED not in {f.name for f in dataclasses.fields(type_)}:
        raise TypeError(f"{definition.name} keeps no {PREFETCHED!r} mapping of fields answered ahead")
    field = next((f for f in definition.fields if f.python_name == name), None)
    if field is None or field.base_resolver is None:
        raise TypeError(f"{definition.name} has no resolver field {name!r} to answer ahead")
    if field.extensions:
        raise TypeError(
            f"{definition.name}.{name} has extensions (a permission?): it is never answered ahead"
        )
    returned = field.type.of_type if isinstance(field.type, StrawberryOptional) else field.type
    if not has_object_definition(returned) or get_object_definition(returned, strict=True).is_interface:
        raise TypeError(f"{definition.name}.{name} is not of an object type: it is never answered ahead")
    return AheadField(name)

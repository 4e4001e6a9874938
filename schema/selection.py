"""What a query asks for below the current field, to shape the SQL behind it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strawberry.types.nodes import SelectedField, Selection

from schema.context import Info


def _reaches(selections: Iterable[Selection], path: tuple[str, ...]) -> bool:
    if not path:
        return True
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == path[0] and _reaches(selection.selections, path[1:]):
                return True
        elif _reaches(selection.selections, path):  # fragment spreads and inline fragments
            return True
    return False


def selects(info: Info, *path: str) -> bool:
    """Whether the selection of the current field reaches ``path`` (GraphQL names, e.g.
    ``selects(info, "edges", "node", "owner")``), through fragments too."""
    return _reaches([s for field in info.selected_fields for s in field.selections], path)


def _arguments(selections: Iterable[Selection], path: tuple[str, ...], found: list[dict[str, Any]]) -> None:
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == path[0]:
                if len(path) == 1:
                    found.append(selection.arguments)
                else:
                    _arguments(selection.selections, path[1:], found)
        else:
            _arguments(selection.selections, path, found)


def arguments_at(info: Info, *path: str) -> list[dict[str, Any]]:
    """The arguments of every selection of the field at ``path`` below the current field."""
    found: list[dict[str, Any]] = []
    _arguments([s for field in info.selected_fields for s in field.selections], path, found)
    return found

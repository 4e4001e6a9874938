"""The stable contract: the exported SDL against the last released one, and deprecation rules.

A change graphql-core's ``find_breaking_changes`` calls breaking may ship only when
``CHANGELOG.md`` names it under a "Breaking" heading (its description, as the finder words it,
or its ``Type.field`` coordinate). A deprecation says why and when the field goes:
``@deprecated(reason: "… Removal: 2027-06-30.")``.
"""

from __future__ import annotations

import re
from pathlib import Path

from graphql import GraphQLObjectType, GraphQLSchema, build_schema, find_breaking_changes
from graphql.type import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType

RELEASED_SDL_PATH = Path(__file__).resolve().parent / "released.graphql"
CHANGELOG_PATH = Path(__file__).resolve().parent.parent / "CHANGELOG.md"

REMOVAL_DATE = re.compile(r"Removal: \d{4}-\d{2}-\d{2}\.")
_HEADING = re.compile(r"^(#+)\s*(.*)$")
_DOTTED = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*\b")
_NAME = re.compile(r"\b[A-Z][A-Za-z0-9_]*\b")


def _coordinate(description: str) -> str | None:
    """``Type.field`` in a finder's description, else the type it names ("Kind was removed.")."""
    dotted = _DOTTED.search(description)
    if dotted:
        return dotted.group(0)
    names = _NAME.findall(description.removesuffix("."))
    return names[0] if names else None


def breaking_sections(changelog: str) -> str:
    """The text of every section of the changelog whose heading says "Breaking"."""
    kept: list[str] = []
    inside_level: int | None = None
    for line in changelog.splitlines():
        heading = _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            if inside_level is not None and level <= inside_level:
                inside_level = None
            if "breaking" in heading.group(2).lower():
                inside_level = level
                continue
        if inside_level is not None:
            kept.append(line)
    return "\n".join(kept)


def unannounced_breaking_changes(released_sdl: str, current_sdl: str, changelog: str) -> list[str]:
    """Breaking changes from the released SDL to the current one that the changelog does not name."""
    announced = breaking_sections(changelog)
    missing = []
    for change in find_breaking_changes(build_schema(released_sdl), build_schema(current_sdl)):
        coordinate = _coordinate(change.description)
        named = change.description in announced or (coordinate is not None and f"`{coordinate}`" in announced)
        if not named:
            missing.append(f"{change.type.name}: {change.description}")
    return missing


def deprecations_without_removal_date(schema: GraphQLSchema) -> list[str]:
    """Deprecated fields, arguments, input fields and enum values whose reason lacks a removal date."""
    missing: list[str] = []

    def check(coordinate: str, reason: str | None) -> None:
        if reason is not None and not REMOVAL_DATE.search(reason):
            missing.append(coordinate)

    for name, type_ in schema.type_map.items():
        if name.startswith("__"):
            continue
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in type_.fields.items():
                check(f"{name}.{field_name}", field.deprecation_reason)
                for arg_name, arg in field.args.items():
                    check(f"{name}.{field_name}({arg_name}:)", arg.deprecation_reason)
        elif isinstance(type_, GraphQLInputObjectType):
            for field_name, input_field in type_.fields.items():
                check(f"{name}.{field_name}", input_field.deprecation_reason)
        elif isinstance(type_, GraphQLEnumType):
            for value_name, value in type_.values.items():
                check(f"{name}.{value_name}", value.deprecation_reason)
    return missing

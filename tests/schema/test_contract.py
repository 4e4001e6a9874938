"""The released contract holds: breaking changes are announced, deprecations carry a date."""

from __future__ import annotations

from graphql import build_schema

from schema.contract import (
    CHANGELOG_PATH,
    RELEASED_SDL_PATH,
    breaking_sections,
    deprecations_without_removal_date,
    unannounced_breaking_changes,
)
from schema.export import current_sdl

RELEASED = """
type Query { organization(id: ID!): Organization, count: Int }
type Organization { id: ID!, name: String!, phone: String }
"""
# phone removed (breaking), name made nullable (breaking), a field added (safe)
CURRENT = """
type Query { organization(id: ID!): Organization, count: Int, extra: Int }
type Organization { id: ID!, name: String }
"""


def test_the_current_sdl_breaks_nothing_unannounced() -> None:
    missing = unannounced_breaking_changes(
        RELEASED_SDL_PATH.read_text(), current_sdl(), CHANGELOG_PATH.read_text()
    )
    assert missing == [], "name these under a 'Breaking' heading in CHANGELOG.md, or undo them"


def test_every_deprecation_in_the_schema_has_a_removal_date() -> None:
    assert deprecations_without_removal_date(build_schema(current_sdl())) == []


def test_breaking_changes_are_found_until_the_changelog_names_them() -> None:
    found = unannounced_breaking_changes(RELEASED, CURRENT, "# Changelog\n")
    assert len(found) == 2 and any("phone" in change for change in found)
    # named elsewhere than under "Breaking" does not count
    elsewhere = "# Changelog\n## Added\n- `Organization.phone` and `Organization.name`\n"
    assert len(unannounced_breaking_changes(RELEASED, CURRENT, elsewhere)) == 2
    announced = (
        "# Changelog\n## 0.2.0\n### Breaking\n- `Organization.phone` is gone.\n"
        "- Field Organization.name changed type from String! to String.\n### Added\n- more\n"
    )
    assert unannounced_breaking_changes(RELEASED, CURRENT, announced) == []
    assert "more" not in breaking_sections(announced)


def test_a_deprecation_without_a_removal_date_is_reported() -> None:
    schema = build_schema(
        """
        type Query {
          old: Int @deprecated(reason: "Use new. Removal: 2027-06-30.")
          older: Int @deprecated(reason: "Use new.")
          new: Int
        }
        enum Kind { A B @deprecated }
        """
    )
    assert deprecations_without_removal_date(schema) == ["Query.older", "Kind.B"]

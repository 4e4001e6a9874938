"""schema/schema.graphql is the exported SDL of the code; partners read it."""

from __future__ import annotations

from schema.export import SDL_PATH, current_sdl


def test_exported_sdl_matches_the_code() -> None:
    assert SDL_PATH.read_text() == current_sdl(), "run `make schema` and commit schema/schema.graphql"

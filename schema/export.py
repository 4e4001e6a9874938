"""Write the SDL of the whole API to ``schema/schema.graphql`` (kept in sync by a test)."""

from __future__ import annotations

from pathlib import Path

from schema import build_schema
from services.core.settings import Settings

SDL_PATH = Path(__file__).resolve().parent / "schema.graphql"


def current_sdl() -> str:
    """The SDL the code defines now (default settings: limits do not change the types)."""
    return build_schema(Settings()).as_str() + "\n"


def main() -> None:
    SDL_PATH.write_text(current_sdl())


if __name__ == "__main__":
    main()

"""The directory's GraphQL root types, composed into the schema by the domain list."""

from __future__ import annotations

from schema.directory.compiled import COMPILED
from schema.directory.mutations import DirectoryMutation as Mutation
from schema.directory.queries import DirectoryQuery as Query

__all__ = ["COMPILED", "Mutation", "Query"]

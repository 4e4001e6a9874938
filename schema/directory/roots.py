"""The directory's GraphQL root types, composed into the schema by the domain list."""

from __future__ import annotations

from schema.directory.mutations import DirectoryMutation as Mutation
from schema.directory.queries import DirectoryQuery as Query

__all__ = ["Mutation", "Query"]

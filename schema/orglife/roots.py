"""The organisational-life domain's GraphQL root types, composed into the schema by the domain list."""

from __future__ import annotations

from schema.orglife.mutations import OrgLifeMutation as Mutation
from schema.orglife.queries import OrgLifeQuery as Query

__all__ = ["Mutation", "Query"]

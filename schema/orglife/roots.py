"""The organisational-life domain's GraphQL root types, composed into the schema by the domain list."""

from __future__ import annotations

import strawberry

from schema.orglife.mutations import OrgLifeMutation
from schema.orglife.queries import OrgLifeQuery
from schema.orglife.ratings import RatingMutation, RatingQuery


@strawberry.type
class Query(OrgLifeQuery, RatingQuery):
    pass


@strawberry.type
class Mutation(OrgLifeMutation, RatingMutation):
    pass


__all__ = ["Mutation", "Query"]

"""The organisational-life domain's GraphQL root types, composed into the schema by the domain list."""

from __future__ import annotations

import strawberry

from schema.nodes import NodeType
from schema.orglife.mutations import OrgLifeMutation
from schema.orglife.queries import OrgLifeQuery
from schema.orglife.ratings import RatingMutation, RatingQuery, StarRating, StarRatingCriterion
from schema.orglife.types import Member, OrganisationalLifeRecord, Transfer


@strawberry.type
class Query(OrgLifeQuery, RatingQuery):
    pass


@strawberry.type
class Mutation(OrgLifeMutation, RatingMutation):
    pass


# The node types this domain answers by node(id) (全局对象标识), each through its own root field.
NODES = (
    NodeType(Member, table="party_members", root="member"),
    NodeType(Transfer, table="member_transfers", root="transfer"),
    NodeType(StarRating, table="star_ratings", root="star_rating"),
    NodeType(StarRatingCriterion, table="star_rating_criteria", root="star_rating_criterion"),
    NodeType(
        OrganisationalLifeRecord, table="organisational_life_records", root="organisational_life_record"
    ),
)

__all__ = ["NODES", "Mutation", "Query"]

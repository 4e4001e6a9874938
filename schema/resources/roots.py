"""The resources domain's GraphQL root types, composed into the schema by the domain list."""

from __future__ import annotations

from schema.nodes import NodeType
from schema.resources.compiled import COMPILED
from schema.resources.mutations import ResourcesMutation as Mutation
from schema.resources.queries import ResourcesQuery as Query
from schema.resources.types import Booking, MenuItem, Resource

# The node types this domain answers by node(id) (全局对象标识), each through its own root field.
NODES = (
    NodeType(Resource, table="resources", root="resource"),
    NodeType(Booking, table="bookings", root="booking"),
    NodeType(MenuItem, table="resource_menu_items", root="menu_item"),
)

__all__ = ["COMPILED", "NODES", "Mutation", "Query"]

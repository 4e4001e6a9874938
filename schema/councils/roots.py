"""The councils domain's GraphQL root types, composed into the schema by the domain list."""

from __future__ import annotations

from schema.councils.compiled import COMPILED
from schema.councils.mutations import CouncilsMutation as Mutation
from schema.councils.queries import CouncilsQuery as Query
from schema.councils.types import AgendaItem, Comment, Council, CouncilFeed, Meeting, Resolution
from schema.nodes import NodeType

# The node types this domain answers by node(id) (全局对象标识), each through its own root field.
NODES = (
    NodeType(Council, table="councils", root="council"),
    NodeType(Meeting, table="council_meetings", root="meeting"),
    NodeType(AgendaItem, table="council_agenda_items", root="agenda_item"),
    NodeType(Comment, table="council_agenda_comments", root="comment"),
    NodeType(Resolution, table="council_resolutions", root="resolution"),
    NodeType(CouncilFeed, table="council_feeds", root="council_feed"),
)

__all__ = ["COMPILED", "NODES", "Mutation", "Query"]

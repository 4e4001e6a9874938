"""Partner access's GraphQL root types and its schema extension, composed by the domain list."""

from __future__ import annotations

import strawberry

from schema.nodes import NodeType
from schema.partners.admission import PartnerAdmission, refused_before_authentication
from schema.partners.mutations import PartnerMutation
from schema.partners.queries import PartnerQuery
from schema.partners.types import PersistedOperation
from schema.partners.webhook_mutations import WebhookMutation
from schema.partners.webhook_queries import WebhookQuery
from schema.partners.webhook_types import WebhookDelivery, WebhookEndpoint

# Schema extensions a domain brings: run on every operation, before the platform's own.
EXTENSIONS = (PartnerAdmission,)
# Answers before authentication: a key this process holds refused gets 429 at once.
HTTP_GUARDS = (refused_before_authentication,)


@strawberry.type
class Query(PartnerQuery, WebhookQuery):
    pass


@strawberry.type
class Mutation(PartnerMutation, WebhookMutation):
    pass


# The node types this domain answers by node(id) (全局对象标识), each through its own root field.
NODES = (
    NodeType(WebhookEndpoint, table="webhook_endpoints", root="webhook_endpoint"),
    NodeType(WebhookDelivery, table="webhook_deliveries", root="webhook_delivery"),
    NodeType(PersistedOperation, table="persisted_operations", root="persisted_operation"),
)

__all__ = ["EXTENSIONS", "HTTP_GUARDS", "NODES", "Mutation", "Query"]

"""The directory's GraphQL root types, composed into the schema by the domain list."""

from __future__ import annotations

from schema.directory.api_keys import ApiKey
from schema.directory.compiled import COMPILED
from schema.directory.mutations import DirectoryMutation as Mutation
from schema.directory.queries import DirectoryQuery as Query
from schema.directory.types import AuditEntry, Organization, RoleGrant, RoleInvitation
from schema.nodes import NodeType

# The node types this domain answers by node(id) (全局对象标识), each through its own root field.
NODES = (
    NodeType(Organization, table="organizations", root="organization"),
    NodeType(AuditEntry, table="audit_log", root="audit_entry", kind="bigint"),
    NodeType(RoleGrant, table="role_assignments", root="role_grant"),
    NodeType(RoleInvitation, table="role_invitations", root="role_invitation"),
    NodeType(ApiKey, table="api_keys", root="api_key"),
)

__all__ = ["COMPILED", "NODES", "Mutation", "Query"]

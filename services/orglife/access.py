"""Who may see and keep members, records and transfers, and the audit of what they read.

Casbin has said the caller's role may do the action at all; here the question is which
branches. A branch's org_admin keeps its members and records; the admins of the levels above
(and the alliance admin, auditors) look them up (调阅); a member reads their own record and
their branch's sessions. Every read of a member's personal fields, or of a record, by anyone
who is not that branch's own admin writes an audit row: one statement per request.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import asyncpg

from services.core.audit import write_read_audit_rows
from services.core.errors import Forbidden
from services.core.principal import Principal
from services.directory.reads import Role, managed_subtree, may_manage

__all__ = ["ReadScope", "audit_reads", "may_manage", "require_manager"]


@dataclass(frozen=True, slots=True)
class ReadScope:
    """Which branches' members and records a caller may read (see ``SCOPE_SQL``)."""

    sees_all: bool
    subtree: list[uuid.UUID]  # branches the caller administers, with those below them
    member_of: list[uuid.UUID]  # the caller's own organisations
    own_branches: frozenset[uuid.UUID]  # branches the caller administers itself (reads not audited)

    @classmethod
    async def of(cls, conn: asyncpg.Connection, actor: Principal) -> ReadScope:
        sees_all = bool({Role.ALLIANCE_ADMIN, Role.AUDITOR} & actor.roles)
        managed = actor.managed_organization_ids if Role.ORG_ADMIN in actor.roles else frozenset()
        subtree = await managed_subtree(conn, organization_ids=managed) if managed and not sees_all else set()
        return cls(
            sees_all=sees_all,
            subtree=sorted(subtree),
            member_of=sorted(actor.organization_ids),
            own_branches=frozenset(managed),
        )

    def manages(self, organization_id: uuid.UUID) -> bool:
        return organization_id in self.subtree

    def admin_of(self, organization_id: uuid.UUID) -> bool:
        return organization_id in self.own_branches


async def require_manager(
    conn: asyncpg.Connection, actor: Principal, organization_id: uuid.UUID, *, doing: str
) -> None:
    if not await may_manage(conn, actor, organization_id):
        raise Forbidden(f"only an admin of the branch or of one above it may {doing}")


async def audit_reads(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    scope: ReadScope,
    entity_type: str,
    read: Iterable[tuple[uuid.UUID, uuid.UUID]],
) -> None:
    """Audit the rows read (id, branch) whose branch the caller does not administer itself."""
    ids = sorted({str(row_id) for row_id, branch in read if not scope.admin_of(branch)})
    await write_read_audit_rows(
        conn,
        tenant_id=actor.tenant_id,
        actor_id=actor.account_id,
        actor_login=actor.login,
        entity_type=entity_type,
        entity_ids=ids,
    )

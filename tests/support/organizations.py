"""Organisations for tests: the demo's by name, and fresh ones below a parent."""

from __future__ import annotations

import uuid

import asyncpg

STREET = "东城街道党工委"
COMMUNITY = "花园社区党委"
SOE = "城市建设投资集团有限公司党委"


async def org_id(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID, name: str) -> uuid.UUID:
    """The id of the organisation called ``name`` in the tenant (it must exist)."""
    found = await admin_conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND name = $2", tenant_id, name
    )
    assert found is not None, name
    return uuid.UUID(str(found))


async def new_org(
    admin_conn: asyncpg.Connection,
    tenant_id: uuid.UUID,
    *,
    parent: uuid.UUID | None = None,
    prefix: str = "测试单位",
    kind: str = "COMMUNITY",
) -> uuid.UUID:
    """A new organisation with a unique name (below ``parent``), owning nothing yet."""
    return uuid.UUID(
        str(
            await admin_conn.fetchval(
                "INSERT INTO organizations (tenant_id, name, kind, parent_id) VALUES ($1, $2, $3, $4)"
                " RETURNING id",
                tenant_id,
                f"{prefix}-{uuid.uuid4().hex[:6]}",
                kind,
                parent,
            )
        )
    )

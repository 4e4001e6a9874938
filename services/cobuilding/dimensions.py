"""The dimension catalogue (十联十共 的共建维度): per tenant, as data; retiring keeps history."""

from __future__ import annotations

import asyncpg

from services.cobuilding.events import DimensionDefined, DimensionRetired
from services.cobuilding.models import CONSTRAINTS, Dimension
from services.core.errors import Conflict, NotFound
from services.core.principal import Principal
from services.core.records import from_record
from services.core.validation import clean_text
from services.events.changes import record_change

_COLUMNS = "id, code, name, description, position, retired_at"


def _view(dimension: Dimension) -> dict[str, object]:
    return {
        "code": dimension.code,
        "name": dimension.name,
        "description": dimension.description,
        "position": dimension.position,
        "active": dimension.active,
    }


async def define_dimension(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    code: str,
    name: str,
    description: str | None = None,
    position: int | None = None,
) -> Dimension:
    """Add a dimension, or change (and bring back) the one of that code."""
    code = clean_text(code, field="code", max_length=40).upper()
    name = clean_text(name, field="name", max_length=50)
    text = clean_text(description or "", field="description", max_length=1000, required=False, multiline=True)
    before_row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM cobuilding_dimensions WHERE code = $1 FOR UPDATE", code
    )
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""
        INSERT INTO cobuilding_dimensions (tenant_id, code, name, description, position)
        VALUES ($1, $2, $3, $4, coalesce($5, (SELECT coalesce(max(position) + 1,
            0) FROM cobuilding_dimensions)))
        ON CONFLICT ON CONSTRAINT cobuilding_dimensions_code DO UPDATE
        SET name = EXCLUDED.name, description = EXCLUDED.description,
            position = coalesce($5, cobuilding_dimensions.position), retired_at = NULL, updated_at = now()
        RETURNING {_COLUMNS}
        """,
        actor.tenant_id,
        code,
        name,
        text,
        position,
    )
    dimension = from_record(Dimension, row)
    before = _view(from_record(Dimension, before_row)) if before_row else None
    await record_change(
        conn,
        actor,
        DimensionDefined(id=str(dimension.id), code=dimension.code, name=dimension.name, active=True),
        before=before,
        after=_view(dimension),
    )
    return dimension


async def retire_dimension(conn: asyncpg.Connection, *, actor: Principal, code: str) -> Dimension:
    """Take a dimension out of new commitments; agreements and projects using it keep it."""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM cobuilding_dimensions WHERE code = $1 FOR UPDATE", code.strip().upper()
    )
    if row is None:
        raise NotFound("no such dimension", field="code")
    current = from_record(Dimension, row)
    if not current.active:
        raise Conflict("the dimension is retired already")
    row = await conn.fetchrow(
        f"UPDATE cobuilding_dimensions SET retired_at = now(), updated_at = now() WHERE id = $1"
        f" RETURNING {_COLUMNS}",
        current.id,
    )
    assert row is not None
    retired = from_record(Dimension, row)
    await record_change(
        conn,
        actor,
        DimensionRetired(id=str(retired.id), code=retired.code, name=retired.name, active=False),
        before=_view(current),
        after=_view(retired),
    )
    return retired

"""How reads of organisations compile to SQL (``schema.compiled``): declared once per type,
next to the types, with the service's own SQL for the roots."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from schema.compiled.mapping import (
    Args,
    ConnectionRoot,
    Kind,
    Many,
    ObjectRoot,
    One,
    Root,
    Scalar,
    TypeMap,
)
from schema.directory.queries import ORGANIZATIONS
from schema.pagination import parse_id
from services.core.principal import Principal
from services.directory import organizations
from services.directory.models import OrganizationKind


def _filter(args: Args, principal: Principal) -> Sequence[Any]:
    given: dict[str, Any] = args.get("filter") or {}
    parent, kind = given.get("parentId"), given.get("kind")
    return organizations.filter_params(
        filter=organizations.OrganizationFilter(
            kind=OrganizationKind(kind) if kind is not None else None,
            parent_id=parse_id(parent, "parentId") if parent else None,
            search=given.get("search"),
            include_archived=bool(given.get("includeArchived", False)),
        )
    )


def _by_id(args: Args, principal: Principal) -> Sequence[Any]:
    return [[parse_id(args["id"])]]


ORGANIZATION = TypeMap(
    "Organization",
    {
        "id": Scalar("{t}.id", Kind.ID),
        "name": Scalar("{t}.name", Kind.STRING),
        "kind": Scalar("{t}.kind", Kind.ENUM),
        "parentId": Scalar("{t}.parent_id", Kind.ID),
        "creditCode": Scalar("{t}.credit_code", Kind.STRING),
        "starRating": Scalar("{t}.star_rating", Kind.INT),
        "archivedAt": Scalar("{t}.archived_at", Kind.DATETIME),
        "createdAt": Scalar("{t}.created_at", Kind.DATETIME),
        "updatedAt": Scalar("{t}.updated_at", Kind.DATETIME),
        "contactName": Scalar("{t}.contact_name", Kind.STRING),
        "contactPhone": Scalar("{t}.contact_phone", Kind.STRING),
        "parent": One(
            "Organization",
            "FROM organizations {o} WHERE {o}.tenant_id = {t}.tenant_id AND {o}.id = {t}.parent_id",
        ),
        # As organizations.children_of: active children in creation order.
        "children": Many(
            "Organization",
            "FROM organizations {o} WHERE {o}.tenant_id = {t}.tenant_id AND {o}.parent_id = {t}.id"
            " AND {o}.archived_at IS NULL ORDER BY {o}.id",
        ),
    },
)

ROOTS: list[Root] = [
    ConnectionRoot(
        field="organizations",
        type="Organization",
        keyset=ORGANIZATIONS,
        rows=organizations.PAGE_SQL,
        count=organizations.COUNT_SQL,
        key="{t}.id",
        bind=_filter,
    ),
    ObjectRoot(
        field="organization",
        type="Organization",
        rows=organizations.BY_ID_SQL,
        bind=_by_id,
    ),
]

COMPILED: list[TypeMap | Root] = [ORGANIZATION, *ROOTS]

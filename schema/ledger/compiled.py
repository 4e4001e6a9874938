"""How reads of the ledger compile to SQL (``schema.compiled``): declared once per type, next
to the types, with the service's own SQL and parameters for the roots.

Every field of items, their history and responsibility letters is mapped; logins (``by``,
``issuedBy``, ``acknowledgedBy``) are quiet fields, which the compiler answers as null for
roles that may not read them. ``ledgerFigures`` is computed in Python and is not compiled.
"""

from __future__ import annotations

import uuid
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
    row_by_id,
)
from schema.ledger.queries import LEDGER_ITEMS, LETTERS
from schema.pagination import parse_id
from services.core.principal import Principal
from services.ledger import letters, listing
from services.ledger.access import scope_params
from services.ledger.models import LedgerList, LedgerSource, LedgerStatus
from services.ledger.rows import overdue


def _id(given: dict[str, Any], name: str) -> uuid.UUID | None:
    # As the resolvers: an empty id is no filter.
    value = given.get(name)
    return parse_id(value, name) if value else None


def _item_filter(given: dict[str, Any]) -> listing.ItemFilter:
    kind, status, source = given.get("list"), given.get("status"), given.get("source")
    return listing.ItemFilter(
        list=LedgerList(kind) if kind is not None else None,
        organization_id=_id(given, "organizationId"),
        include_descendants=bool(given.get("includeDescendants", False)),
        status=LedgerStatus(status) if status is not None else None,
        overdue=given.get("overdue"),
        year=given.get("year"),
        source=LedgerSource(source) if source is not None else None,
        responsible_organization_id=_id(given, "responsibleOrganizationId"),
        search=given.get("search"),
    )


def _items(args: Args, principal: Principal) -> Sequence[Any]:
    return listing.filter_params(actor=principal, filter=_item_filter(args.get("filter") or {}))


def _items_organization(args: Args, principal: Principal) -> Sequence[Any]:
    return [_item_filter(args.get("filter") or {}).organization_id]


def _item_by_id(args: Args, principal: Principal) -> Sequence[Any]:
    return [*scope_params(principal), parse_id(args["id"])]


def _letters(args: Args, principal: Principal) -> Sequence[Any]:
    given: dict[str, Any] = args.get("filter") or {}
    return letters.filter_params(
        actor=principal,
        filter=letters.LetterFilter(
            year=given.get("year"),
            organization_id=_id(given, "organizationId"),
            issuer_organization_id=_id(given, "issuerOrganizationId"),
            acknowledged=given.get("acknowledged"),
        ),
    )


def _organization(column: str) -> One:
    return row_by_id("Organization", "organizations", column)


LEDGER_ITEM = TypeMap(
    "LedgerItem",
    {
        "id": Scalar("{t}.id", Kind.ID),
        "list": Scalar("{t}.list", Kind.ENUM),
        "organizationId": Scalar("{t}.organization_id", Kind.ID),
        "assigningOrganizationId": Scalar("{t}.assigning_organization_id", Kind.ID),
        "year": Scalar("{t}.year", Kind.INT),
        "title": Scalar("{t}.title", Kind.STRING),
        "description": Scalar("{t}.description", Kind.STRING),
        # The item's own columns, as one object.
        "source": One(
            "LedgerItemSource",
            "FROM (SELECT {t}.source, {t}.source_id, {t}.source_key) AS {o}",
        ),
        "responsibleOrganizationId": Scalar("{t}.responsible_organization_id", Kind.ID),
        "responsiblePerson": Scalar("{t}.responsible_person", Kind.STRING),
        "holderRole": Scalar("{t}.holder_role", Kind.STRING),
        "dueDate": Scalar("{t}.due_date", Kind.DATE),
        "status": Scalar("{t}.status", Kind.ENUM),
        "percent": Scalar("{t}.percent", Kind.INT),
        "evidence": Scalar("{t}.evidence", Kind.STRING),
        "evidenceLinks": Scalar("{t}.evidence_links", Kind.STRING_LIST),
        "overdue": Scalar(overdue("{t}"), Kind.BOOLEAN),
        "submittedAt": Scalar("{t}.submitted_at", Kind.DATETIME),
        "signedOffAt": Scalar("{t}.signed_off_at", Kind.DATETIME),
        "createdAt": Scalar("{t}.created_at", Kind.DATETIME),
        "updatedAt": Scalar("{t}.updated_at", Kind.DATETIME),
        "organization": _organization("organization_id"),
        "responsibleOrganization": _organization("responsible_organization_id"),
        # As listing.answers_of (and LedgerItem.answers: none unless a task), by id.
        "answers": Many(
            "LedgerItem",
            "FROM ledger_item_answers {o}_a JOIN ledger_items {o}"
            " ON {o}.tenant_id = {o}_a.tenant_id AND {o}.id = {o}_a.problem_id"
            " WHERE {o}_a.tenant_id = {t}.tenant_id AND {o}_a.task_id = {t}.id AND {t}.list = 'TASK'"
            " ORDER BY {o}.id",
        ),
        # As rows.steps_of: oldest first.
        "history": Many(
            "LedgerStep",
            "FROM ledger_item_steps {o} WHERE {o}.tenant_id = {t}.tenant_id AND {o}.item_id = {t}.id"
            " ORDER BY {o}.at, {o}.id",
        ),
    },
)

LEDGER_ITEM_SOURCE = TypeMap(
    "LedgerItemSource",
    {
        "kind": Scalar("{t}.source", Kind.ENUM),
        "id": Scalar("{t}.source_id", Kind.ID),
        "key": Scalar("{t}.source_key", Kind.STRING),
    },
)

LEDGER_STEP = TypeMap(
    "LedgerStep",
    {
        "action": Scalar("{t}.action", Kind.STRING),
        "status": Scalar("{t}.status", Kind.ENUM),
        "note": Scalar("{t}.note", Kind.STRING),
        "percent": Scalar("{t}.percent", Kind.INT),
        "dueDate": Scalar("{t}.due_date", Kind.DATE),
        "at": Scalar("{t}.at", Kind.DATETIME),
        "by": Scalar("{t}.actor_login", Kind.STRING),
    },
)

RESPONSIBILITY_LETTER = TypeMap(
    "ResponsibilityLetter",
    {
        "id": Scalar("{t}.id", Kind.ID),
        "organizationId": Scalar("{t}.organization_id", Kind.ID),
        "issuerOrganizationId": Scalar("{t}.issuer_organization_id", Kind.ID),
        "year": Scalar("{t}.year", Kind.INT),
        "issuedAt": Scalar("{t}.issued_at", Kind.DATETIME),
        "acknowledgedAt": Scalar("{t}.acknowledged_at", Kind.DATETIME),
        # Selected by the service's statement (its ids in order); letters are only roots' rows.
        "itemIds": Scalar("{t}.item_ids", Kind.STRING_LIST),
        "issuedBy": Scalar("{t}.issued_by_login", Kind.STRING),
        "acknowledgedBy": Scalar("{t}.acknowledged_by_login", Kind.STRING),
    },
)

ROOTS: list[Root] = [
    ConnectionRoot(
        field="ledgerItems",
        type="LedgerItem",
        keyset=LEDGER_ITEMS,
        rows=listing.PAGE_SQL,
        count=listing.COUNT_SQL,
        key="{t}.id",
        bind=_items,
        guard=listing.ORGANIZATION_KNOWN,
        guard_bind=_items_organization,
    ),
    ObjectRoot(field="ledgerItem", type="LedgerItem", rows=listing.BY_ID_SQL, bind=_item_by_id),
    ConnectionRoot(
        field="responsibilityLetters",
        type="ResponsibilityLetter",
        keyset=LETTERS,
        rows=letters.PAGE_SQL,
        count=letters.COUNT_SQL,
        key="{t}.id",
        bind=_letters,
    ),
]

COMPILED: list[TypeMap | Root] = [LEDGER_ITEM, LEDGER_ITEM_SOURCE, LEDGER_STEP, RESPONSIBILITY_LETTER, *ROOTS]

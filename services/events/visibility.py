"""Applying events' read rules to a reader: one rule, in Python for pushes, in SQL for the feed.

An event's ``audience()`` (``services.events.types``) says who may read it, from the event
alone. ``Reader`` is what a caller may read, from its roles and organisations. The live
stream and webhooks call ``Reader.admits``; the activity feed stores each entry's audience
and filters with ``FEED_FILTER``, the same test written in SQL. A partner therefore never
receives by push what it could not read by query.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from services.events.types import Audience, Permission

# Over the activity table's audience columns. Parameters: $1 the reader's permissions
# ("obj:act"), $2 partner, $3 sees every organisation, $4 managed organisation ids.
FEED_FILTER = """
read_permission = ANY($1::text[])
AND (NOT $2::boolean OR partners)
AND (managers_of IS NULL OR $3::boolean OR managers_of = ANY($4::uuid[]))
"""
FEED_ACTOR = "CASE WHEN actor_permission = ANY($1::text[]) THEN actor END"


def permission_key(permission: Permission) -> str:
    """``("booking", "read")`` → ``"booking:read"`` (how the feed stores it)."""
    return f"{permission[0]}:{permission[1]}"


@dataclass(frozen=True, slots=True)
class Reader:
    """What one caller may read of the events."""

    permissions: frozenset[Permission]  # of the permissions read rules name, those the caller has
    partner: bool
    sees_all_organizations: bool
    managed_org_ids: frozenset[uuid.UUID]  # organisations the caller manages, with those below

    @classmethod
    def of(
        cls,
        *,
        allows: Callable[[str, str], bool],
        permissions: Iterable[Permission],
        partner: bool,
        sees_all_organizations: bool,
        managed_org_ids: Iterable[uuid.UUID],
    ) -> Reader:
        return cls(
            permissions=frozenset(p for p in permissions if allows(*p)),
            partner=partner,
            sees_all_organizations=sees_all_organizations,
            managed_org_ids=frozenset(managed_org_ids),
        )

    def admits(self, audience: Audience) -> bool:
        """Whether this reader may read an event with that audience."""
        if audience.permission not in self.permissions:
            return False
        if self.partner and not audience.partners:
            return False
        return (
            audience.managers_of is None
            or self.sees_all_organizations
            or audience.managers_of in self.managed_org_ids
        )

    def sees_actor(self, audience: Audience) -> bool:
        return audience.actor_permission in self.permissions

    def feed_arguments(self) -> tuple[list[str], bool, bool, list[uuid.UUID]]:
        """The parameters $1–$4 of ``FEED_FILTER`` and ``FEED_ACTOR``."""
        return (
            sorted(permission_key(p) for p in self.permissions),
            self.partner,
            self.sees_all_organizations,
            sorted(self.managed_org_ids),
        )

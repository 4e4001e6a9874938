"""Role × event type: the activity feed and the live subscription show an event exactly to
the roles that could read its subject by query (#9 §5). Every registered type is covered;
a new aggregate fails here until its expectation is written down."""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable

import asyncpg
import pytest

from schema.events import visible_event
from services.activity.reads import list_activity
from services.cobuilding.events import AgreementEvent
from services.core.authz import POLICIES_DIR
from services.core.principal import Principal
from services.councils.events import READ_DETAILS, CouncilEvent, MeetingEvent
from services.directory.reads import event_reader
from services.domain import Platform
from services.events.changes import SystemActor, record_change
from services.events.types import DomainEvent
from services.events.visibility import Reader
from services.ledger.events import LedgerItemEvent, ResponsibilityLetterEvent
from services.orglife.events import LifeRecordEvent, MemberEvent, TransferEvent
from services.resources.events import ResourceEvent
from tests.kit.samples import sample

PLATFORM = Platform.default()
ROLES = ("alliance_admin", "org_admin", "member", "auditor", "partner")
EVERYONE = frozenset(ROLES)
NOT_PARTNERS = EVERYONE - {"partner"}
READS_LOGINS = frozenset({"alliance_admin", "org_admin", "auditor"})  # policy: role read


def _policy() -> set[tuple[str, str, str]]:
    with (POLICIES_DIR / "policy.csv").open() as handle:
        return {(r[1].strip(), r[3].strip(), r[4].strip()) for r in csv.reader(handle) if r and r[0] == "p"}


def _allows(role: str) -> Callable[[str, str], bool]:
    policy = _policy()
    return lambda obj, act: (role, obj, act) in policy


def _cases(orgs: dict[str, uuid.UUID]) -> list[tuple[DomainEvent, frozenset[str]]]:
    """Each registered type, with the roles that may read its subject by query."""
    cases: list[tuple[DomainEvent, frozenset[str]]] = []
    for cls in PLATFORM.catalog.classes:
        if issubclass(cls, ResourceEvent):
            # As `resources` reads them: drafts only to their owner's admins and those who
            # see every organisation; partners only published, partner-visible ones.
            cases += [
                (
                    sample(cls, status="DRAFT", visibility="PARTNERS", owner_org_id=str(orgs["community-a"])),
                    frozenset({"alliance_admin", "auditor", "org_admin"}),
                ),
                (
                    sample(cls, status="DRAFT", visibility="ALLIANCE", owner_org_id=str(orgs["soe"])),
                    frozenset({"alliance_admin", "auditor"}),
                ),
                (sample(cls, status="PUBLISHED", visibility="PARTNERS"), EVERYONE),
                (sample(cls, status="PUBLISHED", visibility="ALLIANCE"), NOT_PARTNERS),
                (sample(cls, status="ARCHIVED", visibility="PARTNERS"), NOT_PARTNERS),
            ]
            continue
        if issubclass(cls, LedgerItemEvent | ResponsibilityLetterEvent):
            # As `ledgerItems` reads them: by the responsible (recipient) organisation's admins,
            # its ancestors' and those who see every organisation; partners read figures only.
            # A member reads its organisation's items by query but is shown none in the feed.
            org_field = (
                "responsible_organization_id" if issubclass(cls, LedgerItemEvent) else "organization_id"
            )
            cases += [
                (
                    sample(cls, **{org_field: str(orgs["community-a"])}),
                    frozenset({"alliance_admin", "auditor", "org_admin"}),
                ),
                (sample(cls, **{org_field: str(orgs["soe"])}), frozenset({"alliance_admin", "auditor"})),
            ]
            continue
        if issubclass(cls, MemberEvent | TransferEvent | LifeRecordEvent):
            # As members, transfers and organisationalLife read them: by the branch's admins, its
            # ancestors' and those who see every organisation; never partners. Members read
            # their own record and branch's sessions by query but are shown none in the feed.
            org_field = "from_organization_id" if issubclass(cls, TransferEvent) else "organization_id"
            cases += [
                (
                    sample(cls, **{org_field: str(orgs["community-a"])}),
                    frozenset({"alliance_admin", "auditor", "org_admin"}),
                ),
                (sample(cls, **{org_field: str(orgs["soe"])}), frozenset({"alliance_admin", "auditor"})),
            ]
            continue
        if issubclass(cls, CouncilEvent):
            # As `councils` reads them: partners only public councils.
            cases += [(sample(cls, public=True), EVERYONE), (sample(cls, public=False), NOT_PARTNERS)]
            continue
        if issubclass(cls, MeetingEvent):
            # Meetings of public councils reach partners; attendance is a detail they never read.
            public = NOT_PARTNERS if cls.read_permission == READ_DETAILS else EVERYONE
            cases += [
                (sample(cls, council_public=True), public),
                (sample(cls, council_public=False), NOT_PARTNERS),
            ]
            continue
        if issubclass(cls, AgreementEvent):
            # As `cobuildingAgreements` reads them: signed ones to everyone, partners included;
            # drafts (the feed names one organisation, the enterprise party) to its managers
            # and those who see every organisation.
            cases += [
                (
                    sample(cls, status="DRAFT", enterprise_org_id=str(orgs["soe"])),
                    frozenset({"alliance_admin", "auditor"}),
                ),
                (sample(cls, status="ACTIVE", enterprise_org_id=str(orgs["soe"])), EVERYONE),
            ]
            continue
        expected = {
            # organisationalLifeRequirements: organisational_life figures
            "organisational_life_requirement": frozenset(
                {"alliance_admin", "org_admin", "auditor", "partner"}
            ),
            # starRatingCriteria, starRatingThresholds, starRatings, demonstrationSites: everyone
            "star_rating_criterion": EVERYONE,
            "star_rating_thresholds": EVERYONE,
            "star_rating": EVERYONE,
            "demonstration_site": EVERYONE,
            "organization": EVERYONE,  # organizations: organization read, partners included
            "role": READS_LOGINS,  # roles: role read
            "booking": NOT_PARTNERS,  # bookings: booking read
            "api_key": frozenset({"alliance_admin"}),  # apiKeys: apikey manage
            # persistedOperations, apiKeyLimits, partnerSettings: apikey manage
            "persisted_operation": frozenset({"alliance_admin"}),
            "partner_limits": frozenset({"alliance_admin"}),
            "agenda_item": NOT_PARTNERS,  # agendaItems: council read_details
            "resolution": NOT_PARTNERS,  # adopted, minutes not yet published: council read_details
            "cobuilding_dimension": EVERYONE,  # cobuildingDimensions: cobuilding read
            # Projects, milestones, contributions, evaluations: cobuilding read_detail.
            "cobuilding_project": NOT_PARTNERS,
            "milestone": NOT_PARTNERS,
            "contribution": NOT_PARTNERS,
            "evaluation": NOT_PARTNERS,
            "webhook_endpoint": frozenset({"alliance_admin"}),  # webhookEndpoints: apikey manage
            "webhook_settings": frozenset({"alliance_admin"}),  # webhookSettings: apikey manage
        }.get(cls.aggregate)
        assert expected is not None, f"write down who may read {cls.aggregate} events by query"
        cases.append((sample(cls), expected))
    return cases


async def _readers(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, orgs: dict[str, uuid.UUID]
) -> dict[str, Reader]:
    given = {
        "alliance_admin": frozenset[uuid.UUID](),
        "org_admin": frozenset({orgs["street"]}),
        "member": frozenset({orgs["community-a"]}),
        "auditor": frozenset[uuid.UUID](),
        "partner": frozenset[uuid.UUID](),
    }
    readers = {}
    for role in ROLES:
        principal = Principal(
            account_id=uuid.uuid4(),
            login=f"matrix-{role}",
            tenant_id=tenant_id,
            tenant_slug="demo",
            roles=frozenset({role}),
            organization_ids=given[role],
            managed_organization_ids=given[role] if role == "org_admin" else frozenset(),
            api_key_id=uuid.uuid4() if role == "partner" else None,
        )
        readers[role] = await event_reader(
            conn, principal=principal, allows=_allows(role), permissions=PLATFORM.catalog.permissions()
        )
    return readers


@pytest.fixture
async def orgs(admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> dict[str, uuid.UUID]:
    rows = await admin_conn.fetch("SELECT name, id FROM organizations WHERE tenant_id = $1", demo["demo"])
    by_name = {row["name"]: row["id"] for row in rows}
    return {
        "street": by_name["东城街道党工委"],
        "community-a": by_name["花园社区党委"],
        "soe": by_name["城市建设投资集团有限公司党委"],
    }


async def test_role_by_event_type_matrix(
    conn: asyncpg.Connection, demo: dict[str, uuid.UUID], orgs: dict[str, uuid.UUID]
) -> None:
    tenant_id = demo["demo"]
    await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
    readers = await _readers(conn, tenant_id, orgs)
    cases = _cases(orgs)
    assert {type(event) for event, _ in cases} == set(PLATFORM.catalog.classes)
    registry = PLATFORM.registry()
    wrong: list[str] = []
    for event, expected in cases:
        # As a change records it, the relay sends it and the activity worker keeps it.
        envelope = await record_change(conn, SystemActor(tenant_id=tenant_id, login="matrix-actor"), event)
        for handler in registry.handlers_for("activity", envelope):
            await handler(conn, envelope)
        for role, reader in readers.items():
            pushed = visible_event(envelope, catalog=PLATFORM.catalog, reader=reader)
            page = await list_activity(
                conn, reader=reader, event_types=[envelope.type], first=100, before_id=None
            )
            listed = [entry for entry in page.items if entry.subject == envelope.subject]
            shows_actor = role in READS_LOGINS
            seen = {
                "subscription": pushed is not None,
                "feed": bool(listed),
            }
            for path, was_seen in seen.items():
                if was_seen != (role in expected):
                    wrong.append(f"{path}: {role} {'saw' if was_seen else 'missed'} {envelope.type} {event}")
            if pushed is not None and (pushed.data["actor"] == "matrix-actor") != shows_actor:  # type: ignore[index]
                wrong.append(f"subscription: {role} actor of {envelope.type}: {pushed.data['actor']}")  # type: ignore[index]
            if listed and (listed[0].actor == "matrix-actor") != shows_actor:
                wrong.append(f"feed: {role} actor of {envelope.type}: {listed[0].actor}")
    assert wrong == []


async def test_a_member_role_elsewhere_shows_no_drafts_there(
    conn: asyncpg.Connection, demo: dict[str, uuid.UUID], orgs: dict[str, uuid.UUID]
) -> None:
    """Drafts are read by the managers of their owner: an org_admin who is only a member at
    another organisation does not see that organisation's drafts (#9 §4)."""
    await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(demo["demo"]))
    principal = Principal(
        account_id=uuid.uuid4(),
        login="matrix-admin-and-member",
        tenant_id=demo["demo"],
        tenant_slug="demo",
        roles=frozenset({"org_admin", "member"}),
        organization_ids=frozenset({orgs["street"], orgs["soe"]}),
        managed_organization_ids=frozenset({orgs["street"]}),
    )
    reader = await event_reader(
        conn, principal=principal, allows=_allows("org_admin"), permissions=PLATFORM.catalog.permissions()
    )
    resource_types = [cls for cls in PLATFORM.catalog.classes if issubclass(cls, ResourceEvent)]
    assert resource_types
    for cls in resource_types:
        below_own = sample(cls, status="DRAFT", visibility="ALLIANCE", owner_org_id=str(orgs["community-a"]))
        of_membership = sample(cls, status="DRAFT", visibility="ALLIANCE", owner_org_id=str(orgs["soe"]))
        assert reader.admits(below_own.audience()), cls.type_name
        assert not reader.admits(of_membership.audience()), cls.type_name


async def test_feed_and_push_agree_with_one_rule_for_unknown_types(
    conn: asyncpg.Connection, demo: dict[str, uuid.UUID], orgs: dict[str, uuid.UUID]
) -> None:
    """An envelope of a type no domain declares has no read rule: nobody is pushed it."""
    from services.events.envelope import Envelope

    readers = await _readers(conn, demo["demo"], orgs)
    stray = Envelope.new(
        source="x",
        type="stray.happened.v1",
        tenant=demo["demo"],
        aggregate_type="stray",
        subject="1",
        data={},
    )
    assert [visible_event(stray, catalog=PLATFORM.catalog, reader=r) for r in readers.values()] == [None] * 5

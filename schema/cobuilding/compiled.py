"""How reads of co-building agreements and projects compile to SQL (``schema.compiled``):
declared once per type, next to the types, with the service's own SQL for the roots (drafts
only to their parties is ``services.cobuilding.access.VISIBLE``, bound from ``Scope.of``).

Not mapped, so a document selecting them is answered by the interpreter:
- commitment ``targets``: decimals inside a JSON document, written by Python;
- ``Milestone.overdue``: compared with the Python process's today, not the database's;
- ``CobuildingAgreement.evaluationComparison``: computed in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from schema.cobuilding.inputs import CobuildingAgreementFilter, CobuildingProjectFilter
from schema.cobuilding.queries import AGREEMENTS, PROJECTS
from schema.compiled.mapping import Args, ConnectionRoot, Kind, Many, ObjectRoot, Root, Scalar, TypeMap
from schema.pagination import parse_id
from services.cobuilding import reads
from services.cobuilding.access import Scope
from services.core.principal import Principal


def _agreements(args: Args, principal: Principal) -> Sequence[Any]:
    given: dict[str, Any] = args.get("filter") or {}
    filter = CobuildingAgreementFilter(
        status=given.get("status"),
        enterprise_organization_id=given.get("enterpriseOrganizationId"),
        local_organization_id=given.get("localOrganizationId"),
        dimension_code=given.get("dimensionCode"),
        search=given.get("search"),
    )
    return reads.agreement_filter_params(scope=Scope.of(principal), filter=filter.to_filter())


def _agreement_by_id(args: Args, principal: Principal) -> Sequence[Any]:
    return [*Scope.of(principal).args(), [parse_id(args["id"])]]


def _projects(args: Args, principal: Principal) -> Sequence[Any]:
    given: dict[str, Any] = args.get("filter") or {}
    filter = CobuildingProjectFilter(
        agreement_id=given.get("agreementId"),
        dimension_code=given.get("dimensionCode"),
        status=given.get("status"),
        organization_id=given.get("organizationId"),
    )
    return reads.project_filter_params(scope=Scope.of(principal), filter=filter.to_filter())


def _commitments(agreement: str, version: str) -> Many:
    """The commitments of one version, as ``reads.commitments_of``: in the dimensions' order."""
    return Many(
        "CobuildingCommitment",
        "FROM (SELECT c.tenant_id, c.agreement_id, c.version, c.enterprise_commitment,"
        " c.local_commitment, d.code AS dimension_code, d.name AS dimension_name, d.position"
        " FROM cobuilding_commitments c JOIN cobuilding_dimensions d"
        " ON d.tenant_id = c.tenant_id AND d.id = c.dimension_id) {o}"
        f" WHERE {{o}}.tenant_id = {{t}}.tenant_id AND {{o}}.agreement_id = {agreement}"
        f" AND {{o}}.version = {version} ORDER BY {{o}}.position, {{o}}.dimension_code",
    )


AGREEMENT = TypeMap(
    "CobuildingAgreement",
    {
        "id": Scalar("{t}.id", Kind.ID),
        "title": Scalar("{t}.title", Kind.STRING),
        "status": Scalar("{t}.status", Kind.ENUM),
        "version": Scalar("{t}.version", Kind.INT),
        "latestVersion": Scalar("{t}.latest_version", Kind.INT),
        "signedVersion": Scalar("{t}.signed_version", Kind.INT),
        "startDate": Scalar("{t}.start_date", Kind.DATE),
        "endDate": Scalar("{t}.end_date", Kind.DATE),
        "enterpriseOrganizationId": Scalar("{t}.enterprise_org_id", Kind.ID),
        "localOrganizationId": Scalar("{t}.local_org_id", Kind.ID),
        "terminationReason": Scalar("{t}.termination_reason", Kind.STRING),
        # The codes of the shown version's commitments, in the dimensions' order.
        "dimensions": Scalar(
            "ARRAY(SELECT d.code FROM cobuilding_commitments c JOIN cobuilding_dimensions d"
            " ON d.tenant_id = c.tenant_id AND d.id = c.dimension_id"
            " WHERE c.tenant_id = {t}.tenant_id AND c.agreement_id = {t}.id AND c.version = {t}.version"
            " ORDER BY d.position, d.code)",
            Kind.STRING_LIST,
        ),
        "commitments": _commitments("{t}.id", "{t}.version"),
        "versions": Many(
            "CobuildingAgreementVersion",
            "FROM cobuilding_agreement_versions {o} WHERE {o}.tenant_id = {t}.tenant_id"
            " AND {o}.agreement_id = {t}.id ORDER BY {o}.version",
        ),
        # As reads.projects_of: the service's project rows, by start date.
        "projects": Many(
            "CobuildingProject",
            f"FROM (SELECT {reads.PROJECT_COLUMNS} {reads.PROJECT_FROM}) {{o}}"
            " WHERE {o}.tenant_id = {t}.tenant_id AND {o}.agreement_id = {t}.id"
            " ORDER BY {o}.start_date, {o}.id",
        ),
        "evaluations": Many(
            "CobuildingEvaluation",
            "FROM cobuilding_evaluations {o} WHERE {o}.tenant_id = {t}.tenant_id"
            " AND {o}.agreement_id = {t}.id ORDER BY {o}.period, {o}.side",
        ),
    },
)

VERSION = TypeMap(
    "CobuildingAgreementVersion",
    {
        "version": Scalar("{t}.version", Kind.INT),
        "title": Scalar("{t}.title", Kind.STRING),
        "startDate": Scalar("{t}.start_date", Kind.DATE),
        "endDate": Scalar("{t}.end_date", Kind.DATE),
        "signedAt": Scalar("{t}.signed_at", Kind.DATETIME),
        "commitments": _commitments("{t}.agreement_id", "{t}.version"),
        "signatures": Many(
            "CobuildingSignature",
            "FROM cobuilding_signatures {o} WHERE {o}.tenant_id = {t}.tenant_id"
            " AND {o}.agreement_id = {t}.agreement_id AND {o}.version = {t}.version ORDER BY {o}.signed_at",
        ),
    },
)

COMMITMENT = TypeMap(
    "CobuildingCommitment",
    {
        "dimensionCode": Scalar("{t}.dimension_code", Kind.STRING),
        "dimensionName": Scalar("{t}.dimension_name", Kind.STRING),
        "enterpriseCommitment": Scalar("{t}.enterprise_commitment", Kind.STRING),
        "localCommitment": Scalar("{t}.local_commitment", Kind.STRING),
    },
)

SIGNATURE = TypeMap(
    "CobuildingSignature",
    {
        "side": Scalar("{t}.side", Kind.ENUM),
        "organizationId": Scalar("{t}.organization_id", Kind.ID),
        "login": Scalar("{t}.login", Kind.STRING),
        "signedAt": Scalar("{t}.signed_at", Kind.DATETIME),
    },
)

PROJECT = TypeMap(
    "CobuildingProject",
    {
        "id": Scalar("{t}.id", Kind.ID),
        "agreementId": Scalar("{t}.agreement_id", Kind.ID),
        "dimensionCode": Scalar("{t}.dimension_code", Kind.STRING),
        "title": Scalar("{t}.title", Kind.STRING),
        "leadOrganizationId": Scalar("{t}.lead_org_id", Kind.ID),
        "participantOrganizationIds": Scalar("{t}.participant_org_ids", Kind.STRING_LIST),
        "startDate": Scalar("{t}.start_date", Kind.DATE),
        "endDate": Scalar("{t}.end_date", Kind.DATE),
        "status": Scalar("{t}.status", Kind.ENUM),
        "budget": Scalar("{t}.budget", Kind.DECIMAL),
        # As parts.milestones_of and parts.contributions_of.
        "milestones": Many(
            "Milestone",
            "FROM cobuilding_milestones {o} WHERE {o}.tenant_id = {t}.tenant_id"
            " AND {o}.project_id = {t}.id ORDER BY {o}.due_date, {o}.id",
        ),
        "contributions": Many(
            "Contribution",
            "FROM cobuilding_contributions {o} WHERE {o}.tenant_id = {t}.tenant_id"
            " AND {o}.project_id = {t}.id ORDER BY {o}.contributed_on, {o}.id",
        ),
    },
)

MILESTONE = TypeMap(
    "Milestone",
    {
        "id": Scalar("{t}.id", Kind.ID),
        "projectId": Scalar("{t}.project_id", Kind.ID),
        "title": Scalar("{t}.title", Kind.STRING),
        "dueDate": Scalar("{t}.due_date", Kind.DATE),
        "responsibleOrganizationId": Scalar("{t}.responsible_org_id", Kind.ID),
        "ledgerItemId": Scalar("{t}.ledger_item_id", Kind.ID),
        "completedAt": Scalar("{t}.completed_at", Kind.DATETIME),
    },
)

CONTRIBUTION = TypeMap(
    "Contribution",
    {
        "id": Scalar("{t}.id", Kind.ID),
        "projectId": Scalar("{t}.project_id", Kind.ID),
        "organizationId": Scalar("{t}.organization_id", Kind.ID),
        "side": Scalar("{t}.side", Kind.ENUM),
        "kind": Scalar("{t}.kind", Kind.ENUM),
        "amount": Scalar("{t}.amount", Kind.DECIMAL),
        "unit": Scalar("{t}.unit", Kind.STRING),
        "resourceId": Scalar("{t}.resource_id", Kind.ID),
        "note": Scalar("{t}.note", Kind.STRING),
        "reason": Scalar("{t}.reason", Kind.STRING),
        "date": Scalar("{t}.contributed_on", Kind.DATE),
        "recordedBy": Scalar("{t}.recorded_by_login", Kind.STRING),
    },
)

EVALUATION = TypeMap(
    "CobuildingEvaluation",
    {
        "id": Scalar("{t}.id", Kind.ID),
        "agreementId": Scalar("{t}.agreement_id", Kind.ID),
        "period": Scalar("{t}.period", Kind.INT),
        "side": Scalar("{t}.side", Kind.ENUM),
        "organizationId": Scalar("{t}.organization_id", Kind.ID),
        "submittedBy": Scalar("{t}.submitted_by_login", Kind.STRING),
        "submittedAt": Scalar("{t}.submitted_at", Kind.DATETIME),
        # As parts.evaluations_of: in the dimensions' order.
        "scores": Many(
            "CobuildingScore",
            "FROM (SELECT s.tenant_id, s.evaluation_id, s.score, s.comment, d.code, d.position"
            " FROM cobuilding_evaluation_scores s JOIN cobuilding_dimensions d"
            " ON d.tenant_id = s.tenant_id AND d.id = s.dimension_id) {o}"
            " WHERE {o}.tenant_id = {t}.tenant_id AND {o}.evaluation_id = {t}.id"
            " ORDER BY {o}.position, {o}.code",
        ),
    },
)

SCORE = TypeMap(
    "CobuildingScore",
    {
        "dimensionCode": Scalar("{t}.code", Kind.STRING),
        "score": Scalar("{t}.score", Kind.INT),
        "comment": Scalar("{t}.comment", Kind.STRING),
    },
)

ROOTS: list[Root] = [
    ConnectionRoot(
        field="cobuildingAgreements",
        type="CobuildingAgreement",
        keyset=AGREEMENTS,
        rows=reads.AGREEMENTS_PAGE_SQL,
        count=reads.AGREEMENTS_COUNT_SQL,
        key="{t}.id",
        bind=_agreements,
        descending=True,
    ),
    ObjectRoot(
        field="cobuildingAgreement",
        type="CobuildingAgreement",
        rows=reads.AGREEMENT_BY_ID_SQL,
        bind=_agreement_by_id,
    ),
    ConnectionRoot(
        field="cobuildingProjects",
        type="CobuildingProject",
        keyset=PROJECTS,
        rows=reads.PROJECTS_PAGE_SQL,
        count=reads.PROJECTS_COUNT_SQL,
        key="{t}.id",
        bind=_projects,
        descending=True,
    ),
]

COMPILED: list[TypeMap | Root] = [
    AGREEMENT,
    VERSION,
    COMMITMENT,
    SIGNATURE,
    PROJECT,
    MILESTONE,
    CONTRIBUTION,
    EVALUATION,
    SCORE,
    *ROOTS,
]

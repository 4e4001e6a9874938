"""The life of a ledger item through HTTP, as the roles involved: create → progress → submit →
return → submit → sign-off (销号), with the history on the item."""

from __future__ import annotations

import datetime as dt
import uuid

from tests.conftest import GraphQLClient, error_code
from tests.ledger.conftest import (
    CANCEL,
    CHANGE_DUE,
    CREATE,
    ITEM,
    ITEMS,
    PROGRESS,
    RETURN,
    SIGN_OFF,
    SUBMIT,
    data,
    local_today,
)


async def test_create_progress_submit_return_submit_sign_off(
    gql: GraphQLClient, orgs: dict[str, uuid.UUID], garden_admin: str
) -> None:
    year = local_today().year
    due = local_today().replace(month=12, day=31).isoformat()
    problem = data(
        await gql(
            CREATE,
            {
                "input": {
                    "list": "PROBLEM",
                    "organizationId": str(orgs["garden"]),
                    "year": year,
                    "title": "老旧小区党员活动阵地不足",
                    "dueDate": due,
                    "source": "REVIEW",
                }
            },
            login="street-admin",
        ),
        "createLedgerItem",
        "ledgerItem",
    )
    task = data(
        await gql(
            CREATE,
            {
                "input": {
                    "list": "TASK",
                    "organizationId": str(orgs["garden"]),
                    "year": year,
                    "title": "共建共享党员活动室",
                    "description": "与驻区单位共建活动室",
                    "dueDate": due,
                    "responsiblePerson": "王书记",
                    "answersProblemIds": [problem["id"]],
                }
            },
            login="street-admin",
        ),
        "createLedgerItem",
        "ledgerItem",
    )
    assert (task["status"], task["list"], task["assigningOrganizationId"]) == (
        "OPEN",
        "TASK",
        str(orgs["street"]),
    )
    task_id = task["id"]

    progressed = await gql(
        PROGRESS, {"input": {"id": task_id, "note": "选址完成", "percent": 40}}, login=garden_admin
    )
    assert data(progressed, "reportProgress", "ledgerItem")["status"] == "IN_PROGRESS"
    submitted = await gql(SUBMIT, {"input": {"id": task_id, "evidence": "活动室已挂牌"}}, login=garden_admin)
    assert data(submitted, "submitForSignOff", "ledgerItem")["status"] == "SUBMITTED"

    # The community may not close its own work: the level above signs off.
    assert error_code(await gql(SIGN_OFF, {"input": {"id": task_id}}, login=garden_admin)) == "FORBIDDEN"
    returned = await gql(RETURN, {"input": {"id": task_id, "reason": "缺少照片"}}, login="street-admin")
    assert data(returned, "returnLedgerItem", "ledgerItem")["status"] == "IN_PROGRESS"
    again = await gql(SUBMIT, {"input": {"id": task_id, "evidence": "补充照片"}}, login=garden_admin)
    assert data(again, "submitForSignOff", "ledgerItem")["status"] == "SUBMITTED"
    signed = data(
        await gql(SIGN_OFF, {"input": {"id": task_id, "comment": "同意销号"}}, login="street-admin"),
        "signOff",
        "ledgerItem",
    )
    assert (signed["status"], signed["percent"], signed["overdue"]) == ("SIGNED_OFF", 100, False)
    assert signed["signedOffAt"] is not None
    # Signed off once: a second sign-off is a conflict.
    assert error_code(await gql(SIGN_OFF, {"input": {"id": task_id}}, login="alliance-admin")) == "CONFLICT"

    # The auditor reads the whole history, who included; the community's member reads it without logins.
    audited = data(await gql(ITEM, {"id": task_id}, login="auditor"), "ledgerItem")
    steps = [(s["action"], s["status"], s["by"]) for s in audited["history"]]  # type: ignore[union-attr]
    assert steps == [
        ("CREATED", "OPEN", "street-admin"),
        ("PROGRESSED", "IN_PROGRESS", garden_admin),
        ("SUBMITTED", "SUBMITTED", garden_admin),
        ("RETURNED", "IN_PROGRESS", "street-admin"),
        ("SUBMITTED", "SUBMITTED", garden_admin),
        ("SIGNED_OFF", "SIGNED_OFF", "street-admin"),
    ]
    assert [s["note"] for s in audited["history"]][1:] == [
        "选址完成",
        "活动室已挂牌",
        "缺少照片",
        "补充照片",
        "同意销号",
    ]  # type: ignore[union-attr]
    assert audited["answers"] == [{"id": problem["id"], "title": "老旧小区党员活动阵地不足"}]
    as_member = data(await gql(ITEM, {"id": task_id}, login="member"), "ledgerItem")
    assert {s["by"] for s in as_member["history"]} == {None}  # type: ignore[union-attr]

    # Outside the subtree: FORBIDDEN in the tenant, NOT_FOUND from another tenant.
    assert error_code(await gql(ITEM, {"id": task_id}, login="soe-admin")) == "FORBIDDEN"
    assert error_code(await gql(ITEM, {"id": task_id}, login="alliance-admin", tenant="other")) == "NOT_FOUND"


async def test_nobody_signs_off_their_own_submission(gql: GraphQLClient, orgs: dict[str, uuid.UUID]) -> None:
    item = data(
        await gql(
            CREATE,
            {
                "input": {
                    "list": "RESPONSIBILITY",
                    "organizationId": str(orgs["riverside"]),
                    "year": local_today().year,
                    "title": "落实意识形态工作责任制",
                    "dueDate": local_today().isoformat(),
                    "holderRole": "社区书记",
                }
            },
            login="street-admin",
        ),
        "createLedgerItem",
        "ledgerItem",
    )
    await gql(SUBMIT, {"input": {"id": item["id"], "evidence": "已完成"}}, login="street-admin")
    assert error_code(await gql(SIGN_OFF, {"input": {"id": item["id"]}}, login="street-admin")) == "FORBIDDEN"
    signed = await gql(SIGN_OFF, {"input": {"id": item["id"]}}, login="alliance-admin")
    assert data(signed, "signOff", "ledgerItem")["status"] == "SIGNED_OFF"


async def test_cancel_change_due_date_and_the_overdue_filter(
    gql: GraphQLClient, orgs: dict[str, uuid.UUID], garden_admin: str
) -> None:
    today = local_today()
    title = f"逾期-{uuid.uuid4().hex[:6]}"
    item = data(
        await gql(
            CREATE,
            {
                "input": {
                    "list": "TASK",
                    "organizationId": str(orgs["garden"]),
                    "year": today.year,
                    "title": title,
                    "dueDate": (today - dt.timedelta(days=2)).isoformat(),
                }
            },
            login="street-admin",
        ),
        "createLedgerItem",
        "ledgerItem",
    )
    assert item["overdue"] is True
    overdue = await gql(ITEMS, {"filter": {"search": title, "overdue": True}}, login="member")
    assert data(overdue, "ledgerItems")["totalCount"] == 1
    # The responsible side may not move its own deadline; the assigner may.
    later = (today + dt.timedelta(days=10)).isoformat()
    change = {"input": {"id": item["id"], "dueDate": later, "reason": "延期"}}
    assert error_code(await gql(CHANGE_DUE, change, login=garden_admin)) == "FORBIDDEN"
    moved = data(await gql(CHANGE_DUE, change, login="street-admin"), "changeDueDate", "ledgerItem")
    assert (moved["dueDate"], moved["overdue"]) == (later, False)
    assert (
        data(await gql(ITEMS, {"filter": {"search": title, "overdue": True}}, login="member"), "ledgerItems")[
            "totalCount"
        ]
        == 0
    )
    cancel = {"input": {"id": item["id"], "reason": "合并到其他任务"}}
    assert error_code(await gql(CANCEL, cancel, login=garden_admin)) == "FORBIDDEN"
    cancelled = data(await gql(CANCEL, cancel, login="street-admin"), "cancelLedgerItem", "ledgerItem")
    assert cancelled["status"] == "CANCELLED"
    assert error_code(await gql(CANCEL, cancel, login="street-admin")) == "CONFLICT"
    history = data(await gql(ITEM, {"id": item["id"]}, login="auditor"), "ledgerItem")["history"]
    assert [(s["action"], s["note"]) for s in history] == [  # type: ignore[union-attr]
        ("CREATED", None),
        ("DUE_DATE_CHANGED", "延期"),
        ("CANCELLED", "合并到其他任务"),
    ]

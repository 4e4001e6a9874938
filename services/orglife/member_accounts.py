"""Linking a member record to a login (党员账号关联), so that the member reads their own record.

A branch's admins (or those of a level above) link and unlink; the login must name an account
of this district (at home here or holding a role here). An unknown login and a login of
another district answer the same BAD_USER_INPUT on ``login``, so that linking cannot be used to
probe which logins exist elsewhere. One account reads at most one member record per district:
the ``party_members_one_account`` constraint is the last word (CONFLICT).
"""

from __future__ import annotations

import uuid

import asyncpg

from services.core.errors import BadUserInput, NotFound
from services.core.principal import Principal
from services.core.records import from_record
from services.core.validation import clean_text
from services.directory.reads import account_of_login
from services.events.changes import record_change
from services.orglife.access import require_manager
from services.orglife.events import MemberAccountLinked, MemberAccountUnlinked
from services.orglife.members import COLUMNS, audit_view, fetch_member
from services.orglife.models import CONSTRAINTS, Member

_NO_SUCH_LOGIN = "no such login in this district"


async def _linkable(
    conn: asyncpg.Connection, *, actor: Principal, member_id: uuid.UUID, doing: str
) -> Member:
    member = await fetch_member(conn, member_id, lock=True)
    await require_manager(conn, actor, member.organization_id, doing=doing)
    if member.left_on is not None:
        raise BadUserInput("the member has moved to another district", field="memberId")
    return member


async def _set_account(
    conn: asyncpg.Connection, *, member_id: uuid.UUID, account_id: uuid.UUID | None
) -> Member:
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"UPDATE party_members m SET account_id = $2, updated_at = now() WHERE m.id = $1 RETURNING {COLUMNS}",
        member_id,
        account_id,
    )
    return from_record(Member, row)


async def link_member_account(
    conn: asyncpg.Connection, *, actor: Principal, member_id: uuid.UUID, login: str
) -> Member:
    """Let ``login`` read this member record as its own; replaces an earlier link."""
    before = await _linkable(conn, actor=actor, member_id=member_id, doing="link its members to logins")
    given = clean_text(login, field="login", max_length=64)
    try:
        account_id = await account_of_login(conn, tenant_id=actor.tenant_id, login=given)
    except NotFound:
        raise BadUserInput(_NO_SUCH_LOGIN, field="login") from None
    if before.account_id == account_id:
        return before
    member = await _set_account(conn, member_id=member_id, account_id=account_id)
    await record_change(
        conn,
        actor,
        MemberAccountLinked(
            id=str(member.id),
            organization_id=str(member.organization_id),
            status=member.status,
            account_id=str(account_id),
        ),
        before=audit_view(before),
        after=audit_view(member),
    )
    return member


async def unlink_member_account(
    conn: asyncpg.Connection, *, actor: Principal, member_id: uuid.UUID
) -> Member:
    """The linked login no longer reads this record as its own; a record with no link is left as it is."""
    before = await _linkable(conn, actor=actor, member_id=member_id, doing="unlink its members from logins")
    if before.account_id is None:
        return before
    member = await _set_account(conn, member_id=member_id, account_id=None)
    await record_change(
        conn,
        actor,
        MemberAccountUnlinked(
            id=str(member.id),
            organization_id=str(member.organization_id),
            status=member.status,
            account_id=str(before.account_id),
        ),
        before=audit_view(before),
        after=audit_view(member),
    )
    return member

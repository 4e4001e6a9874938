"""Calendar feeds (日历订阅) of a council's meetings, as iCalendar (RFC 5545).

A calendar app subscribes to a URL that carries the feed's id and a secret, never a login
token: the secret opens this one feed only, read-only, and is revocable. Only its SHA-256
is kept; the URL is shown once, when the feed is made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

import asyncpg
import icalendar

from services.core.errors import Forbidden, NotFound
from services.core.principal import Principal
from services.core.records import from_record
from services.councils.access import council_for
from services.councils.meetings import COLUMNS as MEETING_COLUMNS
from services.councils.models import CONSTRAINTS, Council, Meeting, MeetingStatus
from services.directory.reads import Role

FEED_PATH = "/calendars/councils/{feed_id}/{secret}.ics"
_COLUMNS = "f.id, f.council_id, f.created_by, f.created_at, f.revoked_at"


@dataclass(frozen=True, slots=True)
class Feed:
    id: uuid.UUID
    council_id: uuid.UUID
    created_by: uuid.UUID | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def _hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def feed_path(feed_id: uuid.UUID, secret: str) -> str:
    return FEED_PATH.format(feed_id=feed_id, secret=secret)


async def create_feed(
    conn: asyncpg.Connection, *, actor: Principal, council_id: uuid.UUID
) -> tuple[Feed, str]:
    """A new feed of the council and its secret (shown once)."""
    council = await council_for(conn, actor=actor, council_id=council_id)
    secret = secrets.token_urlsafe(32)
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""INSERT INTO council_feeds AS f (tenant_id, council_id, secret_hash, created_by)
            VALUES ($1, $2, $3, $4) RETURNING {_COLUMNS}""",
        actor.tenant_id,
        council.id,
        _hash(secret),
        actor.account_id,
    )
    return from_record(Feed, row), secret


def _manages(actor: Principal, feed: Feed) -> bool:
    """A feed is its maker's and the alliance admin's (to read and to revoke)."""
    return feed.created_by == actor.account_id or Role.ALLIANCE_ADMIN in actor.roles


async def get_feed(conn: asyncpg.Connection, *, actor: Principal, feed_id: uuid.UUID) -> Feed:
    """A feed its maker or the alliance admin reads (never its secret, of which only a hash is
    kept); NOT_FOUND for anyone else's feed, as for an unknown id."""
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM council_feeds f WHERE f.id = $1", feed_id)
    feed = from_record(Feed, row) if row is not None else None
    if feed is None or not _manages(actor, feed):
        raise NotFound("no such calendar feed", field="id")
    return feed


async def revoke_feed(conn: asyncpg.Connection, *, actor: Principal, feed_id: uuid.UUID) -> Feed:
    """Revoke a feed: its URL answers 404 from now on. Its maker or the alliance admin."""
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM council_feeds f WHERE f.id = $1 FOR UPDATE", feed_id)
    if row is None:
        raise NotFound("no such calendar feed", field="id")
    feed = from_record(Feed, row)
    if not _manages(actor, feed):
        raise Forbidden("only the feed's maker or the alliance admin revokes it")
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"UPDATE council_feeds AS f SET revoked_at = coalesce(revoked_at, now()) "
        f"WHERE f.id = $1 RETURNING {_COLUMNS}",
        feed.id,
    )
    return from_record(Feed, row)


async def feed_tenant(
    conn: asyncpg.Connection, *, feed_id: uuid.UUID, secret: str
) -> tuple[uuid.UUID, uuid.UUID] | None:
    """(tenant, council) of a live feed whose secret matches; None otherwise (all look alike)."""
    row = await conn.fetchrow("SELECT * FROM council_feed_for($1)", feed_id)
    if row is None or row["revoked"] or not hmac.compare_digest(bytes(row["secret_hash"]), _hash(secret)):
        return None
    return row["tenant_id"], row["council_id"]


_STATUS = {
    MeetingStatus.SCHEDULED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.MINUTES_PUBLISHED: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


async def council_calendar(conn: asyncpg.Connection, *, council_id: uuid.UUID) -> bytes:
    """The council's meetings as an iCalendar document (the tenant is already in scope)."""
    council = from_record(
        Council,
        await CONSTRAINTS.fetchrow(
            conn,
            "SELECT id, tenant_id, name, kind, host_org_id, public, created_at, "
            "updated_at FROM councils WHERE id = $1",
            council_id,
        ),
    )
    rows = await conn.fetch(
        f"SELECT {MEETING_COLUMNS} FROM council_meetings mt WHERE mt.council_id = $1 ORDER BY mt.starts_at",
        council_id,
    )
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Alliance platform//Joint councils//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", council.name)
    for row in rows:
        meeting = from_record(Meeting, row)
        event = icalendar.Event()
        event.add("uid", f"{meeting.id}@councils.alliance")
        event.add("dtstamp", meeting.updated_at)
        event.add("last-modified", meeting.updated_at)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at)
        event.add("summary", meeting.title)
        if meeting.place:
            event.add("location", meeting.place)
        event.add("status", _STATUS[MeetingStatus(meeting.status)])
        calendar.add_component(event)
    document: bytes = calendar.to_ical()
    return document

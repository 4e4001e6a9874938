"""Where political-birthday notices go (政治生日短信): one small interface, several senders.

``WebhookSender`` POSTs the notice as JSON, signed with HMAC-SHA256 over the body (header
``X-Alliance-Signature: sha256=<hex>``), with a timeout; any answer but 2xx is a failure and
the notice is tried again on the job's next round. ``LogSender`` is the development sink. An
SMS gateway is one more class with the same ``send``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import uuid
from dataclasses import dataclass
from typing import Protocol

import httpx
import orjson

from services.core.settings import Settings

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Alliance-Signature"


@dataclass(frozen=True, slots=True)
class BirthdayNotice:
    tenant_id: uuid.UUID
    member_id: uuid.UUID
    name: str
    phone: str | None
    joined_on: dt.date
    year: int  # with memberId, the notice's identity: a receiver drops a repeated delivery by it
    years: int  # 党龄

    def body(self) -> bytes:
        return orjson.dumps(
            {
                "type": "member.political_birthday",
                "tenant": str(self.tenant_id),
                "memberId": str(self.member_id),
                "name": self.name,
                "phone": self.phone,
                "joinedOn": self.joined_on.isoformat(),
                "year": self.year,
                "years": self.years,
            }
        )


class SendFailed(Exception):
    """A notice did not go out; it stays unsent and is tried again."""


class NoticeSender(Protocol):
    async def send(self, notice: BirthdayNotice) -> None:
        """Deliver one notice or raise ``SendFailed``."""


class LogSender:
    """Development sink: the notice goes to the log (no phone number in it)."""

    async def send(self, notice: BirthdayNotice) -> None:
        log.info("political birthday: member %s, %d years in the Party", notice.member_id, notice.years)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSender:
    """POST to a URL, signed, with a timeout."""

    def __init__(self, *, url: str, secret: str, timeout: float = 5.0) -> None:
        if not secret:
            raise ValueError("a webhook sender needs a signing secret")
        self.url = url
        self.secret = secret
        self.timeout = timeout

    async def send(self, notice: BirthdayNotice) -> None:
        body = notice.body()
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(
                    self.url,
                    content=body,
                    headers={
                        "content-type": "application/json",
                        SIGNATURE_HEADER: signature(self.secret, body),
                    },
                )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise SendFailed(f"{self.url}: {exc}") from exc


def sender_from_settings(settings: Settings) -> NoticeSender:
    """The webhook when ``BIRTHDAY_WEBHOOK_URL`` is set, else the log."""
    if settings.birthday_webhook_url:
        return WebhookSender(url=settings.birthday_webhook_url, secret=settings.birthday_webhook_secret)
    return LogSender()

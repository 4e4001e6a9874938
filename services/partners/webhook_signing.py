"""Webhook requests: CloudEvents 1.0 (structured or binary mode), signed as Standard Webhooks.

The signature is ``v1,<base64 HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>``; while a
rotated secret's overlap window lasts, the header carries one signature per secret,
space-separated, so a receiver holding either verifies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

import orjson

SECRET_PREFIX = "whsec_"  # noqa: S105  # the scheme's prefix, not a secret
SECRET_BYTES = 32
STRUCTURED = "STRUCTURED"
BINARY = "BINARY"

# CloudEvents attributes sent as ``ce-`` headers in binary mode (besides data).
_ATTRIBUTES = ("specversion", "id", "source", "type", "subject", "time", "tenant", "aggregatetype")


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def secret_text(secret: bytes) -> str:
    """The secret as shown to the admin once: ``whsec_<base64>``."""
    return SECRET_PREFIX + base64.b64encode(secret).decode()


def signature(secret: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(secret, signed, hashlib.sha256).digest()).decode()


def request_parts(
    envelope: dict[str, Any], *, mode: str, secrets_in_use: list[bytes], timestamp: int
) -> tuple[dict[str, str], bytes]:
    """Headers and body of one delivery of ``envelope`` (its CloudEvents JSON object)."""
    message_id = str(envelope["id"])
    if mode == BINARY:
        body = orjson.dumps(envelope.get("data"))
        headers = {f"ce-{name}": str(envelope[name]) for name in _ATTRIBUTES if name in envelope}
        headers["content-type"] = "application/json"
    else:
        body = orjson.dumps(envelope)
        headers = {"content-type": "application/cloudevents+json"}
    headers["webhook-id"] = message_id
    headers["webhook-timestamp"] = str(timestamp)
    headers["webhook-signature"] = " ".join(signature(s, message_id, timestamp, body) for s in secrets_in_use)
    return headers, body

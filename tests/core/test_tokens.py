"""Verified tokens are remembered, but their expiry is checked at every use."""

from __future__ import annotations

import time
import uuid

import pytest

from services.core import auth
from services.core.errors import Unauthenticated
from services.core.settings import Settings

SETTINGS = Settings(jwt_secret="unit-secret-" + "z" * 32)


def _token(ttl_seconds: int = 60) -> str:
    return auth.issue_token(
        SETTINGS,
        account_id=uuid.uuid4(),
        login="member",
        tenant_id=uuid.uuid4(),
        tenant_slug="demo",
        ttl_seconds=ttl_seconds,
    )


def test_a_remembered_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    token = _token(ttl_seconds=60)
    assert auth.decode_token(SETTINGS, token).login == "member"
    assert auth.decode_token(SETTINGS, token).login == "member"  # from the cache
    later = time.time() + 61
    monkeypatch.setattr(auth.time, "time", lambda: later)
    with pytest.raises(Unauthenticated, match="token expired"):
        auth.decode_token(SETTINGS, token)


def test_a_token_checked_under_another_key_is_checked_again() -> None:
    token = _token()
    auth.decode_token(SETTINGS, token)
    other = Settings(jwt_secret="other-secret-" + "z" * 32)
    with pytest.raises(Unauthenticated, match="invalid token"):
        auth.decode_token(other, token)

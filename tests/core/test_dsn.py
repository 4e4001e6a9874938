"""Connection strings for the app role and for dbmate."""

from __future__ import annotations

import pytest

from services.core.dsn import database_name, for_dbmate, with_credentials, with_database


def test_app_credentials_replace_the_owner() -> None:
    url = "postgresql://owner:secret@db.example:5433/alliance?sslmode=require"
    assert (
        with_credentials(url, user="alliance_app", password="p@ss")
        == "postgresql://alliance_app:p%40ss@db.example:5433/alliance?sslmode=require"
    )


def test_socket_urls_keep_their_directory() -> None:
    url = "postgresql://postgres:@/alliance?host=/tmp/pg"
    assert with_credentials(url, user="alliance_app", password=None) == (
        "postgresql://alliance_app@/alliance?host=/tmp/pg"
    )
    assert for_dbmate(url, tls=False) == "postgres://postgres:@/alliance?socket=%2Ftmp%2Fpg&sslmode=disable"


@pytest.mark.parametrize(
    ("query", "tls", "sent"),
    [
        # No sslmode means libpq's prefer: whatever the server and the client agreed on.
        ("", True, "sslmode=require"),
        ("", False, "sslmode=disable"),
        ("?sslmode=prefer", False, "sslmode=disable"),
        ("?sslmode=allow", True, "sslmode=require"),
        ("?connect_timeout=5&sslmode=prefer", True, "connect_timeout=5&sslmode=require"),
        # Modes lib/pq knows are the operator's choice, kept as given.
        ("?sslmode=disable", False, "sslmode=disable"),
        ("?sslmode=require", True, "sslmode=require"),
        ("?sslmode=verify-full&sslrootcert=%2Fca.pem", True, "sslmode=verify-full&sslrootcert=%2Fca.pem"),
    ],
)
def test_dbmate_gets_the_sslmode_libpq_would_use(query: str, tls: bool, sent: str) -> None:
    url = f"postgresql://u:p@db.example:5432/alliance{query}"
    assert for_dbmate(url, tls=tls) == f"postgres://u:p@db.example:5432/alliance?{sent}"


def test_pgsslmode_counts_when_the_url_says_nothing() -> None:
    url = "postgresql://u:p@db.example/alliance"
    assert for_dbmate(url, tls=True, env_sslmode="verify-full").endswith("?sslmode=verify-full")
    assert for_dbmate(url, tls=False, env_sslmode="prefer").endswith("?sslmode=disable")
    assert for_dbmate(url + "?sslmode=require", tls=True, env_sslmode="disable").endswith("?sslmode=require")


def test_database_swap() -> None:
    url = with_database("postgresql://u@h/one?x=1", "two")
    assert url == "postgresql://u@h/two?x=1"
    assert database_name(url) == "two"

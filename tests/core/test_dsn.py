"""Connection strings for the app role and for dbmate."""

from __future__ import annotations

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
    assert for_dbmate(url) == "postgres://postgres:@/alliance?socket=%2Ftmp%2Fpg&sslmode=disable"


def test_database_swap() -> None:
    url = with_database("postgresql://u@h/one?x=1", "two")
    assert url == "postgresql://u@h/two?x=1"
    assert database_name(url) == "two"

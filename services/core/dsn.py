"""Connection strings: the owner's (migrations), the app role's, and dbmate's spelling."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit


def with_credentials(url: str, *, user: str, password: str | None) -> str:
    """Return ``url`` with its user and password replaced."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if parts.port:
        host = f"{host}:{parts.port}"
    auth = quote(user, safe="")
    if password:
        auth += ":" + quote(password, safe="")
    return urlunsplit((parts.scheme, f"{auth}@{host}", parts.path, parts.query, parts.fragment))


def with_database(url: str, database: str) -> str:
    """Return ``url`` pointing at another database on the same server."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def database_name(url: str) -> str:
    """The database a URL names."""
    return urlsplit(url).path.lstrip("/") or "postgres"


def for_dbmate(url: str) -> str:
    """dbmate spells a Unix-socket directory ``socket=`` where libpq and asyncpg say ``host=``."""
    parts = urlsplit(url)
    query = [("socket", v) if k == "host" else (k, v) for k, v in parse_qsl(parts.query)]
    if not any(k == "sslmode" for k, _ in query) and any(k == "socket" for k, _ in query):
        query.append(("sslmode", "disable"))
    return urlunsplit(("postgres", parts.netloc, parts.path, urlencode(query), parts.fragment))

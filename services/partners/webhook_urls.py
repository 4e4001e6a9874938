"""Webhook URLs and the addresses they may reach (SSRF guard).

A webhook makes the platform send requests where a tenant admin says; without a guard that
is a way into the operator's network. A URL is refused when it carries credentials, when it
is not HTTPS and the tenant requires HTTPS, or when any address its host resolves to is
loopback, link-local, private, or otherwise not public (IPv4 and IPv6, IPv4-mapped
included), unless the tenant allows private addresses. The check runs at registration and
again before every send (DNS can change); the send then connects to the checked address
itself, so a second resolution cannot swap it for another.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from services.core.errors import BadUserInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class UrlRules:
    """A tenant's webhook rules (合作系统推送设置)."""

    allow_private_addresses: bool
    require_https: bool


class AddressRefused(Exception):
    """The URL's host resolves to an address the tenant's rules refuse, or not at all."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where one send goes: the URL as registered, and the checked address to connect to."""

    url: SplitResult
    address: IPAddress

    @property
    def host(self) -> str:
        return self.url.hostname or ""

    @property
    def port(self) -> int:
        return self.url.port or (443 if self.url.scheme == "https" else 80)

    def pinned_url(self) -> str:
        """The URL with the host replaced by the checked address (the Host header keeps the name)."""
        host = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        netloc = f"{host}:{self.port}"
        path = self.url.path or "/"
        return f"{self.url.scheme}://{netloc}{path}" + (f"?{self.url.query}" if self.url.query else "")


def checked_url(url: str, rules: UrlRules) -> SplitResult:
    """The URL parsed; BAD_USER_INPUT (field ``url``) when its form is refused."""
    text = url.strip()
    if not text or len(text) > 2000:
        raise BadUserInput("a webhook URL has 1 to 2000 characters", field="url")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  # raises on a port out of range
    except ValueError as exc:
        raise BadUserInput(f"not a URL: {exc}", field="url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadUserInput("a webhook URL is http(s)://host/…", field="url")
    if parts.username is not None or parts.password is not None:
        raise BadUserInput("a webhook URL must not carry credentials", field="url")
    if parts.fragment:
        raise BadUserInput("a webhook URL has no fragment", field="url")
    if rules.require_https and parts.scheme != "https":
        raise BadUserInput("this alliance requires HTTPS webhook URLs", field="url")
    return parts


def is_public(address: IPAddress) -> bool:
    """Whether an address is on the public internet (IPv4-mapped IPv6 judged as its IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


async def resolve(parts: SplitResult, rules: UrlRules) -> Target:
    """Resolve the host and check every address; ``AddressRefused`` if one is refused."""
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise AddressRefused(f"{host} does not resolve: {exc}") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise AddressRefused(f"{host} does not resolve")
    refused = [a for a in addresses if not is_public(a)]
    if refused and not rules.allow_private_addresses:
        raise AddressRefused(f"{host} resolves to a non-public address ({refused[0]})")
    return Target(url=parts, address=addresses[0])


async def checked_target(url: str, rules: UrlRules) -> Target:
    """Registration's check: the form, then every resolved address (BAD_USER_INPUT on ``url``)."""
    parts = checked_url(url, rules)
    try:
        return await resolve(parts, rules)
    except AddressRefused as exc:
        raise BadUserInput(str(exc), field="url") from None

"""Authentication: JWT bearer tokens for people, hashed API keys for partner systems."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass

import asyncpg
import jwt

from services.core.authz import Authorizer
from services.core.errors import Unauthenticated
from services.core.principal import Principal
from services.core.settings import Settings

API_KEY_PREFIX = "alk"


def issue_token(
    settings: Settings,
    *,
    account_id: uuid.UUID,
    login: str,
    tenant_id: uuid.UUID,
    tenant_slug: str,
    now: dt.datetime | None = None,
    ttl_seconds: int | None = None,
) -> str:
    """A signed HS256 token for one account in one tenant."""
    issued = now or dt.datetime.now(dt.UTC)
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(account_id),
        "login": login,
        "tid": str(tenant_id),
        "tenant": tenant_slug,
        "iat": issued,
        "exp": issued + dt.timedelta(seconds=ttl_seconds or settings.jwt_ttl_seconds),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


@dataclass(frozen=True, slots=True)
class TokenClaims:
    account_id: uuid.UUID
    login: str
    tenant_id: uuid.UUID
    expires_at: float  # seconds since the epoch


@functools.lru_cache(maxsize=4096)
def _verified(token: str, secret: str, audience: str, issuer: str) -> TokenClaims:
    """A token's claims and expiry once its signature, issuer and audience are checked.

    Remembered (a client sends the same token with every request, and checking costs a good
    part of a small request); only tokens that passed are kept, and expiry is checked anew
    on every use by ``decode_token``.
    """
    claims = jwt.decode(
        token,
        secret,
        algorithms=["HS256"],
        audience=audience,
        issuer=issuer,
        options={"require": ["exp", "iat", "iss", "aud", "sub", "tid"], "verify_exp": False},
    )
    return TokenClaims(
        account_id=uuid.UUID(claims["sub"]),
        login=str(claims.get("login", "")),
        tenant_id=uuid.UUID(claims["tid"]),
        expires_at=float(claims["exp"]),
    )


def decode_token(settings: Settings, token: str) -> TokenClaims:
    """Check signature, expiry, issuer and audience; raise Unauthenticated otherwise."""
    try:
        claims = _verified(token, settings.jwt_secret, settings.jwt_audience, settings.jwt_issuer)
    except (jwt.InvalidTokenError, ValueError, KeyError, TypeError):
        raise Unauthenticated("invalid token") from None
    if claims.expires_at <= time.time():  # as PyJWT decides it, without leeway
        raise Unauthenticated("token expired")
    return claims


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A freshly made key: ``plaintext`` is shown once, only ``secret_hash`` is stored."""

    prefix: str
    plaintext: str
    secret_hash: bytes


def new_api_key() -> NewApiKey:
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return NewApiKey(
        prefix=prefix,
        plaintext=f"{API_KEY_PREFIX}_{prefix}_{secret}",
        secret_hash=hashlib.sha256(secret.encode()).digest(),
    )


def _split_api_key(key: str) -> tuple[str, str]:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or not parts[1] or not parts[2]:
        raise Unauthenticated("invalid API key")
    return parts[1], parts[2]


async def _tenant_slug(pool: asyncpg.Pool, authorizer: Authorizer, tenant_id: uuid.UUID) -> str:
    slug = await authorizer.tenants.slug(pool, tenant_id)
    if slug is None:
        raise Unauthenticated("unknown tenant")
    return slug


async def _tenant_by_slug(pool: asyncpg.Pool, authorizer: Authorizer, slug: str) -> uuid.UUID:
    tenant_id = await authorizer.tenants.id_for(pool, slug)
    if tenant_id is None:
        raise Unauthenticated(f"unknown tenant {slug!r}")
    return tenant_id


async def authenticate(
    *,
    pool: asyncpg.Pool,
    authorizer: Authorizer,
    settings: Settings,
    authorization: str | None,
    api_key: str | None = None,
    tenant_header: str | None = None,
) -> Principal | None:
    """Resolve the caller from request headers; None when no credentials were presented."""
    scheme, _, credential = (authorization or "").partition(" ")
    scheme = scheme.lower()
    if api_key or scheme == "apikey":
        return await _from_api_key(pool, authorizer, (api_key or credential).strip())
    if not authorization:
        return None
    if scheme != "bearer" or not credential.strip():
        raise Unauthenticated("expected 'Authorization: Bearer <token>'")
    claims = decode_token(settings, credential.strip())
    tenant_id = claims.tenant_id
    if tenant_header:
        tenant_id = await _tenant_by_slug(pool, authorizer, tenant_header.strip())
    roles = await authorizer.roles_of(pool, claims.account_id, tenant_id)
    if not roles:
        raise Unauthenticated("this account holds no role in the requested tenant")
    return Principal(
        account_id=claims.account_id,
        login=claims.login,
        tenant_id=tenant_id,
        tenant_slug=await _tenant_slug(pool, authorizer, tenant_id),
        roles=roles,
        organization_ids=authorizer.organizations(claims.account_id, tenant_id),
        managed_organization_ids=authorizer.managed_organizations(claims.account_id, tenant_id),
    )


def token_expiry(settings: Settings, authorization: str | None) -> float | None:
    """When the bearer token of a valid ``Authorization`` value expires (None for no token)."""
    scheme, _, credential = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        return None
    return decode_token(settings, credential.strip()).expires_at


async def _from_api_key(pool: asyncpg.Pool, authorizer: Authorizer, key: str) -> Principal:
    prefix, secret = _split_api_key(key)
    row = await pool.fetchrow("SELECT * FROM api_key_for_prefix($1)", prefix)
    presented = hashlib.sha256(secret.encode()).digest()
    if row is None or not hmac.compare_digest(presented, bytes(row["secret_hash"])):
        raise Unauthenticated("invalid API key")
    if row["revoked_at"] is not None:
        raise Unauthenticated("API key revoked")
    tenant_id: uuid.UUID = row["tenant_id"]
    roles = await authorizer.roles_of(pool, row["account_id"], tenant_id)
    if not roles:
        raise Unauthenticated("API key's account holds no role")
    if not row["recently_used"]:
        # last-used time to the minute: one write a minute per key, not one per request
        await pool.execute("SELECT api_key_touch($1)", row["id"])
    return Principal(
        account_id=row["account_id"],
        login=row["login"],
        tenant_id=tenant_id,
        tenant_slug=await _tenant_slug(pool, authorizer, tenant_id),
        roles=roles,
        api_key_id=row["id"],
    )

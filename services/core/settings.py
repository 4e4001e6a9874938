"""Settings, read once from environment variables (documented in README.md)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path


class SettingsError(ValueError):
    """An environment variable holds a value the platform cannot use."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _optional_port(env: Mapping[str, str], name: str) -> int | None:
    if not env.get(name):
        return None
    port = _int(env, name, 0)
    if port > 65535:
        raise SettingsError(f"{name} must be a TCP port number, got {port}")
    return port


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _names(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name)
    if raw is None:
        return default
    names = tuple(part.strip() for part in raw.split(",") if part.strip())
    if any(not part.replace("-", "").replace("_", "").isalnum() for part in names):
        raise SettingsError(f"{name} must be a comma-separated list of names, got {raw!r}")
    return names


@dataclass(frozen=True, slots=True)
class GraphQLLimits:
    """Limits applied to every GraphQL operation."""

    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_body_bytes: int = 100_000
    max_query_string_bytes: int = 32_768
    max_page_size: int = 100
    max_cost: int = 10_000
    max_fragment_spreads: int = 50
    max_expanded_fields: int = 2_000
    validation_budget_ms: int = 1000


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the platform reads from its environment."""

    data_dir: Path = Path(".alliance")
    database_url: str | None = None
    app_db_user: str = "alliance_app"
    app_db_password: str | None = None
    db_pool_min: int = 2
    db_pool_max: int = 10
    db_statement_timeout_ms: int = 15_000
    kafka_bootstrap_servers: str | None = None
    kafka_enable_idempotence: bool = True
    kafka_topic_partitions: int = 3
    kafka_topic_replication: int = 1
    relay_in_server: bool = True
    # /readyz says 503 when the oldest unsent outbox row (or a stuck in-process relay) is older.
    outbox_max_age_seconds: int = 60
    workers_in_server: tuple[str, ...] = (
        "activity",
        "cobuilding",
        "ledger-deadlines",
        "orglife-transfers",
        "orglife-compliance",
        "orglife-birthdays",
        "council-reminders",
    )
    jwt_secret: str = ""
    jwt_issuer: str = "alliance-platform"
    jwt_audience: str = "alliance-api"
    jwt_ttl_seconds: int = 8 * 3600
    role_cache_ttl_seconds: int = 30
    # A partner key this process holds refused is answered 429 after this long (at most its
    # Retry-After), so that a client ignoring Retry-After slows down instead of spinning on
    # the server's cores; at most ``rate_limit_max_held`` answers are held at once per process.
    rate_limit_hold_ms: int = 1000
    rate_limit_max_held: int = 1000
    limits: GraphQLLimits = field(default_factory=GraphQLLimits)
    graphql_ide: bool = True
    graphql_introspection: bool = True
    compiled_reads: bool = True
    log_level: str = "INFO"
    log_json: bool = True
    ledger_due_soon_days: int = 7
    # Political-birthday notices: a signed webhook when the URL is set, else the log.
    birthday_webhook_url: str = ""
    birthday_webhook_secret: str = ""
    # The port of /metrics of `alliance relay` and `alliance worker` (None: not served).
    metrics_port: int | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``env`` (the process environment by default)."""
        env = os.environ if env is None else env
        data_dir = Path(env.get("ALLIANCE_DATA_DIR") or ".alliance")
        embedded_broker = not env.get("KAFKA_BOOTSTRAP_SERVERS")
        log_level = (env.get("LOG_LEVEL") or "INFO").upper()
        if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise SettingsError(f"LOG_LEVEL must be a logging level name, got {log_level!r}")
        return cls(
            data_dir=data_dir,
            database_url=env.get("DATABASE_URL") or None,
            app_db_user=env.get("APP_DB_USER") or "alliance_app",
            app_db_password=env.get("APP_DB_PASSWORD") or None,
            db_pool_min=_int(env, "DB_POOL_MIN", 2),
            db_pool_max=_int(env, "DB_POOL_MAX", 10),
            db_statement_timeout_ms=_int(env, "DB_STATEMENT_TIMEOUT_MS", 15_000),
            kafka_bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS") or None,
            # The embedded broker cannot answer InitProducerId, so idempotence is off there.
            kafka_enable_idempotence=_bool(env, "KAFKA_ENABLE_IDEMPOTENCE", not embedded_broker),
            kafka_topic_partitions=_int(env, "KAFKA_TOPIC_PARTITIONS", 3),
            kafka_topic_replication=_int(env, "KAFKA_TOPIC_REPLICATION", 1),
            relay_in_server=_bool(env, "RELAY_IN_SERVER", True),
            outbox_max_age_seconds=_int(env, "OUTBOX_MAX_AGE_SECONDS", 60),
            workers_in_server=_names(
                env,
                "WORKERS_IN_SERVER",
                (
                    "activity",
                    "cobuilding",
                    "ledger-deadlines",
                    "orglife-transfers",
                    "orglife-compliance",
                    "orglife-birthdays",
                    "council-reminders",
                    "webhooks",
                    "webhook-sender",
                ),
            ),
            jwt_secret=env.get("JWT_SECRET") or "",
            jwt_issuer=env.get("JWT_ISSUER") or "alliance-platform",
            jwt_audience=env.get("JWT_AUDIENCE") or "alliance-api",
            jwt_ttl_seconds=_int(env, "JWT_TTL_SECONDS", 8 * 3600, minimum=60),
            role_cache_ttl_seconds=_int(env, "ROLE_CACHE_TTL_SECONDS", 30),
            rate_limit_hold_ms=_int(env, "RATE_LIMIT_HOLD_MS", 1000, minimum=0),
            rate_limit_max_held=_int(env, "RATE_LIMIT_MAX_HELD", 1000, minimum=0),
            limits=GraphQLLimits(
                max_depth=_int(env, "GRAPHQL_MAX_DEPTH", 10),
                max_aliases=_int(env, "GRAPHQL_MAX_ALIASES", 15),
                max_tokens=_int(env, "GRAPHQL_MAX_TOKENS", 2000),
                max_body_bytes=_int(env, "GRAPHQL_MAX_BODY_BYTES", 100_000),
                max_query_string_bytes=_int(env, "GRAPHQL_MAX_QUERY_STRING_BYTES", 32_768),
                max_page_size=_int(env, "GRAPHQL_MAX_PAGE_SIZE", 100),
                max_cost=_int(env, "GRAPHQL_MAX_COST", 10_000),
                max_fragment_spreads=_int(env, "GRAPHQL_MAX_FRAGMENT_SPREADS", 50),
                max_expanded_fields=_int(env, "GRAPHQL_MAX_EXPANDED_FIELDS", 2_000),
                validation_budget_ms=_int(env, "GRAPHQL_VALIDATION_BUDGET_MS", 1000),
            ),
            graphql_ide=_bool(env, "GRAPHQL_IDE", True),
            graphql_introspection=_bool(env, "GRAPHQL_INTROSPECTION", True),
            compiled_reads=_bool(env, "COMPILED_READS", True),
            log_level=log_level,
            log_json=_bool(env, "LOG_JSON", True),
            ledger_due_soon_days=_int(env, "LEDGER_DUE_SOON_DAYS", 7),
            birthday_webhook_url=env.get("BIRTHDAY_WEBHOOK_URL") or "",
            birthday_webhook_secret=env.get("BIRTHDAY_WEBHOOK_SECRET") or "",
            metrics_port=_optional_port(env, "METRICS_PORT"),
        )

    def with_jwt_secret_from_data_dir(self) -> Settings:
        """Development only: keep a generated signing key in the data folder."""
        if self.jwt_secret:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key_file = self.data_dir / "jwt-secret"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return replace(self, jwt_secret=key_file.read_text().strip())

    def to_env(self) -> dict[str, str]:
        """The variables that reproduce the resolved connection settings in a child process."""
        env = {
            "ALLIANCE_DATA_DIR": str(self.data_dir),
            "JWT_SECRET": self.jwt_secret,
            "KAFKA_ENABLE_IDEMPOTENCE": "true" if self.kafka_enable_idempotence else "false",
        }
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
            env["APP_DB_USER"] = self.app_db_user
        if self.app_db_password:
            env["APP_DB_PASSWORD"] = self.app_db_password
        if self.kafka_bootstrap_servers:
            env["KAFKA_BOOTSTRAP_SERVERS"] = self.kafka_bootstrap_servers
        return env

"""The webhook sender's settings, from the environment (see README, "Settings")."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from services.core.settings import SettingsError


@dataclass(frozen=True)
class WebhookConfig:
    timeout_seconds: float = 10.0  # one request, connection to the last byte read
    retry_for_seconds: float = 24 * 3600.0  # then a failing delivery is dead-lettered
    backoff_base_seconds: float = 5.0  # first retry after about this long, doubling
    backoff_cap_seconds: float = 3600.0
    disable_after_failures: int = 20  # consecutive failed attempts of an endpoint
    max_response_bytes: int = 65_536  # read of a response, then cut off
    keep_log_seconds: float = 7 * 24 * 3600.0  # the delivery log's retention
    concurrency: int = 16  # sends under way at once, per sender
    batch: int = 100  # deliveries leased at a time
    poll_seconds: float = 1.0  # when no notification wakes the sender earlier

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebhookConfig:
        env = os.environ if env is None else env
        return cls(
            timeout_seconds=_number(env, "WEBHOOK_TIMEOUT_SECONDS", cls.timeout_seconds),
            retry_for_seconds=_number(env, "WEBHOOK_RETRY_FOR_SECONDS", cls.retry_for_seconds),
            backoff_base_seconds=_number(env, "WEBHOOK_BACKOFF_BASE_SECONDS", cls.backoff_base_seconds),
            backoff_cap_seconds=_number(env, "WEBHOOK_BACKOFF_CAP_SECONDS", cls.backoff_cap_seconds),
            disable_after_failures=int(
                _number(env, "WEBHOOK_DISABLE_AFTER_FAILURES", cls.disable_after_failures)
            ),
            max_response_bytes=int(_number(env, "WEBHOOK_MAX_RESPONSE_BYTES", cls.max_response_bytes)),
            keep_log_seconds=_number(env, "WEBHOOK_KEEP_LOG_SECONDS", cls.keep_log_seconds),
            concurrency=int(_number(env, "WEBHOOK_CONCURRENCY", cls.concurrency)),
        )


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be above 0, got {raw!r}")
    return value

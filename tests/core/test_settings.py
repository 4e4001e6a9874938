"""Settings come from the environment, with clear errors for unusable values."""

from __future__ import annotations

import pytest

from services.core.settings import Settings, SettingsError


def test_defaults_use_embedded_servers_and_no_idempotence() -> None:
    settings = Settings.from_env({})
    assert settings.database_url is None
    assert settings.kafka_bootstrap_servers is None
    assert settings.kafka_enable_idempotence is False
    assert settings.limits.max_depth == 10


def test_real_broker_turns_idempotence_on_unless_disabled() -> None:
    assert Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": "k:9092"}).kafka_enable_idempotence
    off = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": "k:9092", "KAFKA_ENABLE_IDEMPOTENCE": "no"})
    assert off.kafka_enable_idempotence is False


def test_limits_are_read() -> None:
    settings = Settings.from_env({"GRAPHQL_MAX_DEPTH": "4", "GRAPHQL_MAX_ALIASES": "2"})
    assert (settings.limits.max_depth, settings.limits.max_aliases) == (4, 2)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"GRAPHQL_MAX_DEPTH": "deep"}, "GRAPHQL_MAX_DEPTH"),
        ({"DB_POOL_MAX": "0"}, "DB_POOL_MAX"),
        ({"GRAPHQL_IDE": "maybe"}, "GRAPHQL_IDE"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_dev_jwt_secret_is_kept_in_data_dir(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings.from_env({"ALLIANCE_DATA_DIR": str(tmp_path)})
    first = settings.with_jwt_secret_from_data_dir().jwt_secret
    again = Settings.from_env({"ALLIANCE_DATA_DIR": str(tmp_path)}).with_jwt_secret_from_data_dir()
    assert len(first) >= 32
    assert again.jwt_secret == first


def test_topic_replication_is_configurable() -> None:
    assert Settings.from_env({}).kafka_topic_replication == 1
    assert Settings.from_env({"KAFKA_TOPIC_REPLICATION": "3"}).kafka_topic_replication == 3


def test_rate_limit_holds_are_read_and_may_be_turned_off() -> None:
    assert (Settings.from_env({}).rate_limit_hold_ms, Settings.from_env({}).rate_limit_max_held) == (
        1000,
        1000,
    )
    off = Settings.from_env({"RATE_LIMIT_HOLD_MS": "0", "RATE_LIMIT_MAX_HELD": "0"})
    assert (off.rate_limit_hold_ms, off.rate_limit_max_held) == (0, 0)
    with pytest.raises(SettingsError, match="RATE_LIMIT_HOLD_MS"):
        Settings.from_env({"RATE_LIMIT_HOLD_MS": "-1"})

"""The event commands, run as a user would: ``python -m services.events …``."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import asyncpg

from services.core.settings import Settings
from services.domain import Platform
from tests.events.conftest import service_name


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "services.events", *args],
        env={**os.environ, "LOG_JSON": "false", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_worker_refuses_unknown_services(events_settings: Settings) -> None:
    result = _run("worker", "nosuch", env=events_settings.to_env())
    assert result.returncode == 2
    # Known: the platform's consumer services, then its domains' background jobs.
    platform = Platform.default()
    known = ", ".join([*platform.registry().services, *platform.jobs()])
    assert f"unknown service(s): nosuch (known: {known})" in result.stderr
    assert "activity" in known


def test_relay_refuses_a_private_embedded_broker(events_settings: Settings) -> None:
    env = {k: v for k, v in events_settings.to_env().items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    os_env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    result = subprocess.run(
        [sys.executable, "-m", "services.events", "relay"],
        env={**os_env, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "needs KAFKA_BOOTSTRAP_SERVERS" in result.stderr


async def test_dlq_list_and_replay(events_pool: asyncpg.Pool, events_settings: Settings) -> None:
    service = service_name()
    event_id = uuid.uuid4()
    letter_id = await events_pool.fetchval(
        "INSERT INTO dead_letter (consumer, event_id, topic, kafka_partition, kafka_offset, error, attempts)"
        " VALUES ($1, $2, 'alliance.thing.v1', 2, 7, 'ValueError: boom', 5) RETURNING id",
        service,
        event_id,
    )
    listed = _run("dlq", "list", "--consumer", service, env=events_settings.to_env())
    assert listed.returncode == 0, listed.stderr
    [line] = listed.stdout.splitlines()
    assert line.startswith(f"{letter_id}\t")
    assert f"\t{service}\t" in line and str(event_id) in line and "ValueError: boom" in line

    replayed = _run("dlq", "replay", str(letter_id), env=events_settings.to_env())
    assert replayed.returncode == 1
    assert "no valid envelope" in replayed.stderr
    missing = _run("dlq", "replay", "999999999", env=events_settings.to_env())
    assert missing.returncode == 1
    assert "no dead letter 999999999" in missing.stderr

"""Every setting the code reads is documented and deployed, and nothing else is.

Three places must agree: the code (services/, schema/), README.md's settings table, and the
environment of the platform's containers in deploy/compose.yaml and in the production
Kubernetes overlay. A failure names the variable, where the code reads it, and where it is
missing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.deploy import inventory

# Read by the code, documented, but deliberately not set in production.
DEVELOPMENT_ONLY = {
    "ALLIANCE_DATA_DIR": "the embedded PostgreSQL and the generated development key; production sets "
    "DATABASE_URL and JWT_SECRET, and the containers' file system is read-only",
    "TANSU_LOG": "the log level of the embedded broker, which production does not start",
}

# Set in deploy/ ahead of the code that reads them (none at present).
ANNOUNCED: dict[str, str] = {}

# The OpenTelemetry SDK reads the standard OTEL_* variables itself (the code reads a few too).
LIBRARY_PREFIXES = ("OTEL_",)

DEPLOYMENTS: dict[str, Callable[[], set[str]]] = {
    "deploy/compose.yaml": inventory.compose_settings,
    "deploy/k8s/overlays/production": inventory.kubernetes_settings,
}


def _read_by_a_library(name: str) -> bool:
    return name.startswith(LIBRARY_PREFIXES)


def test_the_scanner_finds_every_way_of_reading_a_setting() -> None:
    source = """
import os
def settings(env):
    a = env.get("VIA_GET")
    b = os.environ["VIA_SUBSCRIPT"]
    c = os.getenv("VIA_GETENV")
    d = _float(env, "VIA_HELPER", 1.5)
    e = os.environ.get("VIA_OS_ENVIRON", "x")
    f = {**os.environ, "NOT_READ": "1"}
    g = other.get("NOT_AN_ENVIRONMENT")
"""
    assert inventory.reads_in_source(source) == {
        "VIA_GET",
        "VIA_SUBSCRIPT",
        "VIA_GETENV",
        "VIA_HELPER",
        "VIA_OS_ENVIRON",
    }


def test_the_code_reads_the_settings_it_is_known_to_read() -> None:
    read = inventory.code_settings()
    assert {"DATABASE_URL", "KAFKA_TOPIC_REPLICATION", "WORKERS_IN_SERVER", "HOST", "WEB_WORKERS"} <= set(
        read
    )


def test_every_setting_the_code_reads_is_in_the_readme_table() -> None:
    documented = inventory.readme_settings()
    missing = {name: where for name, where in inventory.code_settings().items() if name not in documented}
    assert not missing, "\n".join(
        f"{name} is read at {where} but missing from README.md's settings table"
        for name, where in sorted(missing.items())
    )


def test_every_setting_in_the_readme_table_is_read_by_the_code() -> None:
    read = inventory.code_settings()
    stale = sorted(n for n in inventory.readme_settings() if n not in read and not _read_by_a_library(n))
    assert not stale, "\n".join(
        f"{name} is in README.md's settings table but nothing in services/ or schema/ reads it"
        for name in stale
    )


@pytest.mark.parametrize("deployment", sorted(DEPLOYMENTS))
def test_every_setting_the_code_reads_is_deployed(deployment: str) -> None:
    deployed = DEPLOYMENTS[deployment]()
    missing = {
        name: where
        for name, where in inventory.code_settings().items()
        if name not in deployed and name not in DEVELOPMENT_ONLY
    }
    assert not missing, "\n".join(
        f"{name} is read at {where} but set in no platform container of {deployment} "
        "(set it there, or list it in DEVELOPMENT_ONLY in tests/deploy/test_settings.py with the reason)"
        for name, where in sorted(missing.items())
    )


@pytest.mark.parametrize("deployment", sorted(DEPLOYMENTS))
def test_every_deployed_setting_is_read_by_the_code(deployment: str) -> None:
    read = inventory.code_settings()
    stale = sorted(
        name
        for name in DEPLOYMENTS[deployment]()
        if name not in read and name not in ANNOUNCED and not _read_by_a_library(name)
    )
    assert not stale, "\n".join(
        f"{name} is set in {deployment} but nothing in services/ or schema/ reads it" for name in stale
    )


def test_development_only_settings_are_still_read_and_not_deployed() -> None:
    read = inventory.code_settings()
    assert not set(DEVELOPMENT_ONLY) - set(read), "DEVELOPMENT_ONLY names a setting no code reads any more"
    for deployment, deployed in DEPLOYMENTS.items():
        assert not set(DEVELOPMENT_ONLY) & deployed(), f"{deployment} sets a development-only setting"

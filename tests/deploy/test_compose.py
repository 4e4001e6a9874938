"""deploy/compose.yaml: valid against the Compose Specification, and the production shape.

The schema is the compose-spec JSON schema that check-jsonschema ships (``vendor.compose-spec``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from services.cli import build_parser
from services.domain import Platform
from tests.deploy import inventory

CHECK_JSONSCHEMA = str(Path(sys.executable).parent / "check-jsonschema")
SECRET_SETTINGS = ("APP_DB_PASSWORD", "JWT_SECRET")


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own tool and file
        [CHECK_JSONSCHEMA, "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _by_role(role: str) -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in inventory.compose_app_services().items()
        if service["command"][0] == role
    }


def test_compose_file_is_valid_against_the_compose_spec() -> None:
    result = _validate(inventory.COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compose_spec_check_refuses_a_broken_file(tmp_path: Path) -> None:
    broken = inventory.compose()
    broken["services"]["relay"]["restart"] = ["always"]
    broken["services"]["relay"]["depends_on"] = "migrate"
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(broken))
    result = _validate(path)
    assert result.returncode == 1
    assert "restart" in result.stdout


def test_postgresql_18_and_three_kraft_brokers_of_the_official_image() -> None:
    services = inventory.compose()["services"]
    assert services["postgres"]["image"].startswith("postgres:18")
    brokers = {name: s for name, s in services.items() if str(s.get("image", "")).startswith("apache/kafka:")}
    assert len(brokers) == 3
    node_ids = set()
    for service in brokers.values():
        env = service["environment"]
        assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
        assert len(env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")) == 3
        assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "3"
        node_ids.add(env["KAFKA_NODE_ID"])
    assert node_ids == {"1", "2", "3"}


def test_the_process_roles_the_production_shape_asks_for() -> None:
    assert len(_by_role("migrate")) == 1
    assert len(_by_role("serve")) == 2
    assert len(_by_role("relay")) == 1
    assert _by_role("worker")
    services = inventory.compose()["services"]
    assert services["prometheus"]["image"].startswith("prom/prometheus:")
    assert "opentelemetry-collector" in services["otel-collector"]["image"]


def test_every_command_is_one_the_alliance_cli_accepts() -> None:
    parser = build_parser()
    for name, service in inventory.compose_app_services().items():
        args = parser.parse_args(service["command"])
        if args.command == "worker":
            assert set(args.services) <= _workers(), name


def test_gateways_leave_relay_and_consumers_to_their_own_processes() -> None:
    for name, service in _by_role("serve").items():
        env = service["environment"]
        assert env["RELAY_IN_SERVER"] == "false", name
        assert env["WORKERS_IN_SERVER"] == "", name
        assert env["GRAPHQL_IDE"] == "false", name
        assert env["GRAPHQL_INTROSPECTION"] == "false", name
        assert "/readyz" in " ".join(service["healthcheck"]["test"]), name


def test_replicated_topics_idempotent_producers_and_traces_on_every_platform_process() -> None:
    for name, service in inventory.compose_app_services().items():
        env = service["environment"]
        assert env["KAFKA_TOPIC_REPLICATION"] == "3", name
        assert env["KAFKA_ENABLE_IDEMPOTENCE"] == "true", name
        assert env["OTEL_SDK_DISABLED"] == "false", name
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"].startswith("http://otel-collector:"), name
        assert env["OTEL_SERVICE_NAME"] == f"alliance-{name.split('-')[0]}", name


def test_everything_waits_for_the_migration_job() -> None:
    for name, service in inventory.compose_app_services().items():
        if service["command"] == ["migrate"]:
            assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
            assert service["restart"] == "no"
        else:
            assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name


def test_secrets_come_from_the_environment_file_never_the_compose_file() -> None:
    for name, service in inventory.compose_app_services().items():
        env = service["environment"]
        for secret in SECRET_SETTINGS:
            if secret in env:
                assert env[secret].startswith("${") and ":?" in env[secret], (name, secret)
        # Runtime processes get the app role's URL; only the migration sees the owner's password.
        password_in_url = "${POSTGRES_PASSWORD" in env["DATABASE_URL"]
        assert password_in_url == (service["command"] == ["migrate"]), name


def test_prometheus_scrapes_every_process_role() -> None:
    config = yaml.safe_load((inventory.DEPLOY / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    gateway_targets = {t for group in jobs["alliance-gateway"]["static_configs"] for t in group["targets"]}
    assert gateway_targets == {f"{name}:8000" for name in _by_role("serve")}
    for role in ("relay", "worker"):
        (discovery,) = jobs[f"alliance-{role}"]["dns_sd_configs"]
        assert discovery["names"] == list(_by_role(role))
        ports = {service["environment"]["METRICS_PORT"] for service in _by_role(role).values()}
        assert ports == {str(discovery["port"])}


def _workers() -> set[str]:
    """What `alliance worker` runs: consumer services and domains' background jobs."""
    platform = Platform.default()
    return set(platform.registry().services) | set(platform.jobs())

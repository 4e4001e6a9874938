"""deploy/k8s: the base and the production overlay render, validate against the Kubernetes
schemas (kubernetes-validate's bundled ones, strict: no unknown fields), and hold the shape
the platform needs in production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from services.cli import build_parser
from services.domain import Platform
from tests.deploy import inventory
from tests.deploy.kustomize import KustomizeError, render

OVERLAYS = {
    "base": inventory.DEPLOY / "k8s" / "base",
    "production": inventory.PRODUCTION,
}
# The oldest Kubernetes minor the manifests are meant for, and the newest the schemas know.
KUBERNETES_VERSIONS = ("1.29.0", kubernetes_validate.utils.latest_version())
SECRET_SETTINGS = ("DATABASE_URL", "APP_DB_PASSWORD", "JWT_SECRET")
ROLES = ("gateway", "relay", "worker")
# Ports other pods may reach: HTTP on the gateways; /metrics (METRICS_PORT) on the others.
OPEN_PORTS = {"gateway": {8000}, "relay": {9464}, "worker": {9464}}

Resource = dict[str, Any]


def _by_kind(resources: list[Resource], kind: str) -> dict[str, Resource]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def _labels_match(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if not all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        if expression["operator"] != "In" or labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


@pytest.fixture(scope="module")
def production() -> list[Resource]:
    return inventory.production_resources()


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_every_rendered_resource_is_valid(overlay: str, version: str) -> None:
    resources = render(OVERLAYS[overlay])
    assert resources
    for resource in resources:
        kubernetes_validate.validate(resource, version, strict=True)


def test_the_validator_refuses_an_unknown_field(production: list[Resource]) -> None:
    gateway = _by_kind(production, "Deployment")["alliance-gateway"]
    gateway["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGett"] = {"path": "/healthz"}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(gateway, KUBERNETES_VERSIONS[-1], strict=True)


def test_the_renderer_refuses_what_it_does_not_render(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: []\ncommonLabels: {team: x}\n")
    with pytest.raises(KustomizeError, match="commonLabels"):
        render(tmp_path)


def test_the_overlay_puts_everything_in_its_namespace_with_the_released_image(
    production: list[Resource],
) -> None:
    for resource in production:
        if resource["kind"] != "Namespace":
            assert resource["metadata"]["namespace"] == "alliance", resource["metadata"]["name"]
    for _, container in inventory.app_containers(production):
        assert container["image"] == "registry.internal/alliance/alliance-platform:0.1.0"


def test_deployments_for_every_role_and_a_migration_job(production: list[Resource]) -> None:
    deployments = _by_kind(production, "Deployment")
    assert set(deployments) == {f"alliance-{role}" for role in ROLES}
    parser = build_parser()
    commands = {}
    for workload, container in inventory.app_containers(production):
        args = parser.parse_args(container["args"])
        commands[workload["metadata"]["name"]] = args.command
        if args.command == "worker":
            assert set(args.services) <= _workers()
    assert commands == {
        "alliance-gateway": "serve",
        "alliance-relay": "relay",
        "alliance-worker": "worker",
        "alliance-migrate": "migrate",
    }
    assert (
        _by_kind(production, "Job")["alliance-migrate"]["spec"]["template"]["spec"]["restartPolicy"]
        == "Never"
    )
    # Several relays: the advisory lock lets one send, so a second one is a standby.
    assert deployments["alliance-relay"]["spec"]["replicas"] >= 2


def test_gateway_probes_and_service(production: list[Resource]) -> None:
    gateway = _by_kind(production, "Deployment")["alliance-gateway"]
    (container,) = gateway["spec"]["template"]["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    service = _by_kind(production, "Service")["alliance-gateway"]
    assert _labels_match(
        {"matchLabels": service["spec"]["selector"]}, gateway["spec"]["template"]["metadata"]["labels"]
    )
    assert service["spec"]["ports"][0]["targetPort"] == "http"


def test_every_container_has_requests_and_limits_and_runs_locked_down(production: list[Resource]) -> None:
    for workload, container in inventory.app_containers(production):
        name = workload["metadata"]["name"]
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][bound]), name
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["automountServiceAccountToken"] is False, name
        assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
        assert container["securityContext"]["allowPrivilegeEscalation"] is False, name


def test_disruption_budgets_cover_every_role(production: list[Resource]) -> None:
    budgets = _by_kind(production, "PodDisruptionBudget").values()
    for deployment in _by_kind(production, "Deployment").values():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert any(_labels_match(b["spec"]["selector"], labels) for b in budgets), deployment["metadata"][
            "name"
        ]


def test_the_gateway_autoscales(production: list[Resource]) -> None:
    (autoscaler,) = _by_kind(production, "HorizontalPodAutoscaler").values()
    assert autoscaler["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "alliance-gateway",
    }
    assert 2 <= autoscaler["spec"]["minReplicas"] < autoscaler["spec"]["maxReplicas"]


def test_network_policies_close_every_pod_and_open_only_their_ports(production: list[Resource]) -> None:
    policies = _by_kind(production, "NetworkPolicy").values()
    for workload, _ in inventory.app_containers(production):
        labels = workload["spec"]["template"]["metadata"]["labels"]
        applying = [p for p in policies if _labels_match(p["spec"]["podSelector"], labels)]
        assert any({"Ingress", "Egress"} <= set(p["spec"]["policyTypes"]) for p in applying), labels
        opened = {
            port["port"] for p in applying for rule in p["spec"].get("ingress", []) for port in rule["ports"]
        }
        assert opened == OPEN_PORTS.get(labels["app.kubernetes.io/component"], set()), labels
    gateway_http = _by_kind(production, "NetworkPolicy")["alliance-gateway-http"]
    assert all(rule.get("from") for rule in gateway_http["spec"]["ingress"])


def test_secrets_are_referenced_never_inlined(production: list[Resource]) -> None:
    assert not _by_kind(production, "Secret")
    config_maps = _by_kind(production, "ConfigMap").values()
    for config_map in config_maps:
        assert not set(SECRET_SETTINGS) & set(config_map.get("data", {})), config_map["metadata"]["name"]
    for workload, container in inventory.app_containers(production):
        for entry in container.get("env", []):
            if entry["name"] in SECRET_SETTINGS:
                assert "value" not in entry, (workload["metadata"]["name"], entry["name"])
                assert entry["valueFrom"]["secretKeyRef"]["name"] == "alliance-secrets"


def test_only_the_migration_job_sees_the_owner_connection(production: list[Resource]) -> None:
    for workload, container in inventory.app_containers(production):
        (url,) = (e for e in container["env"] if e["name"] == "DATABASE_URL")
        key = url["valueFrom"]["secretKeyRef"]["key"]
        expected = "database-owner-url" if workload["kind"] == "Job" else "database-url"
        assert key == expected, workload["metadata"]["name"]


def test_production_settings(production: list[Resource]) -> None:
    settings = _by_kind(production, "ConfigMap")
    shared = settings["alliance-settings"]["data"]
    assert shared["RELAY_IN_SERVER"] == "false"
    assert shared["WORKERS_IN_SERVER"] == ""
    assert shared["KAFKA_TOPIC_REPLICATION"] == "3"
    assert shared["KAFKA_ENABLE_IDEMPOTENCE"] == "true"
    assert shared["OTEL_SDK_DISABLED"] == "false"
    gateway = settings["alliance-gateway-settings"]["data"]
    assert gateway["GRAPHQL_IDE"] == "false"
    assert gateway["GRAPHQL_INTROSPECTION"] == "false"
    for workload, container in inventory.app_containers(production):
        assert {"OTEL_SERVICE_NAME", "KAFKA_BOOTSTRAP_SERVERS"} <= inventory.container_settings(
            container, production
        ), workload["metadata"]["name"]


def _workers() -> set[str]:
    """What `alliance worker` runs: consumer services and domains' background jobs."""
    platform = Platform.default()
    return set(platform.registry().services) | set(platform.jobs())

"""deploy/prometheus/alerts.yml: a well-formed rule file whose expressions name exported series.

promtool is not available here, so the rule file's structure (Prometheus' rule-file format)
is checked field by field, and every ``alliance_*`` name in an expression must be a series the
code exports (the families registered by services.core.metrics, with their suffixes).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

import services.core.metrics  # noqa: F401  (registers the platform's series)
from tests.deploy import inventory

ALERTS = inventory.DEPLOY / "prometheus" / "alerts.yml"
PROMETHEUS = inventory.DEPLOY / "prometheus" / "prometheus.yml"
_DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
_SERIES = re.compile(r"\balliance_[a-z0-9_]+\b")
_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
_REQUIRED_ALERTS = {
    "outbox age": "alliance_outbox_oldest_unsent_age_seconds",
    "consumer lag": "alliance_consumer_lag",
    "dead-letter growth": "alliance_dead_letters_total",
    "error rate": "alliance_graphql_errors_total",
}


def exported_series() -> set[str]:
    """Every sample name the platform's metric families produce."""
    names: set[str] = set()
    for family in REGISTRY.collect():
        if family.name.startswith("alliance_"):
            names.update(family.name + suffix for suffix in _SUFFIXES.get(family.type, ("",)))
    return names


def _rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(ALERTS.read_text())
    assert set(document) == {"groups"}
    rules: list[dict[str, Any]] = []
    for group in document["groups"]:
        assert set(group) <= {"name", "interval", "rules"} and group["name"] and group["rules"]
        rules.extend(group["rules"])
    return rules


def test_the_exported_series_are_found() -> None:
    assert {"alliance_graphql_requests_total", "alliance_consumer_lag", "alliance_relay_batches_total"} <= (
        exported_series()
    )


@pytest.mark.parametrize("rule", _rules(), ids=lambda rule: str(rule.get("alert")))
def test_each_rule_is_well_formed(rule: dict[str, Any]) -> None:
    assert set(rule) <= {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}
    assert re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", rule["alert"])
    assert isinstance(rule["expr"], str) and rule["expr"].strip()
    assert rule["expr"].count("(") == rule["expr"].count(")")
    assert rule["expr"].count("{") == rule["expr"].count("}")
    if "for" in rule:
        assert _DURATION.match(rule["for"]), rule["for"]
    assert rule["labels"]["severity"] in {"page", "warn"}
    assert rule["annotations"]["summary"] and rule["annotations"]["description"]


@pytest.mark.parametrize("rule", _rules(), ids=lambda rule: str(rule.get("alert")))
def test_each_expression_names_only_exported_series(rule: dict[str, Any]) -> None:
    named = set(_SERIES.findall(rule["expr"]))
    assert named, "an alert on none of the platform's series"
    unknown = named - exported_series()
    assert not unknown, f"{rule['alert']} names series the code does not export: {sorted(unknown)}"


def test_the_issue_s_alerts_are_all_there() -> None:
    expressions = " ".join(rule["expr"] for rule in _rules())
    missing = [what for what, series in _REQUIRED_ALERTS.items() if series not in expressions]
    assert not missing


def test_a_rule_naming_an_unknown_series_would_be_caught() -> None:
    assert "alliance_outbox_age" not in exported_series()


def test_prometheus_loads_the_rule_file() -> None:
    config = yaml.safe_load(PROMETHEUS.read_text())
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]
    mounts = inventory.compose()["services"]["prometheus"]["volumes"]
    assert f"./prometheus/{ALERTS.name}:/etc/prometheus/alerts.yml:ro" in mounts
    assert Path(ALERTS).is_file()

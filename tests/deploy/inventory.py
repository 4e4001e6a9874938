"""Where each setting lives: read by the code, listed in README.md, set by deploy/.

The code is read as source (``ast``), not run: every environment variable a module reads by
a constant name is found, whichever helper reads it (``env.get("X")``, ``os.environ["X"]``,
``os.getenv("X")``, or ``_int(env, "X", …)`` and any other function handed the environment).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from tests.deploy.kustomize import render

ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = (ROOT / "services", ROOT / "schema")
README = ROOT / "README.md"
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
PRODUCTION = DEPLOY / "k8s" / "overlays" / "production"
APP_IMAGE = "alliance-platform"

_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_ENVIRONMENT_NAMES = frozenset({"env", "environ", "environment"})


def _is_environment(node: ast.expr) -> bool:
    """``env``, ``environ`` or ``os.environ``: the mapping a setting is read from."""
    if isinstance(node, ast.Name):
        return node.id in _ENVIRONMENT_NAMES
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def _constant_name(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and _NAME.match(node.value):
        return node.value
    return None


def _reads(tree: ast.AST) -> Iterator[tuple[str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_environment(node.value):
            name = _constant_name(node.slice)
            if name:
                yield name, node.lineno
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        first = node.args[0] if node.args else None
        reads_by_first_argument = isinstance(func, ast.Attribute) and (
            func.attr == "getenv" or (func.attr == "get" and _is_environment(func.value))
        )
        if reads_by_first_argument:
            name = _constant_name(first)
        elif any(_is_environment(arg) for arg in node.args):
            name = next(filter(None, (_constant_name(arg) for arg in node.args)), None)
        else:
            name = None
        if name:
            yield name, node.lineno


def reads_in_source(source: str) -> set[str]:
    """The environment variables one module's source reads."""
    return {name for name, _ in _reads(ast.parse(source))}


def code_settings() -> dict[str, str]:
    """Every variable the code reads → where (``path:line`` of its first read)."""
    found: dict[str, str] = {}
    for directory in CODE_DIRS:
        for path in sorted(directory.rglob("*.py")):
            for name, line in _reads(ast.parse(path.read_text(), filename=str(path))):
                found.setdefault(name, f"{path.relative_to(ROOT)}:{line}")
    return found


def readme_settings(text: str | None = None) -> set[str]:
    """The variables named in the first column of README.md's settings table."""
    text = README.read_text() if text is None else text
    section = text.split("## Settings", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            first_cell = line.split("|")[1]
            names.update(n for n in re.findall(r"`([^`]+)`", first_cell) if _NAME.match(n))
    return names


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def compose_app_services() -> dict[str, dict[str, Any]]:
    """The compose services that run the platform's image."""
    return {
        name: service
        for name, service in compose()["services"].items()
        if APP_IMAGE in str(service.get("image", ""))
    }


def compose_settings() -> set[str]:
    """Variables set in the environment of any compose service running the platform."""
    return {name for service in compose_app_services().values() for name in service.get("environment", {})}


def production_resources() -> list[dict[str, Any]]:
    return render(PRODUCTION)


def app_containers(resources: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(workload, container) for every container running the platform's image."""
    for resource in resources:
        template = resource.get("spec", {}).get("template")
        if not isinstance(template, dict):
            continue
        for container in template["spec"]["containers"]:
            if APP_IMAGE in container["image"]:
                yield resource, container


def container_settings(container: dict[str, Any], resources: list[dict[str, Any]]) -> set[str]:
    """Variables a container gets: its ``env`` and the keys of the ConfigMaps in ``envFrom``."""
    config_maps = {r["metadata"]["name"]: r for r in resources if r["kind"] == "ConfigMap"}
    names = {entry["name"] for entry in container.get("env", [])}
    for source in container.get("envFrom", []):
        names.update(config_maps[source["configMapRef"]["name"]].get("data", {}))
    return names


def kubernetes_settings() -> set[str]:
    """Variables set in any container of the production overlay running the platform."""
    resources = production_resources()
    return {
        name
        for _, container in app_containers(resources)
        for name in container_settings(container, resources)
    }

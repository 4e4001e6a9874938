"""Render a kustomization the way ``kustomize build`` does, for the features deploy/ uses.

No kustomize binary comes from the registries this project may use, so the tests render
deploy/k8s here: resources (files and directories), ``namespace``, ``images``, ``replicas``
and JSON 6902 ``patches`` with a target (applied by the ``jsonpatch`` library). A
kustomization using anything else is refused, so a manifest can never pass these checks
with a feature that was silently left out of its rendering.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonpatch
import yaml

Resource = dict[str, Any]

SUPPORTED_FIELDS = frozenset(
    {"apiVersion", "kind", "resources", "namespace", "images", "replicas", "patches"}
)
CLUSTER_SCOPED_KINDS = frozenset(
    {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume"}
)
SCALABLE_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet"})


class KustomizeError(ValueError):
    """The kustomization uses something this renderer does not render, or is broken."""


def render(directory: Path) -> list[Resource]:
    """The resources ``kustomize build DIRECTORY`` would print."""
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unsupported = set(spec) - SUPPORTED_FIELDS
    if unsupported:
        raise KustomizeError(f"{directory}: kustomization fields not rendered here: {sorted(unsupported)}")
    resources: list[Resource] = []
    for entry in spec.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            resources.extend(render(path))
        else:
            resources.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    for patch in spec.get("patches", []):
        _apply_patch(directory, resources, patch)
    if "namespace" in spec:
        for resource in resources:
            if resource["kind"] not in CLUSTER_SCOPED_KINDS:
                resource["metadata"]["namespace"] = spec["namespace"]
    for image in spec.get("images", []):
        _set_image(resources, image)
    for replicas in spec.get("replicas", []):
        _set_replicas(resources, replicas)
    return resources


def _matches(resource: Resource, target: dict[str, str]) -> bool:
    unknown = set(target) - {"kind", "name"}
    if unknown:
        raise KustomizeError(f"patch target fields not rendered here: {sorted(unknown)}")
    return all(
        (resource["kind"] if key == "kind" else resource["metadata"]["name"]) == value
        for key, value in target.items()
    )


def _apply_patch(directory: Path, resources: list[Resource], patch: dict[str, Any]) -> None:
    if set(patch) - {"path", "target"} or "target" not in patch or "path" not in patch:
        raise KustomizeError(f"only JSON 6902 patches from a file with a target are rendered here: {patch}")
    operations = yaml.safe_load((directory / patch["path"]).read_text())
    if not isinstance(operations, list):
        raise KustomizeError(f"{patch['path']}: not a JSON 6902 patch (a list of operations)")
    targets = [i for i, resource in enumerate(resources) if _matches(resource, patch["target"])]
    if not targets:
        raise KustomizeError(f"{patch['path']}: no resource matches {patch['target']}")
    for index in targets:
        resources[index] = jsonpatch.apply_patch(copy.deepcopy(resources[index]), operations)


def _pod_spec(resource: Resource) -> dict[str, Any] | None:
    spec = resource.get("spec", {})
    if resource["kind"] == "CronJob":
        return spec["jobTemplate"]["spec"]["template"]["spec"]  # type: ignore[no-any-return]
    template = spec.get("template") if isinstance(spec, dict) else None
    return template.get("spec") if isinstance(template, dict) else None


def _set_image(resources: list[Resource], image: dict[str, str]) -> None:
    unknown = set(image) - {"name", "newName", "newTag"}
    if unknown:
        raise KustomizeError(f"image fields not rendered here: {sorted(unknown)}")
    for resource in resources:
        pod = _pod_spec(resource)
        if pod is None:
            continue
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            name, _, tag = container["image"].partition(":")
            if name != image["name"]:
                continue
            new_name = image.get("newName", name)
            new_tag = image.get("newTag", tag)
            container["image"] = f"{new_name}:{new_tag}" if new_tag else new_name


def _set_replicas(resources: list[Resource], replicas: dict[str, Any]) -> None:
    found = False
    for resource in resources:
        if resource["kind"] in SCALABLE_KINDS and resource["metadata"]["name"] == replicas["name"]:
            resource["spec"]["replicas"] = replicas["count"]
            found = True
    if not found:
        raise KustomizeError(f"replicas: no Deployment named {replicas['name']}")

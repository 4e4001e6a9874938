"""Every root field that touches tenant data declares its permission."""

from __future__ import annotations

from strawberry.permission import PermissionExtension

from schema import build_schema
from services.core.settings import Settings

# Root fields that read no tenant data: the API version and the connection heartbeat.
PUBLIC = {"Query.api_version", "Subscription.heartbeat"}


def test_every_root_field_declares_a_permission() -> None:
    schema = build_schema(Settings())
    missing = []
    for root in (schema.query, schema.mutation, schema.subscription):
        if root is None:
            continue
        definition = root.__strawberry_definition__  # type: ignore[attr-defined]
        for field in definition.fields:
            name = f"{definition.name}.{field.python_name}"
            declared = any(isinstance(ext, PermissionExtension) for ext in field.extensions)
            if not declared and name not in PUBLIC:
                missing.append(name)
    assert missing == []


def test_personal_fields_are_guarded() -> None:
    schema = build_schema(Settings())
    organization = schema.get_type_by_name("Organization")
    guarded = {
        f.python_name
        for f in organization.fields  # type: ignore[union-attr]
        if any(isinstance(ext, PermissionExtension) for ext in f.extensions)
    }
    assert {"contact_name", "contact_phone"} <= guarded

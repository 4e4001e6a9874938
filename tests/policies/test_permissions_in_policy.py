"""Every permission the code checks is granted in policies/policy.csv, and every policy row is
checked somewhere: a misspelt ``requires("resource", "updtae")`` would deny everyone, and a row
no check reads grants nothing (or something a check was meant to and no longer does)."""

from __future__ import annotations

import ast
import csv
from pathlib import Path

from graphql import GraphQLObjectType
from strawberry.permission import PermissionExtension

from schema import build_schema
from schema.graphql_internals import strawberry_field
from schema.permissions import Can
from services.core.authz import POLICIES_DIR
from services.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
# The mechanism itself: it passes the permission a field declared, not a literal (the
# compiler of reads asks the same permissions, read from the same fields).
MECHANISM = {ROOT / "schema" / "permissions.py", ROOT / "schema" / "compiled" / "compiler.py"}

Permission = tuple[str, str]


def _policy() -> set[Permission]:
    with (POLICIES_DIR / "policy.csv").open() as handle:
        return {
            (row[3].strip(), row[4].strip()) for row in csv.reader(handle) if row and row[0].strip() == "p"
        }


def _declared_on_fields() -> dict[Permission, list[str]]:
    """(object, action) of every permission a field of the schema declares, with the fields."""
    schema = build_schema(Settings())
    found: dict[Permission, list[str]] = {}
    for type_ in schema._schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            definition = strawberry_field(field)
            for extension in definition.extensions if definition else []:
                if isinstance(extension, PermissionExtension):
                    for permission in extension.permissions:
                        if isinstance(permission, Can):
                            found.setdefault((permission.obj, permission.act), []).append(
                                f"{type_.name}.{name}"
                            )
    return found


def _checked_in_code() -> tuple[dict[Permission, list[str]], list[str]]:
    """Direct ``allows("obj", "act")`` checks in schema/ and services/, and those that do not
    name their permission literally (which this test could not follow)."""
    found: dict[Permission, list[str]] = {}
    unnamed: list[str] = []
    for path in sorted([*ROOT.joinpath("schema").rglob("*.py"), *ROOT.joinpath("services").rglob("*.py")]):
        if path in MECHANISM:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr != "allows" or len(node.args) != 2:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            obj, act = node.args
            if isinstance(obj, ast.Constant) and isinstance(act, ast.Constant):
                found.setdefault((str(obj.value), str(act.value)), []).append(where)
            else:
                unnamed.append(where)
    return found, unnamed


def _checked() -> dict[Permission, list[str]]:
    checked = _declared_on_fields()
    for permission, places in _checked_in_code()[0].items():
        checked.setdefault(permission, []).extend(places)
    return checked


def test_the_schema_declares_permissions() -> None:
    declared = _declared_on_fields()
    assert ("resource", "read") in declared and ("organization", "read_personal") in declared
    assert "Resource.upcomingBookings" in declared[("booking", "read")]


def test_every_checked_permission_is_in_the_policy() -> None:
    missing = {permission: places for permission, places in _checked().items() if permission not in _policy()}
    assert missing == {}


def test_every_policy_row_is_checked_somewhere() -> None:
    assert sorted(_policy() - set(_checked())) == []


def test_direct_checks_name_their_permission() -> None:
    found, unnamed = _checked_in_code()
    assert unnamed == []
    assert ("booking", "read") in found  # the page query's prefetch of upcoming bookings

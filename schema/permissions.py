"""Permissions declared on fields: ``extensions=requires("organization", "read")``."""

from __future__ import annotations

from typing import Any

from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension

from schema.context import Info
from services.core.errors import Forbidden


class Can(BasePermission):
    """Casbin must allow the caller's roles ACT on OBJ in the caller's tenant."""

    message = "Not allowed."

    def __init__(self, obj: str, act: str) -> None:
        self.obj = obj
        self.act = act

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        if info.context.allows(self.obj, self.act):  # raises UNAUTHENTICATED first
            return True
        raise Forbidden(f"your role may not {self.act} {self.obj}")


class Quietly(Can):
    """Like ``Can`` but answers null instead of an error (personal data in lists)."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        try:
            return super().has_permission(source, info, **kwargs)
        except Forbidden:
            return False


class Authenticated(BasePermission):
    """Any authenticated caller (the field itself reads only the caller's own data)."""

    message = "Authentication required."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.principal is not None


def requires(obj: str, act: str) -> list[FieldExtension]:
    """The field's permission, checked before its resolver runs."""
    return [PermissionExtension(permissions=[Can(obj, act)], use_directives=False)]


def personal(obj: str) -> list[FieldExtension]:
    """Personal data: null (no error) for callers without ``read_personal``."""
    return [
        PermissionExtension(
            permissions=[Quietly(obj, "read_personal")], use_directives=False, fail_silently=True
        )
    ]


def authenticated() -> list[FieldExtension]:
    return [PermissionExtension(permissions=[Authenticated()], use_directives=False)]

"""Unexpected exceptions are masked (and logged with the request id); domain errors keep codes."""

from __future__ import annotations

import pytest
import strawberry

from schema.schema_class import AllianceSchema
from services.core.errors import BadUserInput, Conflict, NotFound
from services.core.logging import install_request_id_factory, request_id_var


@strawberry.type
class Query:
    @strawberry.field
    def broken(self) -> str:
        raise RuntimeError("password=hunter2 leaked in a stack trace")

    @strawberry.field
    def missing(self) -> str:
        raise NotFound("no such organisation")

    @strawberry.field
    def invalid(self) -> str:
        raise BadUserInput("name is too long", field="name")

    @strawberry.field
    def clash(self) -> str:
        raise Conflict("already booked")


schema = AllianceSchema(query=Query)


async def test_unexpected_error_is_masked_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    install_request_id_factory()
    token = request_id_var.set("req-42")
    try:
        result = await schema.execute("{ broken }")
    finally:
        request_id_var.reset(token)
    assert result.errors is not None
    error = result.errors[0]
    assert error.message == "Unexpected error."
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR"}
    assert "hunter2" not in str(error.formatted)
    logged = [r for r in caplog.records if r.exc_info and "hunter2" in str(r.exc_info[1])]
    assert logged and getattr(logged[0], "request_id", None) == "req-42"


@pytest.mark.parametrize(
    ("field", "code", "extra"),
    [
        ("missing", "NOT_FOUND", {}),
        ("invalid", "BAD_USER_INPUT", {"field": "name"}),
        ("clash", "CONFLICT", {}),
    ],
)
async def test_domain_errors_keep_their_code(field: str, code: str, extra: dict[str, str]) -> None:
    result = await schema.execute(f"{{ {field} }}")
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": code, **extra}

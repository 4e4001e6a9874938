"""GB 32100-2015 unified social credit codes."""

from __future__ import annotations

import pytest

from services.directory.credit_code import check_character, credit_code_problem

# Published codes of real organisations (check characters computed by their registrars).
KNOWN_VALID = ["91350100M000100Y43", "91110108551385082Q", "11100000000013127D"]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_published_codes_are_valid(code: str) -> None:
    assert credit_code_problem(code) is None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y4", "18 characters"),
        ("91350100M000100Y44", "check character"),
        ("91350100M000100O43", "capital letters"),
        ("Z1350100M000100Y43", "capital letters"),
        ("K1350100M000100Y43", "registering authority"),
        ("9135A100M000100Y43", "region code"),
    ],
)
def test_invalid_codes_say_why(code: str, reason: str) -> None:
    problem = credit_code_problem(code)
    assert problem is not None
    assert reason in problem


def test_check_character_round_trip() -> None:
    body = "91110101MA1B2C3D4"
    assert credit_code_problem(body + check_character(body)) is None

"""Unified social credit code (统一社会信用代码), GB 32100-2015."""

from __future__ import annotations

# The code's alphabet: digits and capitals without I, O, Z, S, V.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# First character: the registering authority (1 机构编制, 5 民政, 9 工商, Y 其他 …).
AUTHORITIES = "123456789ABCDEFGHNY"


def check_character(first17: str) -> str:
    """The 18th character for the first 17."""
    total = sum(ALPHABET.index(ch) * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid credit code, or None when it is."""
    if len(code) != 18:
        return "must be 18 characters"
    if any(ch not in ALPHABET for ch in code):
        return "may hold only digits and capital letters other than I, O, Z, S, V"
    if code[0] not in AUTHORITIES:
        return "first character is not a registering authority code"
    if not code[2:8].isdigit():
        return "characters 3–8 must be the administrative region code"
    if check_character(code[:17]) != code[17]:
        return "check character does not match"
    return None

"""The readable table in policies/README.md says what policy.csv grants."""

from __future__ import annotations

import csv

from services.core.authz import POLICIES_DIR, ROLES


def _policy_rows() -> set[tuple[str, str, str]]:
    with (POLICIES_DIR / "policy.csv").open() as handle:
        return {
            (row[1].strip(), row[3].strip(), row[4].strip())
            for row in csv.reader(handle)
            if row and row[0].strip() == "p"
        }


def _table_rows() -> set[tuple[str, str, str]]:
    granted: set[tuple[str, str, str]] = set()
    for line in (POLICIES_DIR / "README.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != len(ROLES) + 1 or "·" not in cells[0] or cells[0].startswith("object"):
            continue
        obj, actions = (part.strip() for part in cells[0].split("·"))
        for act in (a.split("(")[0].strip() for a in actions.split("/")):
            for role, cell in zip(ROLES, cells[1:], strict=True):
                if cell:
                    granted.add((role, obj, act))
    return granted


def test_readme_table_matches_policy_csv() -> None:
    assert _table_rows() == _policy_rows()

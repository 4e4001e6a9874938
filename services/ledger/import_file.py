"""Reading a ledger workbook back (台账导入), before anything touches the database.

The file is checked as a file first: its size, that it is an xlsx (a zip archive with a
workbook), and the uncompressed size its archive declares, since a few kilobytes can inflate
to gigabytes; Python's zip reader never returns more than an entry declares, so the declared
sizes bound what parsing will see. openpyxl then reads it in read-only mode (rows streamed,
XML parsed through defusedxml). Every row is read and typed; every problem becomes a
``RowError`` (sheet, row, column, reason), and all of them are reported together.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl

from services.core.errors import BadUserInput
from services.ledger.models import LedgerList, LedgerSource
from services.ledger.workbook import ANSWER_SEPARATORS, COLUMNS, SHEETS, Column, Kind, source_from_label

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ARCHIVE_ENTRIES = 1000
MAX_ROWS = 50_000

Progress = Callable[[int], None]  # called with the rows just done


@dataclass(frozen=True, slots=True, order=True)
class RowError:
    sheet: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.sheet} 第{self.row}行 [{self.column}]: {self.reason}"


class WorkbookError(BadUserInput):
    """The file as a whole cannot be read as a ledger workbook."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


class RowErrors(BadUserInput):
    """Rows that are not valid; nothing is written while there is one."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} invalid cell(s); nothing was imported", field="file")
        self.errors = sorted(errors, key=lambda e: (_SHEET_ORDER.get(e.sheet, 9), e.row, e.column))


_SHEET_ORDER = {name: n for n, name in enumerate(SHEETS.values())}


@dataclass(frozen=True, slots=True)
class OrganizationRef:
    """An organisation as a sheet names it: by credit code when given, else by name."""

    name: str | None
    code: str | None


@dataclass(frozen=True, slots=True)
class ImportRow:
    sheet: str
    row: int
    list: LedgerList
    key: str
    organization: OrganizationRef
    year: int
    title: str
    due_date: dt.date
    description: str | None = None
    source: LedgerSource = LedgerSource.OTHER
    responsible: OrganizationRef | None = None
    responsible_person: str | None = None
    assigner: OrganizationRef | None = None
    holder_role: str | None = None
    answers: tuple[str, ...] = field(default=())


def check_file(path: Path) -> None:
    """Refuse what is not an xlsx of a sane size before any parsing."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise WorkbookError(f"cannot read {path}: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise WorkbookError(
            f"the file is {size / 1024 / 1024:.1f} MB; at most {MAX_FILE_BYTES // 1024 // 1024} MB"
        )
    if not zipfile.is_zipfile(path):
        raise WorkbookError(
            "not an xlsx file (an .xlsx is a zip archive; save the sheet as Excel 工作簿 .xlsx)"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookError(f"not a readable xlsx file: {exc}") from None
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        raise WorkbookError(f"the archive holds {len(entries)} entries; an xlsx ledger has a few dozen")
    if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookError(
            f"the file unpacks to more than {MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB; refused unread"
        )
    if "xl/workbook.xml" not in {entry.filename for entry in entries}:
        raise WorkbookError("not an xlsx file (the archive holds no Excel workbook)")


def _text(value: Any, column: Column) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("expected text, found TRUE/FALSE")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        raise ValueError("expected text, found a date")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _year(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | dt.datetime | dt.date):
        raise ValueError("expected a year such as 2026")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip().removesuffix("年")
    if not text.isdigit():
        raise ValueError("expected a year such as 2026")
    return int(text)


def _date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip().replace("/", "-").replace(".", "-")
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError("expected a date such as 2026-06-30")


def _value(column: Column, value: Any) -> Any:
    if column.kind is Kind.YEAR:
        return _year(value)
    if column.kind is Kind.DATE:
        return _date(value)
    return _text(value, column)


def _organization(values: dict[str, Any], name: str, code: str) -> OrganizationRef | None:
    if values.get(name) is None and values.get(code) is None:
        return None
    return OrganizationRef(name=values.get(name), code=values.get(code))


def _row(
    sheet: str, number: int, ledger_list: LedgerList, values: dict[str, Any]
) -> tuple[ImportRow | None, list[RowError]]:
    headings = {c.name: c.heading for c in COLUMNS[ledger_list]}
    errors = [
        RowError(sheet, number, headings[name], "required")
        for name in ("key", "organization", "year", "title", "due_date")
        if values.get(name) is None and not (name == "organization" and values.get("organization_code"))
    ]
    source = LedgerSource.OTHER
    if values.get("source") is not None:
        found = source_from_label(values["source"])
        if found is None:
            errors.append(RowError(sheet, number, headings["source"], f"unknown source {values['source']!r}"))
        else:
            source = found
    if errors:
        return None, errors
    answers = values.get("answers") or ""
    for separator in ANSWER_SEPARATORS:
        answers = answers.replace(separator, " ")
    organization = _organization(values, "organization", "organization_code")
    assert organization is not None
    return (
        ImportRow(
            sheet=sheet,
            row=number,
            list=ledger_list,
            key=values["key"],
            organization=organization,
            year=values["year"],
            title=values["title"],
            due_date=values["due_date"],
            description=values.get("description"),
            source=source,
            responsible=_organization(values, "responsible", "responsible_code"),
            responsible_person=values.get("responsible_person"),
            assigner=_organization(values, "assigner", "assigner_code"),
            holder_role=values.get("holder_role"),
            answers=tuple(dict.fromkeys(answers.split())),
        ),
        [],
    )


def _sheet_rows(
    rows: Iterator[tuple[Any, ...]], sheet: str, ledger_list: LedgerList
) -> Iterator[tuple[int, dict[str, Any] | None, list[RowError]]]:
    """Each non-empty row of a list sheet: its number, its typed values, its type errors."""
    heading_row = next(rows, ())
    positions = {str(h).strip(): n for n, h in enumerate(heading_row) if h is not None}
    columns = [c for c in COLUMNS[ledger_list] if c.imported]
    missing = [c.heading for c in columns if c.required and c.heading not in positions]
    if missing:
        yield 1, None, [RowError(sheet, 1, heading, "missing column") for heading in missing]
        return
    present = [(c, positions[c.heading]) for c in columns if c.heading in positions]
    for number, row in enumerate(rows, start=2):
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row):
            continue
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        for column, position in present:
            try:
                values[column.name] = _value(column, row[position] if position < len(row) else None)
            except ValueError as exc:
                errors.append(RowError(sheet, number, column.heading, str(exc)))
        yield number, values, errors


@dataclass(frozen=True, slots=True)
class ReadWorkbook:
    rows: list[ImportRow]  # the rows that could be read
    errors: list[RowError]  # and what is wrong with the others


def read_workbook(path: Path, *, progress: Progress | None = None) -> ReadWorkbook:
    """Every item row of the file, typed, and each row's problems; ``WorkbookError`` if the
    file as a whole is not a ledger workbook. The import reports these errors with its own."""
    check_file(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # any parse failure of a hostile file is the file's fault
        raise WorkbookError(f"not a readable xlsx file: {type(exc).__name__}") from None
    try:
        names = [name for name in SHEETS.values() if name in book.sheetnames]
        if not names:
            raise WorkbookError(f"the workbook has none of the sheets {'、'.join(SHEETS.values())}")
        found: list[ImportRow] = []
        errors: list[RowError] = []
        seen: dict[str, tuple[str, int]] = {}
        for ledger_list, sheet in SHEETS.items():
            if sheet not in book.sheetnames:
                continue
            rows = book[sheet].iter_rows(values_only=True)
            for number, values, row_errors in _sheet_rows(rows, sheet, ledger_list):
                errors.extend(row_errors)
                if progress is not None:
                    progress(1)
                if values is None or row_errors:
                    continue
                if len(found) + len(errors) >= MAX_ROWS:
                    raise WorkbookError(f"more than {MAX_ROWS} rows; split the file")
                parsed, problems = _row(sheet, number, ledger_list, values)
                errors.extend(problems)
                if parsed is None:
                    continue
                if parsed.key in seen:
                    other_sheet, other_row = seen[parsed.key]
                    errors.append(
                        RowError(
                            sheet,
                            number,
                            "导入键",
                            f"duplicate key {parsed.key!r} (also {other_sheet} 第{other_row}行)",
                        )
                    )
                    continue
                seen[parsed.key] = (sheet, number)
                found.append(parsed)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise WorkbookError(f"not a readable xlsx file: {type(exc).__name__}") from None
    finally:
        book.close()
    return ReadWorkbook(rows=found, errors=errors)

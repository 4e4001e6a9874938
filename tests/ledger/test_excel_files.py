"""Broken workbooks get a clear error before anything is parsed or written: too big, a zip
bomb, not an xlsx, missing columns, a date in a text column, duplicate keys."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from services.ledger.import_file import MAX_UNCOMPRESSED_BYTES, WorkbookError, read_workbook
from services.ledger.workbook import SHEETS
from tests.ledger.excel_support import workbook

PROBLEMS = SHEETS[next(iter(SHEETS))]
HEAD = ["导入键", "所属组织", "年度", "标题", "时间节点"]


def _refused(path: Path) -> str:
    with pytest.raises(WorkbookError) as refused:
        read_workbook(path)
    assert refused.value.field == "file"
    return refused.value.message


def test_a_50_mb_file_is_refused_unread(tmp_path: Path) -> None:
    file = tmp_path / "big.xlsx"
    with file.open("wb") as out:
        out.truncate(50 * 1024 * 1024)
    assert "the file is 50.0 MB; at most 20 MB" in _refused(file)


def test_a_zip_bomb_is_refused_by_its_declared_size(tmp_path: Path) -> None:
    file = tmp_path / "bomb.xlsx"
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            for _ in range(MAX_UNCOMPRESSED_BYTES // len(chunk) + 1):
                entry.write(chunk)
    assert file.stat().st_size < 2 * 1024 * 1024
    assert "unpacks to more than 200 MB" in _refused(file)


def test_not_an_xlsx(tmp_path: Path) -> None:
    text = tmp_path / "ledger.xlsx"
    text.write_text("导入键,标题\n", encoding="utf-8")
    assert "not an xlsx file" in _refused(text)
    other_zip = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert "holds no Excel workbook" in _refused(other_zip)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not xml")
    assert "not a readable xlsx file" in _refused(broken)


def test_a_workbook_without_ledger_sheets(tmp_path: Path) -> None:
    file = tmp_path / "other.xlsx"
    file.write_bytes(workbook({"Sheet1": [HEAD]}))
    assert "has none of the sheets 问题清单、任务清单、责任清单" in _refused(file)


def test_missing_columns_are_named(tmp_path: Path) -> None:
    file = tmp_path / "missing.xlsx"
    file.write_bytes(workbook({PROBLEMS: [["导入键", "所属组织", "年度"], ["P-1", "花园社区党委", 2027]]}))
    read = read_workbook(file)
    assert read.rows == []
    assert [str(e) for e in read.errors] == [
        f"{PROBLEMS} 第1行 [标题]: missing column",
        f"{PROBLEMS} 第1行 [时间节点]: missing column",
    ]


def test_cells_of_the_wrong_type_and_duplicate_keys(tmp_path: Path) -> None:
    file = tmp_path / "cells.xlsx"
    file.write_bytes(
        workbook(
            {
                PROBLEMS: [
                    HEAD,
                    ["P-1", "花园社区党委", 2027, "居民议事场所不足", "2027-05-01"],
                    ["P-2", dt.datetime(2027, 1, 1), 2027, "单位是日期", "2027-05-01"],
                    ["P-3", "花园社区党委", "明年", "年度不是数字", "下个月"],
                    ["P-1", "花园社区党委", 2027, "重复", dt.datetime(2027, 5, 1)],
                    ["  ", None, None, None, None],  # a blank row is skipped
                    ["P-4", "花园社区党委", 2027, None, "2027/06/30"],
                ]
            }
        )
    )
    read = read_workbook(file)
    assert [row.key for row in read.rows] == ["P-1"]
    assert read.rows[0].due_date == dt.date(2027, 5, 1)
    assert [str(e) for e in read.errors] == [
        f"{PROBLEMS} 第3行 [所属组织]: expected text, found a date",
        f"{PROBLEMS} 第4行 [年度]: expected a year such as 2026",
        f"{PROBLEMS} 第4行 [时间节点]: expected a date such as 2026-06-30",
        f"{PROBLEMS} 第5行 [导入键]: duplicate key 'P-1' (also {PROBLEMS} 第2行)",
        f"{PROBLEMS} 第7行 [标题]: required",
    ]

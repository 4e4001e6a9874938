"""Text input: single-line fields refuse control characters; multi-line ones keep paragraphs."""

from __future__ import annotations

import pytest

from services.core.errors import BadUserInput
from services.core.validation import clean_text, optional_text


def test_single_line_text_refuses_line_breaks() -> None:
    with pytest.raises(BadUserInput) as refused:
        clean_text("标题\n第二行", field="title", max_length=200)
    assert refused.value.field == "title"


def test_multiline_text_keeps_paragraphs_and_tabs() -> None:
    text = clean_text("  第一段\r\n第二段\r\t缩进  ", field="minutes", max_length=200, multiline=True)
    assert text == "第一段\n第二段\n\t缩进"


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x0b"])
def test_multiline_text_still_refuses_other_control_characters(control: str) -> None:
    with pytest.raises(BadUserInput) as refused:
        optional_text(f"纪要{control}内容", field="minutes", max_length=200, multiline=True)
    assert refused.value.field == "minutes"


def test_the_length_bound_counts_normalised_line_ends() -> None:
    assert clean_text("a\r\nb", field="note", max_length=3, multiline=True) == "a\nb"

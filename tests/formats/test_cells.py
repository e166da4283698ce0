"""Wrapped cell text reads whole again (property-based)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gxcrawler.formats.cells import join_lines

CJK_OR_DIGITS = st.text(
    alphabet=st.sampled_from("结果维持纠正其他尚未审结总计商业企业0123456789,.（）、"),
    min_size=1,
    max_size=30,
)


@given(CJK_OR_DIGITS, st.lists(st.integers(0, 30), max_size=5), st.sampled_from(["\n", " \n", "\n ", "\r\n"]))
def test_line_breaks_inside_a_cell_vanish(text: str, cuts: list[int], brk: str) -> None:
    pieces, last = [], 0
    for cut in sorted({min(c, len(text)) for c in cuts}):
        pieces.append(text[last:cut])
        last = cut
    pieces.append(text[last:])
    assert join_lines(brk.join(pieces)) == text


def test_latin_words_keep_their_space() -> None:
    assert join_lines("Microsoft\nWord") == "Microsoft Word"
    assert join_lines("结果\n维\n持") == "结果维持"
    assert join_lines("209,512.\n943") == "209,512.943"
    assert join_lines(None) == ""

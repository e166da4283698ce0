"""The seeds rendered as real portals serve them (see htmlbuild), read back cell for cell."""

from __future__ import annotations

import pytest

from gxcrawler.parsing import parse_bytes

from .htmlbuild import render
from .truth import STEMS, assert_matches, load

STYLES = ["official", "word", "nested", "one_table", "per_subtable"]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("stem", STEMS)
def test_seed_as_html_utf8(stem, style):
    truth = load(stem)
    page = render(truth, style).encode("utf-8")
    result = parse_bytes(page, source=f"{stem}.{style}.html", content_type="text/html")
    assert result.source_type == "html"
    assert_matches(result, truth, layout_warnings=False)


ENCODINGS = [
    ("gbk-declared-gb2312", "gbk", "gb2312", None),
    ("gbk-undeclared", "gbk", None, None),
    ("gbk-declared-wrongly-utf8", "gbk", "utf-8", None),
    ("gbk-in-http-header", "gbk", None, "text/html; charset=GBK"),
    ("gb18030-declared-gbk", "gb18030", "gbk", None),
]


@pytest.mark.parametrize(("name", "codec", "declared", "header"), ENCODINGS, ids=[e[0] for e in ENCODINGS])
@pytest.mark.parametrize("stem", STEMS)
def test_seed_as_html_in_gb_encodings(stem, name, codec, declared, header):
    truth = load(stem)
    page = render(truth, "nested", charset=declared).encode(codec, "xmlcharrefreplace")
    result = parse_bytes(page, source=f"{stem}.{name}.html", content_type=header, filename="1805460.shtml")
    assert_matches(result, truth, layout_warnings=False)

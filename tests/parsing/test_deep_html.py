"""A report wrapped in thousands of nested elements is read, or fails with its reason — never
comes out silently empty (libxml2 stops at a nesting depth of 256, or 2048 with huge_tree)."""

from __future__ import annotations

import pytest

from gxcrawler.parsing import parse_bytes

from .htmlbuild import render
from .truth import STEMS, load

FLATTENED = "HTML nested more than 2048 elements deep: read without its wrapper elements (div, span, font …)"


def _wrapped(page: str, opening: str, closing: str, depth: int) -> bytes:
    start = page.index(">", page.index("<body")) + 1
    end = page.rindex("</body>")
    return (page[:start] + opening * depth + page[start:end] + closing * depth + page[end:]).encode()


@pytest.fixture(scope="module", params=["official", "nested"])
def page(request) -> str:
    return render(load(STEMS[1]), request.param)


def _parse(body: bytes):
    return parse_bytes(body, source="deep.html", content_type="text/html; charset=utf-8")


@pytest.mark.parametrize(
    ("opening", "closing", "depth", "warned"),
    [
        ("<div>", "</div>", 1000, False),  # beyond libxml2's default 256, within huge_tree's 2048
        ("<div>", "</div>", 3000, True),
        ('<span style="font-size:12pt">', "</span>", 5000, True),
        ("<font>", "", 4000, True),  # never closed, as broken editors leave them
        ("<section><p>", "</p></section>", 2500, True),
    ],
)
def test_deeply_wrapped_report_reads_like_the_plain_one(page, opening, closing, depth, warned):
    plain = _parse(page.encode())
    assert plain.status == "ok" and plain.values
    deep = _parse(_wrapped(page, opening, closing, depth))
    assert (deep.status, deep.values, deep.blank, deep.year, deep.agency) == (
        plain.status, plain.values, plain.blank, plain.year, plain.agency
    )
    assert (FLATTENED in deep.warnings) is warned
    assert [w for w in deep.warnings if w != FLATTENED] == plain.warnings


def test_tables_nested_deeper_than_the_parser_can_follow_fail_with_the_reason(page):
    deep = _parse(_wrapped(page, "<table><tr><td>", "</td></tr></table>", 800))
    assert deep.status == "error" and not deep.values
    assert deep.message == "HTML nested more than 2048 elements deep even without its wrapper elements"

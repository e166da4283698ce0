"""Adversarial pages: perturbations a clerk or a CMS makes, each with a known right answer.

Written from docs/spec (not from the parser) by review4. Every page in tests/data/adversarial
is a whole report (year, agency, sections 二–四) with one perturbation; its ``.truth.json``
holds every cell's right value (``null``: the cell has no right value and must be absent) and
``why`` says what a parser got wrong. The promise tested is the first one: no cell may be
present with a value other than the right one; a missing cell is allowed (it is visible).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from gxcrawler.parsing import parse_path

DATA = Path(__file__).resolve().parents[1] / "data" / "adversarial"
PAGES = sorted(p for p in DATA.iterdir() if p.suffix in (".html", ".txt", ".docx"))


def _truth(page: Path) -> dict:
    return json.loads((DATA / f"{page.stem}.truth.json").read_text(encoding="utf-8"))


def _params():
    for page in PAGES:
        reason = _truth(page).get("xfail")
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        yield pytest.param(page, marks=marks, id=page.name)


@pytest.mark.parametrize("page", list(_params()))
def test_no_cell_has_a_wrong_value(page: Path) -> None:
    truth = _truth(page)
    right = truth["values"]
    result = parse_path(str(page))
    wrong = {
        key: (right.get(key, "<not in the report>"), str(got))
        for key, got in result.values.items()
        if right.get(key) is None or Decimal(str(got)) != Decimal(str(right[key]))
    }
    assert not wrong, f"{truth['why']}: (right, read) {wrong}"
    assert result.year in (truth["year"], None)
    assert result.agency in (truth["agency"], None)


@pytest.mark.parametrize("page", [p for p in PAGES if "xfail" not in _truth(p)], ids=lambda p: p.name)
def test_the_rest_of_the_page_is_still_read(page: Path) -> None:
    """Leaving the doubtful cells out must not cost the page: a footnote marker leaves one
    cell out, not its table (the 20 rows under a lost rowspan are a quarter of the page)."""
    right = {k for k, v in _truth(page)["values"].items() if v is not None}
    read = set(parse_path(str(page)).values)
    share = 0.25 if page.stem in ("rowspan_lost", "s3_split_tables") else 0.9
    assert len(read & right) >= share * len(right)


@pytest.mark.parametrize(
    ("printed", "right"),
    [("41①", None), ("3⑴", None), ("66²", None), ("1460₁", None), ("12873500元", None), ("125000.00元", None),
     ("0元", 0), ("12.5万元", Decimal("12.5")), ("４１", 41), ("41件", 41), ("减4", -4)],
)
def test_one_cell(printed: str, right) -> None:
    """A footnote marker is never a digit of the number; 元 is never read as the key's 万元."""
    from gxcrawler.parsing.numbers import Kind, read_number

    r = read_number(printed)
    if right is None:
        assert r.kind is not Kind.VALUE, r
    else:
        assert r.kind is Kind.VALUE and r.value == right, r

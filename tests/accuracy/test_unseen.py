"""The unseen layouts of issue 11: the generator's truth is self-consistent, the harness runs.

These tests do not assert the parser's accuracy on the unseen layouts (the parser's
own tests set those aims); they assert that what the generator calls the truth is
what it printed, so that an accuracy figure measured on it means something.
"""

from __future__ import annotations

import random
import re
from decimal import Decimal

import pytest

from gxcrawler.catalog import METRICS
from gxcrawler.synthetic import make_report
from gxcrawler.synthetic.accuracy import run, table
from gxcrawler.synthetic.regrid import (
    SHUFFLE_MODES,
    coverage,
    permute_table,
    shuffle_headers,
    table_codes,
    table_of,
    with_permuted_table,
    with_shuffled_headers,
)
from gxcrawler.synthetic.report import BLANK_MARKS, expected_failing
from gxcrawler.synthetic.tables import Cell, sections
from gxcrawler.synthetic.unseen import UNSEEN_LAYOUTS, make_unseen_case

SEEDS = range(900, 904)
_FULL = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")


def printed_number(text: str) -> Decimal:
    """The value of a printed cell, read the way the spec says (a test-side reader)."""
    t = text.translate(_FULL).replace(",", "").replace("万元", "").strip()
    if t.startswith("减"):
        return -Decimal(t[1:])
    return Decimal(t.lstrip("+"))


def value_cells(report) -> dict[str, list[Cell]]:
    out: dict[str, list[Cell]] = {}
    for section in sections(report):
        for grid in section.tables:
            for row in grid:
                for cell in row:
                    if cell.kind == "value" and cell.key:
                        out.setdefault(cell.key, []).append(cell)
    return out


def assert_truth_consistent(report) -> None:
    values, blank, absent = set(report.values), set(report.blank), set(report.absent)
    assert not (values & blank) and not (values & absent) and not (blank & absent)
    assert all(k in METRICS for k in values | blank | absent)
    assert report.failing_rules == expected_failing(report)
    cells = value_cells(report)
    for key in values | blank | absent | set(report.malformed):
        assert len(cells.get(key, ())) == 1, f"{key} printed {len(cells.get(key, ()))} times"
    read_as = {printed: named for named, printed in report.relabelled.items()}  # swapped headers
    for key, (cell,) in cells.items():
        named = read_as.get(key, key)
        if named in report.values:
            assert printed_number(cell.text) == report.values[named], key
        elif named in report.blank:
            assert cell.text in BLANK_MARKS, key
        else:
            assert named in absent or key in report.malformed, f"printed cell {key} has no truth"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", UNSEEN_LAYOUTS)
def test_truth_is_what_was_printed(layout: str, seed: int) -> None:
    case = make_unseen_case(layout, seed)
    assert case.content
    assert_truth_consistent(case.report)
    assert case.report.agency and case.report.year and case.report.edition in ("2019", "2021")


@pytest.mark.parametrize("layout", ["dump/columns", "dump/rows"])
@pytest.mark.parametrize("seed", SEEDS)
def test_dumps_print_every_provable_value_on_its_own_line(layout: str, seed: int) -> None:
    case = make_unseen_case(layout, seed)
    lines = set(case.content.decode("utf-8").splitlines())
    cells = value_cells(case.report)
    for key in case.report.values:
        assert cells[key][0].text in lines, key


@pytest.mark.parametrize("seed", SEEDS)
def test_ocr_changes_labels_never_numbers(seed: int) -> None:
    case = make_unseen_case("ocr/text", seed)
    text = case.content.decode("utf-8")
    tokens = set(re.split(r"\s+", text))
    for key in case.report.values:
        assert value_cells(case.report)[key][0].text in tokens, key


@pytest.mark.parametrize("seed", SEEDS)
def test_total_only_blanks_every_applicant_column(seed: int) -> None:
    report = make_unseen_case("s3/total-only", seed).report
    s3 = [k for k in report.printed if k.startswith("s3.")]
    assert all(k in report.blank for k in s3 if not k.endswith(".total"))
    assert not any(r.startswith("s3.row_total.") for r in report.failing_rules)


def test_harness_runs_every_unseen_layout() -> None:
    results = run(2, first_seed=950, layouts=UNSEEN_LAYOUTS)
    assert set(results) == set(UNSEEN_LAYOUTS)
    assert all(t.reports == 2 and t.cells > 0 for t in results.values())
    printed = table(results)
    assert "wrong values" in printed and printed.count("\n") == len(UNSEEN_LAYOUTS) + 2


# ---------------------------------------------------------------- property helpers
def _paths(grid) -> dict[str, tuple[frozenset, frozenset]]:
    """Per value key: the header texts above it and the row labels beside it."""
    cover = coverage(grid)
    depth = next(r for r, row in enumerate(cover) if any(c.kind == "value" for c in row))
    first = min(c for c in range(len(cover[0])) if any(row[c].kind == "value" for row in cover))
    out = {}
    for row in cover:
        for c, cell in enumerate(row):
            if cell.kind == "value" and cell.key:
                heads = frozenset(cover[i][c].text for i in range(depth))
                labels = frozenset(row[j].text for j in range(first))
                out[cell.key] = (heads, labels)
    return out


@pytest.mark.parametrize("seed", range(40))
def test_permuting_a_table_keeps_every_value_under_its_labels(seed: int) -> None:
    report = make_report(seed, deviations=seed % 2 == 0)
    rng = random.Random(seed)
    code = rng.choice(table_codes(report))
    grid = table_of(report, code)
    moved = permute_table(grid, rng, columns=True, rows=seed % 3 == 0)
    assert _paths(moved) == _paths(grid)
    permuted = with_permuted_table(report, code, rng, rows=True)
    assert permuted.values == report.values and permuted.blank == report.blank
    assert_truth_consistent(permuted)


@pytest.mark.parametrize("mode", SHUFFLE_MODES)
@pytest.mark.parametrize("seed", range(30))
def test_shuffled_headers_leave_their_cells_out_or_relabelled(mode: str, seed: int) -> None:
    report = make_report(seed, activity="busy")
    rng = random.Random(seed)
    code = rng.choice(["s3", "s4", "s2.art20_1"])
    axis = "rows" if code == "s2.art20_1" and seed % 2 else "columns"
    before = _paths(table_of(report, code))
    grid, absent, relabel = shuffle_headers(table_of(report, code), random.Random(seed), mode, axis=axis)
    after = _paths(grid)
    moved = {k for k in before if before[k] != after[k]}
    if mode == "swap":
        assert relabel and not absent and set(relabel.values()) == moved
        for named, printed in relabel.items():
            assert after[printed] == before[named]
    else:
        assert not relabel and moved and moved <= absent
    shuffled = with_shuffled_headers(report, code, random.Random(seed), mode, axis=axis)
    assert shuffled.relabelled == relabel
    assert_truth_consistent(shuffled)


# ---------------------------------------------------------------- metadata cases
def _page_text(case) -> str:
    import lxml.html

    return lxml.html.fromstring(case.content).text_content()


@pytest.mark.parametrize("seed", SEEDS)
def test_agency_only_in_the_narrative(seed: int) -> None:
    case = make_unseen_case("meta/narrative-agency", seed)
    report = case.report
    assert report.agency not in report.title
    assert any(report.agency in p for p in report.prose[:1])
    assert not any(report.agency in p for p in report.prose[1:])


@pytest.mark.parametrize("seed", SEEDS)
def test_statistics_year_only_in_the_period_sentence(seed: int) -> None:
    case = make_unseen_case("meta/period-year", seed)
    text = _page_text(case)
    year = f"{case.report.year}年"
    assert year not in case.report.title
    period = next(p for p in case.report.prose if "统计期限" in p)
    assert text.count(year) == period.count(year) == 2


@pytest.mark.parametrize("seed", SEEDS)
def test_statistics_year_only_in_the_url(seed: int) -> None:
    case = make_unseen_case("meta/url-year", seed)
    assert f"{case.report.year}年" not in _page_text(case)
    assert str(case.report.year) in (case.url or "")
    assert case.source == case.url


@pytest.mark.parametrize("seed", range(900, 912))
def test_publication_date_is_on_its_own_line_beside_distractors(seed: int) -> None:
    case = make_unseen_case("meta/date-lines", seed)
    text = _page_text(case)
    d = case.report.published_truth
    printed = {f"{d:%Y-%m-%d}", f"{d.year}年{d.month:02d}月{d.day:02d}日", f"{d:%Y/%m/%d}"}
    assert any(p in text for p in printed)
    assert "采集时间" in text and "打印日期" in text


@pytest.mark.parametrize("layout", ["mixed/kept-row", "mixed/s3-2019", "mixed/art20_1-2019"])
@pytest.mark.parametrize("seed", SEEDS)
def test_mixed_editions_truth(layout: str, seed: int) -> None:
    report = make_unseen_case(layout, seed).report
    assert report.edition == "2021"  # most tables are of 2021
    keys = set(report.values) | set(report.blank)
    if layout == "mixed/kept-row":
        assert "s2.art20_5.other_services.decisions" in keys
    elif layout == "mixed/s3-2019":
        assert any(k.startswith("s3.other.") and k.count(".") == 2 for k in keys)
        assert not any(k.startswith("s3.other.no_fee") for k in keys)
    else:
        # the 2019 (一) columns (本年新|本年新 truncated headers: those two unprovable, absent)
        assert "s2.art20_1.rules.total_published" in keys and "s2.art20_5.licensing.decisions" in keys
        made = "s2.art20_1.rules.new_made"
        assert (made in keys) != (made in report.absent)


# ---------------------------------------------------------------- files that are not what they say
@pytest.mark.parametrize("seed", SEEDS)
def test_mht_is_a_mime_web_archive_with_the_report_inside(seed: int) -> None:
    import email

    case = make_unseen_case("doc/mht", seed)
    message = email.message_from_bytes(case.content)
    assert message.get_content_type() == "multipart/related"
    html_part = next(p for p in message.walk() if p.get_content_type() == "text/html")
    html = html_part.get_payload(decode=True).decode("gb18030")
    assert "Word.Document" in html and case.report.title.replace(" ", "") in html.replace(" ", "")


@pytest.mark.parametrize("seed", SEEDS)
def test_xlsx_holds_every_number_as_printed(seed: int) -> None:
    import io

    from openpyxl import load_workbook

    case = make_unseen_case("sheet/xlsx", seed)
    book = load_workbook(io.BytesIO(case.content))
    got = [c.value for s in book.worksheets for row in s.iter_rows() for c in row if c.value is not None]
    numbers = {Decimal(str(v)) for v in got if isinstance(v, int | float)}
    texts = {v for v in got if isinstance(v, str)}
    assert case.report.title in texts
    for key, value in case.report.values.items():
        text = value_cells(case.report)[key][0].text
        assert value in numbers or text in texts, key

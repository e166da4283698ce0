"""Section 三 printed transposed (applicant types as rows) is read as the normal table, or left out.

Properties (issue 11): a table turned **together with its labels** reads the same values as
the table printed the normal way, in every container with real grids; labels moved without
their rows or columns in a turned table never give a wrong value.
"""

from __future__ import annotations

import random

import pytest

from gxcrawler.parsing import parse_bytes, parse_text
from gxcrawler.parsing.transpose import applicant, pipe_rows, turn
from gxcrawler.synthetic import make_report, render_docx, render_page_html
from gxcrawler.synthetic.accuracy import score
from gxcrawler.synthetic.archives import render_xlsx
from gxcrawler.synthetic.regrid import (
    coverage,
    rebuild,
    table_of,
    transpose,
    with_permuted_table,
    with_shuffled_headers,
)
from gxcrawler.synthetic.report import Shape
from gxcrawler.synthetic.text import render_text
from gxcrawler.synthetic.unseen import DOCX_TYPE, XLSX_TYPE
from gxcrawler.synthetic.variants import random_order, with_shape


def _read(report, container: str):
    if container == "html":
        page, headers = render_page_html(report, "word_export")
        return parse_bytes(page, source="p.html", content_type=headers["Content-Type"])
    if container in ("tab", "markdown", "pipe"):
        return parse_text(render_text(report, container), source="r.txt")
    if container == "pdf":
        from gxcrawler.synthetic.pdf import render_pdf

        return parse_bytes(render_pdf(report), source="r.pdf", content_type="application/pdf", filename="r.pdf")
    if container == "docx":
        return parse_bytes(render_docx(report), source="r.docx", content_type=DOCX_TYPE, filename="r.docx")
    return parse_bytes(render_xlsx(report), source="r.xlsx", content_type=XLSX_TYPE, filename="r.xlsx")


def _s3(result) -> tuple[dict, set]:
    values = {k: v for k, v in result.values.items() if k.startswith("s3.")}
    return values, {k for k in result.blank if k.startswith("s3.")}


def _turned(report):
    """The report with its section-三 table transposed whole, labels and merged cells along."""
    grid = rebuild(transpose(coverage(table_of(report, "s3"))))
    out = with_shape(report, report.shape)
    out.shape.grids["s3"] = grid
    return out


@pytest.mark.parametrize("container", ["html", "docx", "xlsx"])
@pytest.mark.parametrize("seed", range(5))
def test_a_table_turned_with_its_labels_reads_the_same_values(container: str, seed: int) -> None:
    rng = random.Random(seed)
    report = with_shape(make_report(seed, activity="busy"), Shape(s3_columns=random_order(rng)))
    normal, turned = _read(report, container), _read(_turned(report), container)
    assert _s3(normal)[0], "the normal table is read"
    assert _s3(turned) == _s3(normal)
    assert not score(report, turned).wrong
    assert any("applicant types as rows" in w for w in turned.warnings)


@pytest.mark.parametrize("container", ["html", "docx", "pdf", "tab", "markdown", "pipe"])
@pytest.mark.parametrize("seed", range(3))
def test_the_generators_transposed_layout_is_read_whole(container: str, seed: int) -> None:
    rng = random.Random(seed)
    order = rng.choice((Shape().s3_columns, random_order(rng)))
    report = with_shape(make_report(seed, activity="busy"), Shape(s3_transposed=True, s3_columns=order))
    s = score(report, _read(report, container))
    assert not s.wrong
    assert not [k for k in s.missing if k.startswith("s3.")]


@pytest.mark.parametrize("mode", ["shift", "duplicate", "swap"])
@pytest.mark.parametrize("axis", ["rows", "columns"])
@pytest.mark.parametrize("seed", range(4))
def test_labels_moved_without_their_cells_in_a_turned_table_never_give_a_wrong_value(
    mode: str, axis: str, seed: int
) -> None:
    report = with_shape(make_report(seed, activity="busy"), Shape(s3_transposed=True))
    moved = with_shuffled_headers(report, "s3", random.Random(seed), mode, axis=axis)
    s = score(moved, _read(moved, "html"))
    assert not s.wrong, s.wrong[:3]


def test_applicant_row_labels() -> None:
    assert applicant("法人或其他组织") is None  # the group alone names no column
    assert applicant("法人或其他组织商业企业") == "commercial"
    assert applicant("申请人情况 自 然 人") == "natural"
    assert applicant("（七）总计") == "total"
    assert applicant("其他处理") is None
    assert applicant("自然人数量") is None


def test_a_page_without_applicant_rows_is_passed_through() -> None:
    from gxcrawler.parsing.tokens import text_tokens

    tokens = list(text_tokens(["规章 1 2 3", "行政许可 4 5 6"]))
    assert turn(tokens) == (tokens, [])


@pytest.mark.parametrize("seed", range(6))
def test_a_turned_table_permuted_with_its_labels_reads_the_same_values(seed: int) -> None:
    report = make_report(seed, activity="busy")
    rng = random.Random(seed)
    turned = with_permuted_table(_turned(report), "s3", rng, columns=True, rows=True)
    normal, moved = _read(report, "html"), _read(turned, "html")
    assert _s3(moved) == _s3(normal)
    assert not score(report, moved).wrong


@pytest.mark.parametrize("seed", range(4))
def test_pipe_text_that_is_no_transposed_table_is_left_as_it_is(seed: int) -> None:
    lines = render_text(make_report(seed, activity="busy"), "pipe").splitlines()
    assert pipe_rows(lines) == lines


def test_pipe_rows_reads_the_pipe_lines_the_grid_reader_reads() -> None:
    # one reading of ``cell |`` text (pipegrid.runs) for both readers: the transposed table is
    # written back as rows of exactly the places of that run, every other line kept
    from gxcrawler.parsing.pipegrid import runs
    from gxcrawler.synthetic.unseen import make_unseen_case

    case = next(c for s in range(40) if (c := make_unseen_case("text/s3-transposed", s)).detail == "pipe")
    lines = case.content.decode("utf-8").splitlines()
    (start, end, places), *_ = [r for r in runs(lines, 20) if any("自然人" in (p or "") for p in r[2])]
    out = pipe_rows(lines)
    rows = out[start : len(out) - (len(lines) - end)]
    assert out[:start] == lines[:start] and out[len(out) - (len(lines) - end) :] == lines[end:]
    assert [c or None for row in rows for c in row.split("\t")] == places
    assert not score(case.report, parse_text(case.content.decode("utf-8"), source="t.txt")).wrong

"""Spreadsheet attachments: .xlsx, .xls and WPS .et, read into grids cell for cell."""

from __future__ import annotations

import io

import pytest

from gxcrawler.formats import FormatError, read
from gxcrawler.parsing import parse_bytes, sniff_type
from gxcrawler.synthetic.accuracy import score
from gxcrawler.synthetic.archives import render_xlsx
from gxcrawler.synthetic.unseen import _report
from tests.formats.sheetbuild import (
    S3_EXPECTED,
    S3_SHEET,
    report_xls,
    with_cached_results,
    xls_from_cells,
    xlsx_from_cells,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WRITERS = {"xlsx": xlsx_from_cells, "xls": xls_from_cells}


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_sheet_is_one_grid_with_merged_cells_repeated(kind: str) -> None:
    doc = read(WRITERS[kind](S3_SHEET), kind)
    assert doc.tables == [S3_EXPECTED]
    assert doc.source_type == kind
    # rows holding one text (title, heading) are the document's lines, for its metadata
    assert doc.text.splitlines() == [S3_EXPECTED[0][0], S3_EXPECTED[1][0]]


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_hidden_columns_and_sheets_are_not_read(kind: str) -> None:
    doc = read(WRITERS[kind](S3_SHEET, hidden_col=10, hidden_sheet=True), kind)
    assert doc.tables == [S3_EXPECTED]
    assert "99999" not in str(doc.tables) and "777" not in str(doc.tables)
    assert any("hidden sheet" in w for w in doc.warnings)


def test_numbers_are_written_plainly() -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for col, value in enumerate((33764, 209512.943, 160.5964, 12.0, -27, "1,234", " 7 "), start=1):
        sheet.cell(1, col, value)
    sheet.cell(1, 1).number_format = "#,##0"
    out = io.BytesIO()
    book.save(out)
    doc = read(out.getvalue(), "xlsx")
    assert doc.tables == [[["33764", "209512.943", "160.5964", "12", "-27", "1,234", "7"]]]


def test_formula_cells_read_from_their_stored_results() -> None:
    cells = [*S3_SHEET[:-1], (5, 9, "=SUM(D6:I6)", 1, 1)]
    stored = with_cached_results(xlsx_from_cells(cells), {"J6": "1219"})
    assert read(stored, "xlsx").tables == [S3_EXPECTED]


def test_formula_without_stored_result_is_not_a_number_or_a_blank() -> None:
    cells = [*S3_SHEET[:-1], (5, 9, "=SUM(D6:I6)", 1, 1)]
    doc = read(xlsx_from_cells(cells), "xlsx")  # written by a program: no results stored
    assert doc.tables[0][-1][-1] == "=SUM(D6:I6)"
    assert any("formula cells without a stored result" in w for w in doc.warnings)


def _truth_of_sheet_report(seed: int):
    import random

    return _report(random.Random(seed), seed)


@pytest.mark.parametrize("seed", range(3))
def test_generated_reports_read_exactly_from_xls(seed: int) -> None:
    report = _truth_of_sheet_report(seed)
    result = parse_bytes(report_xls(report), source="r.xls", filename="r.xls")
    s = score(report, result)
    assert s.wrong == [] and s.missing == [], (s.wrong[:5], s.missing[:5])
    assert result.source_type == "xls" and result.agency == report.agency and result.year == report.year


@pytest.mark.parametrize(
    ("content_type", "filename"),
    [
        ("application/wps-office.et", "附件1.et"),
        ("application/octet-stream", "download.jsp"),  # attachments from download endpoints
        (None, None),
    ],
)
def test_wps_et_and_nameless_downloads_are_read_by_their_bytes(content_type, filename) -> None:
    report = _truth_of_sheet_report(7)
    body = report_xls(report)  # a WPS .et is this BIFF8 layout
    assert sniff_type(body, content_type, filename) == "xls"
    result = parse_bytes(body, source="u", content_type=content_type, filename=filename)
    s = score(report, result)
    assert s.wrong == [] and s.missing == []


def test_xlsx_from_a_download_endpoint_is_not_read_as_docx() -> None:
    report = _truth_of_sheet_report(8)
    body = render_xlsx(report)
    assert sniff_type(body, "application/octet-stream", "download.jsp") == "xlsx"
    assert sniff_type(body, "application/msword", "附件.doc") == "xlsx"
    result = parse_bytes(body, source="u", content_type="application/msword", filename="附件.doc")
    assert score(report, result).wrong == [] and result.status in ("ok", "partial")
    assert "file served as doc is really xlsx" in result.warnings


def test_unreadable_et_says_what_can_be_read() -> None:
    garbage = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)
    result = parse_bytes(garbage, source="x.et", filename="x.et")
    assert result.status == "error"
    assert "WPS spreadsheet (.et)" in result.message and "Excel 97" in result.message


def test_broken_workbooks_are_errors_not_crashes() -> None:
    with pytest.raises(FormatError, match="unreadable XLSX"):
        read(b"PK\x03\x04 not a zip", "xlsx")
    with pytest.raises(FormatError, match="unreadable XLS"):
        read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "xls")
    truncated = xls_from_cells(S3_SHEET)[:3000]
    with pytest.raises(FormatError):
        read(truncated, "xls")


def test_parse_cli_reads_a_spreadsheet(tmp_path) -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    report = _truth_of_sheet_report(11)
    path = tmp_path / "附件2.xlsx"
    path.write_bytes(render_xlsx(report))
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-m", "gxcrawler", "parse", str(path)], capture_output=True, text=True, cwd=root, check=False
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["year"] == report.year and got["agency"] == report.agency
    assert got["values"] == {k: float(v) if v != v.to_integral_value() else int(v) for k, v in report.values.items()}
    assert XLSX_TYPE  # the header the crawl passes for these files

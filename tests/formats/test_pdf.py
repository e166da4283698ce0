"""PDF reading: every cell of generated reports back, merged cells repeated."""

from __future__ import annotations

import io

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from gxcrawler.formats import FormatError, Limits, read
from gxcrawler.synthetic import make_report, render_pdf
from gxcrawler.synthetic.tables import all_tables
from tests.formats.util import fold


@pytest.mark.parametrize(
    ("seed", "year", "deviations"),
    [(1, 2019, False), (2, 2020, True), (3, 2021, False), (4, 2023, True), (5, 2022, True), (6, 2024, False)],
)
def test_every_table_cell_is_read(seed: int, year: int, deviations: bool) -> None:
    report = make_report(seed, year=year, deviations=deviations)
    doc = read(render_pdf(report), "pdf")
    assert doc.source_type == "pdf"
    # a column no ruling line separates from its neighbour cannot be seen: compare
    # the tables with such twin columns folded (the 2021 one-value sub-tables)
    assert [fold(t) for t in doc.tables] == [fold(t) for t in all_tables(report)]
    assert report.title.replace(" ", "") in doc.text.replace(" ", "")
    assert doc.title == report.title
    assert doc.warnings == []


def test_table_text_stays_out_of_the_page_text() -> None:
    report = make_report(11, year=2021)
    doc = read(render_pdf(report), "pdf")
    assert "三、收到和处理政府信息公开申请情况" in doc.text
    assert "属于国家秘密" not in doc.text  # a row label: it lives in the tables


def test_table_cut_by_a_page_break_is_joined() -> None:
    rows = [[f"row {i}", str(i), str(i * 2)] for i in range(120)]
    out = io.BytesIO()
    table = Table(
        rows, colWidths=[200, 100, 100], style=TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")])
    )
    SimpleDocTemplate(out, pagesize=A4).build([table])
    doc = read(out.getvalue(), "pdf")
    assert len(doc.tables) == 1
    assert doc.tables[0] == rows


def _image_only_pdf(pages: int = 1) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (200, 100), "white")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    buf.seek(0)
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    from reportlab.lib.utils import ImageReader

    for _ in range(pages):
        c.drawImage(ImageReader(buf), 50, 500, 400, 200)
        c.showPage()
    c.save()
    return out.getvalue()


def test_scanned_pdf_has_no_tables_and_names_its_images() -> None:
    doc = read(_image_only_pdf(), "pdf")
    assert doc.tables == []
    assert doc.text.strip() == ""
    assert len(doc.images) == 1 and doc.images[0].startswith("page1/")
    assert any("no text layer" in w for w in doc.warnings)


def test_page_cap_bounds_the_work() -> None:
    doc = read(_image_only_pdf(pages=5), "pdf", limits=Limits(max_pages=2))
    assert len(doc.images) == 2
    assert any("5 pages" in w for w in doc.warnings)


def test_size_cap() -> None:
    with pytest.raises(FormatError, match="too large"):
        read(b"%PDF-1.4" + b"0" * 2000, "pdf", limits=Limits(max_bytes=1000))


@pytest.mark.parametrize("content", [b"%PDF-1.4 this is not a pdf", b"\x00\x01garbage", b""])
def test_broken_pdf_raises_a_clear_error(content: bytes) -> None:
    with pytest.raises(FormatError):
        read(content, "pdf")


def test_table_without_vertical_rules_reads_as_tab_separated_text() -> None:
    rows = [["label", "new", "total"]] + [[f"row {i}", str(i), str(i * 20)] for i in range(8)]
    rules = [
        ("LINEABOVE", (0, 0), (-1, 0), 1, "black"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, "black"),
        ("LINEBELOW", (0, -1), (-1, -1), 1, "black"),
    ]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build(
        [Table(rows, colWidths=[200, 100, 100], style=TableStyle(rules))]
    )
    doc = read(out.getvalue(), "pdf")
    lines = [line.split("\t") for line in doc.text.splitlines()]
    assert rows == [t for t in lines if t] or rows == doc.tables[0]


@pytest.mark.parametrize("gap", [300, 450, 600])
def test_section_three_cut_under_its_merged_header_is_joined(gap: int) -> None:
    """The first part shows fewer column edges (merged header) than the second."""
    from reportlab.platypus import Spacer

    from gxcrawler.synthetic.pdf import _table
    from gxcrawler.synthetic.tables import filled, sections

    report = make_report(5, year=2021)
    s3 = sections(report)[1].tables[0]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build([Spacer(1, gap), _table(s3)])
    doc = read(out.getvalue(), "pdf")
    assert doc.tables == [filled(s3)]


def test_header_split_one_character_per_line_reads_whole() -> None:
    from reportlab.platypus import Paragraph

    from gxcrawler.synthetic.pdf import _styles

    cell = _styles()["cell"]  # STSong-Light 8pt, centred
    rows = [
        ["行政复议", "", "", "", ""],
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
        ["1", "0", "2", "0", "3"],
    ]
    data = [[Paragraph(t, cell) if t else "" for t in row] for row in rows]
    style = TableStyle(
        [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("SPAN", (0, 0), (-1, 0))]
        + [(side, (0, 0), (-1, -1), 2) for side in ("LEFTPADDING", "RIGHTPADDING")]
    )
    out = io.BytesIO()
    # 13pt columns: one 8pt character per line
    SimpleDocTemplate(out, pagesize=A4).build([Table(data, colWidths=[13] * 5, style=style)])
    doc = read(out.getvalue(), "pdf")
    assert doc.tables == [[["行政复议"] * 5, rows[1], rows[2]]]


def test_an_unverified_pdfminer_is_said_once_and_read_all_the_same(monkeypatch, caplog):
    """With a pdfminer.six / pdfplumber pair the fast path was not proven on, the libraries' own
    code reads the PDF (the same document) and the log says so once per process, not per page."""
    from gxcrawler.formats import pdfstream

    content = render_pdf(make_report(5, year=2021))
    expected = read(content, "pdf")
    monkeypatch.setattr(pdfstream, "ENABLED", False)
    monkeypatch.setattr(pdfstream, "_told", False)
    with caplog.at_level("INFO", logger="gxcrawler.formats.pdfstream"):
        assert read(content, "pdf") == expected
        read(content, "pdf")
    told = [r.getMessage() for r in caplog.records if r.name == "gxcrawler.formats.pdfstream"]
    assert len(told) == 1 and "PDF fast path off" in told[0]


def test_the_garbage_collector_is_paused_for_a_read_and_left_as_it_was() -> None:
    import gc
    from unittest import mock

    from gxcrawler.formats import pdf

    seen = []
    real = pdf._read_pdf

    def spy(content: bytes, limits: Limits):
        seen.append(gc.isenabled())
        return real(content, limits)

    content = render_pdf(make_report(1, year=2019))
    assert gc.isenabled()
    with mock.patch.object(pdf, "_read_pdf", spy):
        read(content, "pdf")
        assert gc.isenabled()  # running again after the read
        with pytest.raises(FormatError):
            read(b"%PDF-1.4 broken", "pdf")
        assert gc.isenabled()  # and after a failed one
        gc.disable()
        try:
            read(content, "pdf")
            assert not gc.isenabled()  # not started by the reader when it was off
        finally:
            gc.enable()
    assert seen == [False, False, False]


def test_overlapping_reads_in_threads_share_one_pause_of_the_collector() -> None:
    """Readers overlapping in threads (the reactor's pool without parser workers): the
    collector stays off while any of them reads — also after the first one ends — and is on
    again after the last one, whichever ends first."""
    import gc
    import threading

    from gxcrawler.formats import pdf

    def reader(entered: threading.Event, leave: threading.Event) -> None:
        with pdf._collector_paused():
            entered.set()
            leave.wait(5)

    for first_to_end in (0, 1):
        entered = [threading.Event(), threading.Event()]
        leave = [threading.Event(), threading.Event()]
        threads = [threading.Thread(target=reader, args=(entered[i], leave[i])) for i in (0, 1)]
        assert gc.isenabled()
        threads[0].start()
        entered[0].wait(5)
        threads[1].start()
        entered[1].wait(5)
        assert not gc.isenabled()
        leave[first_to_end].set()
        threads[first_to_end].join(5)
        assert not gc.isenabled()  # the other one still reads
        leave[1 - first_to_end].set()
        threads[1 - first_to_end].join(5)
        assert gc.isenabled()

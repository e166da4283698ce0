"""Reports printed as pictures, read by OCR (gxcrawler.formats.ocr), on generated scans.

A handful of scans only (each costs seconds of CPU); precision and recall on a hundred and
more are measured by benchmarks/ocr_accuracy.py (docs/notes/ocr.md).
"""

from __future__ import annotations

import io

import pytest

from gxcrawler.formats import FormatError, read
from gxcrawler.formats.ocrengine import available
from gxcrawler.formats.sniff import sniff_binary
from gxcrawler.parsing import parse_bytes
from gxcrawler.parsing.api import sniff_type
from gxcrawler.synthetic.accuracy import parse_case, score

needs_ocr = pytest.mark.skipif(not available(), reason="OCR engine (rapidocr-onnxruntime, OpenCV) not installed")


_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def _cjk_font() -> bool:
    from pathlib import Path

    return Path(_FONT).exists()


needs_font = pytest.mark.skipif(not _cjk_font(), reason="fonts-wqy-zenhei not installed (scans need a CJK font)")


def _picture(fmt: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (64, 32), 255).save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP"])
def test_pictures_are_known_by_their_bytes(fmt: str) -> None:
    content = _picture(fmt)
    assert sniff_binary(content) == "image"
    assert sniff_type(content, "application/octet-stream", "download.jsp") == "image"


def test_ocr_off_a_picture_is_an_error_and_a_scan_stays_without_tables(monkeypatch) -> None:
    monkeypatch.setenv("GXCRAWLER_OCR", "0")
    with pytest.raises(FormatError, match="OCR is off"):
        read(_picture("PNG"), "image")
    result = parse_bytes(_picture("PNG"), source="x.png", filename="x.png")
    assert result.status == "error" and "OCR is off" in (result.message or "")


@needs_ocr
def test_a_blank_picture_has_no_numbers() -> None:
    """Nothing on the page: nothing read, and nothing invented."""
    result = parse_bytes(_picture("PNG"), source="x.png", filename="x.png")
    assert not result.values
    assert result.source_type == "ocr"


@pytest.mark.parametrize("text", [".", "，", "'", "o", "·."])
def test_a_mark_without_digits_or_ideographs_is_unread_never_a_label(text: str) -> None:
    """A speck in a number cell read as "." (or any mark with no digit and no ideograph) is
    not a label: as text it stood as a row label no template row matches, and the aligner
    left the whole table out. It is the unread mark: that cell alone is left out."""
    from gxcrawler.formats.ocr import UNREAD, _settle_cell
    from gxcrawler.formats.ocrengine import Glyph, Line

    line = Line(tuple(Glyph(ch, 0.99) for ch in text))
    cell, info = _settle_cell([line])
    assert cell == UNREAD and info is not None and info.confidence == 0.0
    label, none = _settle_cell([Line(tuple(Glyph(ch, 0.99) for ch in "1.属于国家秘密"))])
    assert label == "1.属于国家秘密" and none is None


def _digits_ink(text: str, dpi: int = 150):
    """``text`` printed as the scans print a cell (reportlab, STSong-Light 8 pt, rasterised by
    PDFium at ``dpi``): the layout's ink and the ink's box, as the grid finds a cell's line."""
    import io

    import numpy as np
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from gxcrawler.formats.ocrgrid import Box, PageLayout
    from gxcrawler.synthetic.pdf import FONT
    from gxcrawler.synthetic.scans import rasterise

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(100, 30))
    page.setFont(FONT, 8)
    page.drawString(10, 10, text)
    page.save()
    a = np.asarray(rasterise(out.getvalue(), dpi)[0])
    ink = a < 128
    ys, xs = np.nonzero(ink)
    return PageLayout(a, ink, 17.0, 0.0, [], []), Box(int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)


@needs_font
@pytest.mark.parametrize(("printed", "read_as"), [("11", "1"), ("100", "10"), ("4,077", "4,07"), ("+12", "+1"), ("-21", "-2")])
def test_a_number_read_with_a_digit_too_few_for_its_ink_is_unread(printed: str, read_as: str) -> None:
    """Seed 1046: ``11`` read ``1`` with every character sure (0.995), a wrong value no identity
    caught. The ink holds more digit-tall strokes, or is wider, than the reading's digits:
    the cell is unread and its readings dropped (the identities may not pick one either)."""
    from gxcrawler.formats.ocr import UNREAD, _fit_ink, _fits
    from gxcrawler.model import OcrCell

    lay, box = _digits_ink(printed)
    assert _fits(lay, box, printed)
    assert not _fits(lay, box, read_as)
    text, info = _fit_ink(lay, box, read_as, OcrCell(read_as, 0.995, ()))
    assert text == UNREAD and info.text == "" and not info.alternatives
    kept, same = _fit_ink(lay, box, printed, OcrCell(printed, 0.995, (read_as,)))
    assert kept == printed and same.alternatives == ()




@needs_font
@pytest.mark.parametrize("dpi", [150, 200])
@pytest.mark.parametrize("printed", ["-5", "-12", "-0", "-3"])
def test_a_printed_minus_fits_its_reading_and_not_the_reading_without_it(printed: str, dpi: int) -> None:
    from gxcrawler.formats.ocr import _fits

    lay, box = _digits_ink(printed, dpi)
    assert _fits(lay, box, printed)
    assert not _fits(lay, box, printed[1:])
    lay, box = _digits_ink(printed[1:], dpi)
    assert _fits(lay, box, printed[1:])


def _cell_ink(marks: list[tuple[int, int, int, int]], size: int = 9):
    """A cell's ink drawn by hand: (x, y, width, height) blocks in a ``size`` square."""
    import numpy as np

    from gxcrawler.formats.ocrgrid import Box, PageLayout

    ink = np.zeros((size, size), dtype=bool)
    for x, y, w, h in marks:
        ink[y : y + h, x : x + w] = True
    return PageLayout(np.where(ink, 0, 255).astype(np.uint8), ink, 17.0, 0.0, [], []), Box(0, 0, size, size)


def test_a_number_read_without_its_minus_is_unread() -> None:
    """Seed 1305 at 100 dpi: a change cell ``-5`` read ``5`` with every character sure; its
    minus was two pixels square at mid-height, narrow enough to pass the width check. Flat ink
    at mid-height before the first digit is a sign the reading must have."""
    from gxcrawler.formats.ocr import _fits

    digit = [(3, 0, 6, 1), (3, 0, 1, 5), (3, 4, 6, 1), (8, 4, 1, 5), (3, 8, 6, 1)]  # a 5, full height
    lay, box = _cell_ink([(0, 4, 2, 2), *digit])  # the ink as seed 1305's page held it
    assert not _fits(lay, box, "5")
    assert _fits(lay, box, "-5")
    lay, box = _cell_ink([(0, 8, 1, 1), *digit])  # a speck on the baseline is no sign
    assert _fits(lay, box, "5")

@needs_font
@pytest.mark.parametrize("printed", ["17", "71", "11", "14"])
def test_two_digits_read_as_one_stroke_are_never_a_slash(printed: str) -> None:
    """Seed 1736 (an untouched check scan): ``17`` read ``7``, its ink slanted by the 7's
    stroke, was taken for a slash — a blank listed where 17 was printed. A slash or a lone 1 is
    one stroke; ink of two digit-tall strokes is unread, with no readings."""
    from gxcrawler.formats.ocr import UNREAD, _stroke
    from gxcrawler.model import OcrCell

    lay, box = _digits_ink(printed)
    for read_as in ("7", "1", "/"):
        text, info = _stroke(lay, box, read_as, OcrCell(read_as, 0.995, ()))
        assert text == UNREAD and info is not None and info.text == "" and not info.alternatives


@needs_font
def test_a_printed_slash_and_a_lone_one_are_still_read() -> None:
    from gxcrawler.formats.ocr import _stroke
    from gxcrawler.model import OcrCell

    lay, box = _digits_ink("/")
    assert _stroke(lay, box, "/", None)[0] == "/"
    lay, box = _digits_ink("1")
    assert _stroke(lay, box, "1", OcrCell("1", 0.995, ()))[0] == "1"

def _photographed(seed: int):
    from gxcrawler.synthetic.scans import make_scan

    case = make_scan(seed, kind="jpeg", dpi=150)
    return case, parse_case(case)


@needs_ocr
@needs_font
@pytest.mark.parametrize("seed", [3, 8])
def test_a_photographed_table_page_reads_right_or_leaves_out(seed: int) -> None:
    """One picture of a table page (an ``<img>`` table, a phone photo): no wrong number."""
    case, result = _photographed(seed)
    assert result.source_type == "ocr"
    s = score(case.report, result, metadata=False)
    assert not s.wrong, s.wrong


@needs_ocr
@needs_font
@pytest.mark.parametrize("seed", [3, 8])
def test_a_photographed_table_page_reads_most_cells(seed: int) -> None:
    """Seed 8 once lost section 三 whole: a speck in a number cell read as "." stood as a row
    label no template row matches, so the aligner's proof by labels refused the table."""
    case, result = _photographed(seed)
    on_page = [k for k in (*case.report.values, *case.report.blank) if k.startswith(("s3.", "s4."))]
    read = [k for k in (*result.values, *result.blank) if k.startswith(("s3.", "s4."))]
    assert len(read) >= 0.8 * len(on_page), (len(read), len(on_page), result.warnings[:6])


@needs_ocr
@needs_font
def test_a_scanned_pdf_reads_its_title_and_its_tables() -> None:
    from gxcrawler.synthetic.scans import make_scan

    case = make_scan(1, kind="pdf", dpi=150)
    result = parse_case(case)
    assert result.source_type == "ocr"
    assert result.status in ("ok", "partial")
    s = score(case.report, result)
    assert s.meta["agency"] and s.meta["year"]
    assert not s.wrong, s.wrong
    assert s.correct >= 0.8 * s.truth_cells, (s.correct, s.truth_cells, s.missing[:10])


def test_the_crawl_setting_reaches_the_parse_workers(monkeypatch) -> None:
    """``-s GXCRAWLER_OCR=0`` is put in the environment the parse workers inherit."""
    from scrapy.settings import Settings

    from gxcrawler.formats.ocr import enabled
    from pipelines.parse import ocr_setting

    monkeypatch.delenv("GXCRAWLER_OCR", raising=False)
    assert enabled()
    ocr_setting(Settings({"GXCRAWLER_OCR": "0"}))
    assert not enabled()
    ocr_setting(Settings({"GXCRAWLER_OCR": "1"}))
    assert enabled()


@needs_ocr
@needs_font
def test_ocr_runs_in_the_parse_pool_under_its_memory_cap() -> None:
    """Off the reactor: a worker process with the pool's address-space cap reads a scan."""
    from gxcrawler.parsing.pool import ParsePool, ParseTask, PoolConfig
    from gxcrawler.synthetic.scans import make_scan

    case = make_scan(2, kind="jpeg", dpi=120)
    pool = ParsePool(PoolConfig(workers=1))
    try:
        task = ParseTask(content=case.content, source="t.jpg", content_type="image/jpeg", filename="t.jpg")
        result = pool.submit(task).result(timeout=600)
    finally:
        pool.close()
    assert result.status in ("ok", "partial"), result.message
    assert result.source_type == "ocr" and result.values
    assert set(result.ocr) == set(result.values)


@needs_ocr
@needs_font
def test_a_table_ruled_by_horizontal_lines_only_reads_right_or_leaves_out() -> None:
    """No vertical rule at all: the columns are drawn where the text's gaps show them
    (``ocrgrid.column_rules``). Section 三 of seed 3 reads; whatever is read is right (its
    section 四, whose spanning headers the gaps do not show, is left out by the aligner)."""
    from gxcrawler.synthetic.scans import make_scan

    case = make_scan(3, kind="jpeg", dpi=150, rules="horizontal")
    result = parse_case(case)
    s = score(case.report, result, metadata=False)
    assert not s.wrong, s.wrong
    s3 = [k for k in (*case.report.values, *case.report.blank) if k.startswith("s3.")]
    read = [k for k in (*result.values, *result.blank) if k.startswith("s3.")]
    assert len(read) >= 0.8 * len(s3), (len(read), len(s3), result.warnings[:6])

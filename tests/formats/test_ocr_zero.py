"""A doubtful ``0`` (or ink read as nothing) proven by the holes of its ink (gxcrawler.formats.ocrink).

The property that matters: no printed digit other than ``0``, and no longer number, is ever
proven a ``0``, whatever the resolution (100–200 dpi) and the scan's degradation (grey paper,
noise, blur, a turn, a photographed angle, JPEG), the glyphs printed as the scans print them
(reportlab STSong-Light 8 and 10.5 pt, rasterised by PDFium with the system's CJK font).
"""

from __future__ import annotations

import functools
import io
import random

import pytest

from gxcrawler.formats.ocr import SURE, UNREAD, _zero_ink
from gxcrawler.model import OcrCell

_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def _cjk_font() -> bool:
    from pathlib import Path

    return Path(_FONT).exists()


pytestmark = pytest.mark.skipif(not _cjk_font(), reason="fonts-wqy-zenhei not installed (scans need a CJK font)")

DPIS = (100, 120, 150, 200)
SIZES = (8, 10.5)  # the scans' table cells
#: what a number cell may print, besides a lone 0; and what ink a cell read as nothing may hold
NOT_ZERO = [*"123456789", "00", "10", "60", "80", "90", "06", "08", "-0", "+0", "0.5", "6,0", "—", "/"]


@functools.cache
def _printed(text: str, dpi: int, size: float):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from gxcrawler.synthetic.pdf import FONT
    from gxcrawler.synthetic.scans import rasterise

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(60, 30))
    page.setFont(FONT, size)
    page.drawString(20, 10, text)
    page.save()
    return rasterise(out.getvalue(), dpi)[0]


def _scanned(text: str, dpi: int, size: float, seed: int):
    """``text`` printed and scanned as the generated scans are (``scans.degrade``, JPEG): the
    picture, the box the grid gives its line (the layout's ink), and a character height."""
    import numpy as np
    from PIL import Image

    from gxcrawler.formats.ocrgrid import Box, binarise
    from gxcrawler.synthetic.scans import degrade, draw_look

    rng = random.Random(f"{text}/{dpi}/{size}/{seed}")
    look = draw_look(rng, dpi)
    picture = degrade(_printed(text, dpi, size), look, rng)
    buf = io.BytesIO()
    picture.save(buf, "JPEG", quality=look.jpeg_quality)
    gray = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("L"))
    ys, xs = np.nonzero(binarise(gray))
    box = Box(int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    unit = 17.0 * dpi / 150  # the table pages' character height (measured: 16–20 px at 150 dpi)
    return gray, box, unit


@pytest.mark.parametrize("dpi", DPIS)
def test_no_other_digit_or_number_is_ever_proven_a_zero(dpi: int) -> None:
    from gxcrawler.formats.ocrink import proves_zero

    proven = [
        (text, size, seed)
        for text in NOT_ZERO
        for size in SIZES
        for seed in range(6)
        if proves_zero(*_scanned(text, dpi, size, seed))
    ]
    assert not proven


@pytest.mark.parametrize("dpi", DPIS)
def test_a_printed_zero_is_mostly_proven(dpi: int) -> None:
    from gxcrawler.formats.ocrink import proves_zero

    trials = [(size, seed) for size in SIZES for seed in range(10)]
    proven = sum(proves_zero(*_scanned("0", dpi, size, seed)) for size, seed in trials)
    assert proven >= 0.6 * len(trials), proven


def test_a_doubtful_zero_or_nothing_read_becomes_zero_only_on_the_ink_of_a_zero() -> None:
    gray, box, unit = _scanned("0", 150, 8, 1)
    doubtful = OcrCell("0", 0.6, ("6", "8"))
    assert _zero_ink(gray, box, unit, UNREAD, doubtful) == ("0", OcrCell("0", SURE, ()))
    assert _zero_ink(gray, box, unit, UNREAD, OcrCell("", 0.0, ())) == ("0", OcrCell("0", SURE, ()))
    # a doubtful 6 read as 0 stays doubtful; so does any reading without a 0 among its readings,
    # a longer number, and a cell already read
    six = _scanned("6", 150, 8, 1)
    assert _zero_ink(*six, UNREAD, OcrCell("0", 0.6, ("6",)))[0] == UNREAD
    assert _zero_ink(gray, box, unit, UNREAD, OcrCell("6", 0.6, ("8",)))[0] == UNREAD
    assert _zero_ink(gray, box, unit, UNREAD, OcrCell("60", 0.6, ("80",)))[0] == UNREAD
    assert _zero_ink(gray, box, unit, "0", OcrCell("0", 0.99, ())) == ("0", OcrCell("0", 0.99, ()))
    ten = _scanned("10", 150, 8, 1)
    assert _zero_ink(*ten, UNREAD, OcrCell("", 0.0, ()))[0] == UNREAD

"""Scanned reports with known truth: the PDF rendering rasterised and degraded like a scan.

A township office prints its report and scans it (or photographs the printout): the
pages reach the portal as pictures. Here the report's PDF (:mod:`.pdf`, its CJK text
drawn by PDFium with the system's CJK font, ``fonts-wqy-zenhei``) is rasterised at 100–200
dpi, put on grey paper with noise, turned by a degree or so, sometimes photographed at an
angle (a mild perspective), and saved as JPEG — either as an image-only PDF (one JPEG a
page, no text layer) or as one picture of a table page (an ``<img>`` in a report page).

The truth is the report (``values``, ``blank``, ``agency``, ``year``); the accuracy
harness scores an OCR'd result against it exactly as for the other renderings.
Needs Pillow, numpy, OpenCV and pypdfium2 (installed with the OCR reader) and reportlab.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from .cases import Case
from .report import SyntheticReport, make_report

#: the rasterisation aim of the issue; benchmarks run at this resolution
DEFAULT_DPI = 150
KINDS = ("pdf", "jpeg")


@dataclass(frozen=True)
class ScanLook:
    """How one scan is degraded (drawn per seed by :func:`draw_look`)."""

    dpi: int = DEFAULT_DPI
    #: degrees, positive anticlockwise
    rotation: float = 0.0
    #: the paper's grey (255 white) and how much of the ink's black survives
    paper: int = 235
    ink: int = 30
    noise: float = 4.0
    blur: float = 0.0
    jpeg_quality: int = 75
    #: corner displacement as a share of the page size (a photographed printout); 0: flat scan
    perspective: float = 0.0


def draw_look(rng: random.Random, dpi: int | None = None) -> ScanLook:
    """A plausible scan: 100–200 dpi, under 1.5 degrees, a quarter photographed at an angle."""
    return ScanLook(
        dpi=dpi or rng.choice((100, 120, 150, 150, 200)),
        rotation=rng.uniform(-1.5, 1.5),
        paper=rng.randint(200, 245),
        ink=rng.randint(10, 60),
        noise=rng.uniform(2.0, 8.0),
        blur=rng.choice((0.0, 0.0, 0.4, 0.7)),
        jpeg_quality=rng.randint(45, 90),
        perspective=rng.uniform(0.003, 0.008) if rng.random() < 0.25 else 0.0,
    )


def rasterise(pdf: bytes, dpi: int) -> list:
    """The PDF's pages as greyscale PIL images (PDFium, the system's CJK font for STSong)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("L") for page in doc]
    finally:
        doc.close()


def degrade(image, look: ScanLook, rng: random.Random):
    """One page as a scanner or a phone would deliver it (greyscale PIL image in and out)."""
    import cv2
    import numpy as np
    from PIL import Image

    a = np.asarray(image, dtype=np.float32) / 255.0
    h, w = a.shape
    a = look.ink + a * (look.paper - look.ink)  # black ink on grey paper
    if look.blur:
        a = cv2.GaussianBlur(a, (0, 0), look.blur)
    if look.perspective:
        d = look.perspective
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        dst = src + np.float32([[rng.uniform(-d, d) * w, rng.uniform(-d, d) * h] for _ in range(4)])
        m = cv2.getPerspectiveTransform(src, dst)
        a = cv2.warpPerspective(a, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=float(look.paper))
    if look.rotation:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), look.rotation, 1.0)
        a = cv2.warpAffine(a, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=float(look.paper))
    noise = np.random.default_rng(rng.getrandbits(32)).normal(0, look.noise, a.shape)
    shade = np.linspace(0, rng.uniform(-12, 12), w, dtype=np.float32)[None, :]  # uneven lighting
    a = np.clip(a + noise + shade, 0, 255).astype(np.uint8)
    return Image.fromarray(a, "L")


def _jpeg(image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def image_pdf(pages: list, dpi: int, quality: int) -> bytes:
    """An image-only PDF: each page one JPEG, no text layer (what scanners write)."""
    from PIL import Image

    frames = [Image.open(io.BytesIO(_jpeg(p, quality))) for p in pages]
    out = io.BytesIO()
    frames[0].save(out, "PDF", save_all=True, append_images=frames[1:], resolution=float(dpi))
    return out.getvalue()


def table_page(pages: list) -> int:
    """The last page with ruled tables (section 三/四 are printed last), for a one-picture scan."""
    import numpy as np

    def dark_rows(img) -> int:
        a = np.asarray(img) < 128
        return int((a.mean(axis=1) > 0.5).sum())  # rows mostly ink: table rules

    return max(i for i in range(len(pages)) if i == 0 or dark_rows(pages[i]) >= 10)


#: how the tables are ruled: every cell boxed (``grid``, the template's print), only horizontal
#: rules and no vertical one (``horizontal``: the three-line tables of some offices), or no
#: rule at all (``none``: columns by whitespace only, as the unruled tables of some PDFs,
#: docs/notes/layouts.md ``pdf/recent``)
RULES = ("grid", "horizontal", "none")


def without_rules(image, *, horizontal: bool = False):
    """The page with every vertical ruling line erased, and the horizontal ones too unless
    ``horizontal`` (a table ruled by horizontal lines only)."""
    import cv2
    import numpy as np
    from PIL import Image

    a = np.asarray(image).copy()
    ink = (a < 220).astype(np.uint8)  # rules are drawn thin and anti-aliased: light grey
    tall = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(12, a.shape[0] // 45))))
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, a.shape[1] // 30), 1)))
    tall = cv2.dilate(tall, np.ones((1, 3), np.uint8))  # the rule's anti-aliased edges with it
    if horizontal:
        a[(tall > 0) & (horiz == 0)] = 255
    else:
        a[(tall > 0) | (cv2.dilate(horiz, np.ones((3, 1), np.uint8)) > 0)] = 255
    return Image.fromarray(a, "L")


def make_scan(
    seed: int,
    *,
    kind: str = "pdf",
    dpi: int | None = None,
    look: ScanLook | None = None,
    report: SyntheticReport | None = None,
    rules: str = "grid",
) -> Case:
    """Report ``seed`` printed and scanned: an image-only PDF (``kind="pdf"``) or one JPEG.

    A JPEG holds one page only (the one with section 三), so its truth is scored on the
    keys printed there by the caller; the PDF holds the whole report.
    """
    from .pdf import render_pdf

    rng = random.Random(seed * 7919 + 13)
    report = report or make_report(seed, consistent=rng.random() >= 0.2, activity=rng.choice(("small", "busy")))
    look = look or draw_look(rng, dpi)
    clean = rasterise(render_pdf(report), look.dpi)
    tables_at = table_page(clean)  # found by its rules: before any are erased
    if rules in ("horizontal", "none"):
        clean = [without_rules(p, horizontal=rules == "horizontal") for p in clean]
    elif rules != "grid":
        raise ValueError(f"unknown rules {rules!r}")
    pages = [degrade(p, look, rng) for p in clean]
    detail = f"{look.dpi}dpi rot={look.rotation:+.2f} q={look.jpeg_quality}" + (
        " photo" if look.perspective else ""
    )
    if kind == "pdf":
        content = image_pdf(pages, look.dpi, look.jpeg_quality)
        return Case("scan/pdf", report, content, "application/pdf", "scan.pdf", detail)
    if kind == "jpeg":
        content = _jpeg(pages[tables_at], look.jpeg_quality)
        return Case("scan/jpeg", report, content, "image/jpeg", "table.jpg", detail)
    raise ValueError(f"unknown scan kind {kind!r}")

"""PDF rendering with a real text layer (reportlab, CJK CID font STSong-Light).

Tables are drawn with ruling lines and spans, the way Word/WPS exports them, so a
reader has to recover cells by position. Narrow columns wrap their headers, which
yields the vertically split headers real PDFs have.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, replace
from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .report import EPILOGUE, SyntheticReport
from .tables import Grid, expand, sections

FONT = "STSong-Light"


@dataclass(frozen=True)
class PdfLook:
    """How a PDF differs from the plain rendering (the default changes nothing).

    Recent reports (2023–2024) are Word/WPS exports: a title block with the agency on its
    own line, body text in 10.5pt, narrow number columns whose headers wrap, tables
    flowing over page breaks, a page number in the footer, an agency-and-date closing,
    and document-information titles that say nothing (``Administrator``, ``Scan_…``).
    """

    #: the title block, one paragraph per line; ``None``: the title on one line
    title_lines: tuple[str, ...] | None = None
    #: the document-information title; ``None``: the report's title
    meta_title: str | None = None
    meta_author: str | None = None
    #: the footer, e.g. ``"- {n} -"``; ``None``: no page numbers
    page_numbers: str | None = None
    #: table text at body size (10.5pt), so narrow columns wrap their headers
    large_cells: bool = False
    #: tables flow over page breaks (no keeping a table on one page)
    flowing: bool = False
    #: the closing lines after the epilogue (agency, date)
    closing: tuple[str, ...] = ()
    #: section 二's sub-tables drawn as one ruled table (caption rows between them)
    single_s2: bool = False
    #: short labels spread with full-width spaces, as typed to fill a cell (规　　章)
    spaced_labels: bool = False
    #: ruling lines between the cells; ``False``: only the outer box (text aligned by position)
    ruled: bool = True


def _ideographs(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


def _spread(grid: Grid) -> Grid:
    """Labels of two to four characters spread over the cell width with full-width spaces."""
    out: Grid = []
    for row in grid:
        line = []
        for cell in row:
            if cell.kind in ("label", "header") and 2 <= len(cell.text) <= 4 and _ideographs(cell.text):
                gap = "　" * (2 if len(cell.text) == 2 else 1)
                cell = replace(cell, text=gap.join(cell.text))
            line.append(cell)
        out.append(line)
    return out


@cache
def _styles() -> dict[str, ParagraphStyle]:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return {
        "title": ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, alignment=TA_CENTER),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16, firstLineIndent=21),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10, alignment=TA_CENTER),
        "cell_large": ParagraphStyle(
            "cell_large", fontName=FONT, fontSize=10.5, leading=13, alignment=TA_CENTER
        ),
        "closing": ParagraphStyle("closing", fontName=FONT, fontSize=10.5, leading=16, alignment=2),
    }


def _widths(grid: Grid, ncols: int) -> list[float]:
    usable = A4[0] - 2.4 * cm
    if ncols == 4:
        return [usable * 0.34, *[usable * 0.22] * 3]
    if ncols == 10:  # section 三: three label columns and seven numbers
        label = [1.5 * cm, 1.9 * cm, 4.9 * cm]
        rest = (usable - sum(label)) / 7
        return [*label, *[rest] * 7]
    return [usable / ncols] * ncols


def _table(grid: Grid, large: bool = False, ruled: bool = True) -> Table:
    style = _styles()["cell_large" if large else "cell"]
    matrix = expand(grid)
    data = [[Paragraph(c.text, style) if c and c.text else "" for c in row] for row in matrix]
    commands: list[tuple] = [
        ("GRID" if ruled else "BOX", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONT", (0, 0), (-1, -1), FONT, style.fontSize),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    for r, row in enumerate(matrix):
        for c, cell in enumerate(row):
            if cell and (cell.rowspan > 1 or cell.colspan > 1):
                commands.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
    return Table(data, colWidths=_widths(grid, len(matrix[0])), style=TableStyle(commands))


def render_pdf(report: SyntheticReport, look: PdfLook | None = None) -> bytes:
    """The report as PDF bytes: title, prose, every table, epilogue."""
    look = look or PdfLook()
    st = _styles()
    title_lines = look.title_lines or (report.title,)
    story: list = [Paragraph(line, st["title"]) for line in title_lines] + [Spacer(1, 12)]
    story += [Paragraph(p, st["body"]) for p in report.prose]
    # half the reports flow freely, so tables break across pages as real ones do
    keep_together = random.Random(report.seed * 53 + 1).random() < 0.5 and not look.flowing
    for section in sections(report):
        heading = Paragraph(section.heading, st["body"])
        grids = section.tables
        if look.single_s2 and section.codes[0].startswith("s2."):
            grids = [[row for grid in grids for row in grid]]  # all of width 4
        if look.spaced_labels:
            grids = [_spread(g) for g in grids]
        tables = [_table(g, look.large_cells, look.ruled) for g in grids]
        if keep_together:  # each table on one page, the heading with the first
            story.append(KeepTogether([heading, Spacer(1, 4), tables[0]]))
            for t in tables[1:]:
                story += [Spacer(1, 6), KeepTogether([t])]
        else:
            story += [heading, Spacer(1, 4)]
            for t in tables:
                story += [t, Spacer(1, 6)]
        story.append(Spacer(1, 8))
    story += [Paragraph(p, st["body"]) for p in EPILOGUE]
    if look.closing:
        story += [Spacer(1, 16), *[Paragraph(line, st["closing"]) for line in look.closing]]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=1.2 * cm,
        rightMargin=1.2 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title=report.title if look.meta_title is None else look.meta_title,
        invariant=True,
        **({"author": look.meta_author} if look.meta_author else {}),
    )
    if look.page_numbers:
        footer = look.page_numbers

        def number(canvas, document) -> None:
            canvas.saveState()
            canvas.setFont(FONT, 10.5)
            canvas.drawCentredString(A4[0] / 2, 0.8 * cm, footer.format(n=document.page))
            canvas.restoreState()

        doc.build(story, onFirstPage=number, onLaterPages=number)
    else:
        doc.build(story)
    return out.getvalue()

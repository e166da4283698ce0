"""PDF rendering with a real text layer (reportlab, CJK CID font STSong-Light).

Tables are drawn with ruling lines and spans, the way Word/WPS exports them, so a
reader has to recover cells by position. Narrow columns wrap their headers, which
yields the vertically split headers real PDFs have.
"""

from __future__ import annotations

import io
import random
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


@cache
def _styles() -> dict[str, ParagraphStyle]:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return {
        "title": ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, alignment=TA_CENTER),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16, firstLineIndent=21),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10, alignment=TA_CENTER),
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


def _table(grid: Grid) -> Table:
    style = _styles()["cell"]
    matrix = expand(grid)
    data = [[Paragraph(c.text, style) if c and c.text else "" for c in row] for row in matrix]
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    for r, row in enumerate(matrix):
        for c, cell in enumerate(row):
            if cell and (cell.rowspan > 1 or cell.colspan > 1):
                commands.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
    return Table(data, colWidths=_widths(grid, len(matrix[0])), style=TableStyle(commands))


def render_pdf(report: SyntheticReport) -> bytes:
    """The report as PDF bytes: title, prose, every table, epilogue."""
    st = _styles()
    story: list = [Paragraph(report.title, st["title"]), Spacer(1, 12)]
    story += [Paragraph(p, st["body"]) for p in report.prose]
    # half the reports flow freely, so tables break across pages as real ones do
    keep_together = random.Random(report.seed * 53 + 1).random() < 0.5
    for section in sections(report):
        heading = Paragraph(section.heading, st["body"])
        tables = [_table(g) for g in section.tables]
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
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=1.2 * cm,
        rightMargin=1.2 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title=report.title,
        invariant=True,
    )
    doc.build(story)
    return out.getvalue()

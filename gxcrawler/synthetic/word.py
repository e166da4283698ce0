"""DOCX rendering with python-docx: real merged cells (gridSpan / vMerge)."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from .report import EPILOGUE, SyntheticReport
from .tables import Grid, expand, sections


def _add_table(doc, grid: Grid) -> None:
    matrix = expand(grid)
    table = doc.add_table(rows=len(matrix), cols=len(matrix[0]))
    table.style = "Table Grid"
    width = len(matrix[0])
    # ``table.cell`` rebuilds the whole cell list on every call (quadratic): take the cells
    # once, fill them, and only then merge (a merge changes the list).
    cells = table._cells
    spans = []
    for r, row in enumerate(matrix):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            cells[r * width + c].text = cell.text
            if cell.rowspan > 1 or cell.colspan > 1:
                spans.append((r, c, r + cell.rowspan - 1, c + cell.colspan - 1))
    for r, c, last_r, last_c in spans:
        table.cell(r, c).merge(table.cell(last_r, last_c))


def render_docx(report: SyntheticReport) -> bytes:
    doc = Document()
    title = doc.add_paragraph(report.title)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for p in report.prose:
        doc.add_paragraph(p)
    for section in sections(report):
        doc.add_paragraph(section.heading)
        for grid in section.tables:
            _add_table(doc, grid)
            doc.add_paragraph("")
    for p in EPILOGUE:
        doc.add_paragraph(p)
    doc.core_properties.title = report.title
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

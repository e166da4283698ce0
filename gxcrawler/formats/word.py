"""DOCX paragraphs and tables (python-docx).

python-docx already repeats a merged cell (``gridSpan``, ``vMerge``) at every grid
position it covers, which is the ExtractedDocument convention. Tables nested inside
cells are read too (some offices lay a report out in an outer table). Paragraph text
keeps document order; table text stays out of it.
"""

from __future__ import annotations

import io

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.table import Table
from docx.text.paragraph import Paragraph

from ..model import ExtractedDocument
from .cells import join_lines
from .errors import FormatError
from .limits import Limits, check_unzipped


def read_docx(content: bytes, limits: Limits) -> ExtractedDocument:
    try:
        check_unzipped(content, limits, "DOCX")
        document = docx.Document(io.BytesIO(content))
    except FormatError:
        raise
    except Exception as exc:  # zipfile / lxml / KeyError on broken packages
        raise FormatError(f"unreadable DOCX: {exc.__class__.__name__}: {exc}") from exc
    texts: list[str] = []
    tables: list[list[list[str]]] = []
    warnings: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            texts.append(Paragraph(child, document).text)
        elif tag == "tbl":
            try:
                _collect(Table(child, document), tables)
            except Exception as exc:  # malformed spans in hand-edited files
                warnings.append(f"table unreadable: {exc.__class__.__name__}")
    images = [
        rel.target_part.partname.lstrip("/")
        for rel in document.part.rels.values()
        if rel.reltype == RT.IMAGE and not rel.is_external
    ]
    return ExtractedDocument(
        source_type="docx",
        text="\n".join(texts),
        tables=tables,
        images=images,
        title=(document.core_properties.title or "").strip() or None,
        warnings=warnings,
    )


def _cell_starts(table: Table) -> set[int]:
    """Grid columns worth a column of output.

    A column in which no cell begins repeats its neighbour; a sliver a few
    hundredths of the others' width is a converter's rounding (LibreOffice leaves
    one where a spanning header ends a hair before the cells under it).
    """
    starts: set[int] = set()
    for tr in table._tbl.tr_lst:
        col = tr.grid_before
        for tc in tr.tc_lst:
            starts.add(col)
            col += tc.grid_span
    grid = table._tbl.tblGrid
    widths = [c.w for c in grid.gridCol_lst] if grid is not None else []
    widest = max((w for w in widths if w), default=0)
    slivers = {j for j, w in enumerate(widths) if w is not None and widest and w < widest * 0.05}
    return starts - slivers


def _collect(table: Table, out: list[list[list[str]]]) -> None:
    rows = []
    nested: list[Table] = []
    starts = _cell_starts(table)
    for row in table.rows:
        cells = row.cells
        rows.append([join_lines(c.text) for j, c in enumerate(cells) if j in starts])
        seen: set[int] = set()
        for c in cells:
            if id(c._tc) not in seen:
                seen.add(id(c._tc))
                nested += c.tables
    if rows:
        out.append(rows)
    for inner in nested:
        _collect(inner, out)

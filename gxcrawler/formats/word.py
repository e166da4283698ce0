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
from docx.oxml.table import CT_Tbl
from docx.table import Table
from docx.text.paragraph import Paragraph

from ..model import ExtractedDocument
from . import docxwalk
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
    fast = docxwalk.ENABLED
    if not fast:
        docxwalk.tell_unverified()
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            if fast and child.tag == docxwalk.W_P:
                texts.append(docxwalk.paragraph_text(child))
            else:
                texts.append(Paragraph(child, document).text)
        elif tag == "tbl":
            if fast and child.tag == docxwalk.W_TBL and _collect_fast(child, tables):
                continue
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
    return starts - _slivers(table._tbl)


def _slivers(tbl: CT_Tbl) -> set[int]:
    """Grid columns a few hundredths of the widest: a converter's rounding, no column."""
    grid = tbl.tblGrid
    widths = [c.w for c in grid.gridCol_lst] if grid is not None else []
    widest = max((w for w in widths if w), default=0)
    return {j for j, w in enumerate(widths) if w is not None and widest and w < widest * 0.05}


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


def _collect_fast(tbl: CT_Tbl, out: list[list[list[str]]]) -> bool:
    """What ``_collect`` appends for the table, read by :mod:`.docxwalk`; False (nothing
    appended) where that walk meets what python-docx would refuse or it does not reproduce."""
    mark = len(out)
    try:
        _walk(tbl, out)
    except Exception:  # noqa: BLE001 - docxwalk.Unusual, or anything unforeseen: python-docx decides
        del out[mark:]
        return False
    return True


def _walk(tbl: CT_Tbl, out: list[list[list[str]]]) -> None:
    """``_collect``, step for step, on a :class:`docxwalk.Grid`."""
    grid = docxwalk.Grid(tbl)
    starts = grid.starts() - _slivers(tbl)
    joined: dict[tuple[int, int], str] = {}
    rows = []
    nested: list[CT_Tbl] = []
    for i in range(len(grid.tcs)):
        cells = grid.cells(i)
        line = []
        for j, cell in enumerate(cells):
            if j in starts:
                text = joined.get(cell)
                if text is None:
                    text = joined[cell] = join_lines(grid.text(cell))
                line.append(text)
        rows.append(line)
        for cell in dict.fromkeys(cells):  # each cell of the row once, in order
            nested += grid.tables(cell)
    if rows:
        out.append(rows)
    for inner in nested:
        _walk(inner, out)

"""python-docx's paragraph text and table cells for :mod:`.word`, without its per-call XPath.

Why: python-docx 1.2 finds a vertically merged cell's origin with three XPath queries per
cell and level (``CT_Tc._tc_above``: the row above, the cell's grid offset, the cell there)
and runs an XPath query per paragraph and per run for a cell's text; a row's cells are
asked for once per grid column they span. That was 26 of the 32 ms a simulation DOCX
took to read (11 in the five-simulation crawl). Here the same walk, step for step, on
the elements python-docx parsed: each row's cells, grid offsets and spans read once,
each origin cell's text made once.

Exactness: every value python-docx converts (``gridBefore``, ``gridSpan``: ``int`` of
``w:val``; ``vMerge``: ``w:val``, "continue" when absent) is converted the same way;
wherever python-docx would raise (a missing ``w:val``, a number that is none, a merged
cell with no row or origin above it) or a case not reproduced here (a merge chain deeper
than :data:`MAX_CHAIN`), :class:`Unusual` is raised and the caller reads the table with
python-docx, whose result or error stands. Only with the python-docx versions this was
proven on (:data:`VERIFIED`); with any other python-docx's own code runs.
"""

from __future__ import annotations

import logging

import docx
from docx.oxml.ns import qn
from lxml import etree

log = logging.getLogger(__name__)

#: python-docx versions whose ``_Row.cells``, ``_Cell.text``/``.tables``, ``Paragraph.text``
#: and ``CT_Row``/``CT_Tc`` span properties this module reproduces (tests/formats/test_docxwalk.py)
VERIFIED = ("1.2.0",)
INSTALLED = getattr(docx, "__version__", None)
ENABLED = INSTALLED in VERIFIED
#: a vertical merge over more rows goes to python-docx (whose recursion, one level per row,
#: ends in RecursionError near the interpreter's limit: that outcome is its to decide)
MAX_CHAIN = 200

W_P, W_R, W_T, W_HYPERLINK = qn("w:p"), qn("w:r"), qn("w:t"), qn("w:hyperlink")
W_TBL, W_TR, W_TC = qn("w:tbl"), qn("w:tr"), qn("w:tc")
W_TRPR, W_GRIDBEFORE, W_TCPR, W_GRIDSPAN, W_VMERGE = (
    qn("w:trPr"), qn("w:gridBefore"), qn("w:tcPr"), qn("w:gridSpan"), qn("w:vMerge"),
)
W_VAL = qn("w:val")
#: run children whose text python-docx takes from the element's ``__str__`` (``CT_R.text``)
_RUN_OTHER = frozenset(qn(t) for t in ("w:br", "w:cr", "w:noBreakHyphen", "w:ptab", "w:tab"))

_told = False


def tell_unverified() -> None:
    """Say once per process that DOCX tables are read at python-docx's own speed, and why."""
    global _told
    if not _told:
        _told = True
        log.info("DOCX fast path off: python-docx %s installed, proven on %s", INSTALLED, VERIFIED)


class Unusual(Exception):  # noqa: N818 - reads as what was met
    """Something python-docx would refuse or this walk does not reproduce: python-docx reads it."""


def _run_text(r: etree._Element) -> str:
    """``CT_R.text``: its ``w:t`` texts and the text equivalents of breaks, tabs and hyphens."""
    parts = []
    for e in r:
        tag = e.tag
        if tag == W_T:
            parts.append(e.text or "")  # CT_Text.__str__
        elif tag in _RUN_OTHER:
            parts.append(str(e))  # python-docx's own element class decides (a page break is "")
    return "".join(parts)


def paragraph_text(p: etree._Element) -> str:
    """``CT_P.text``: the text of its ``w:r`` and ``w:hyperlink`` children in document order."""
    parts = []
    for e in p:
        tag = e.tag
        if tag == W_R:
            parts.append(_run_text(e))
        elif tag == W_HYPERLINK:
            parts.append("".join(_run_text(r) for r in e.findall(W_R)))
    return "".join(parts)


def _val(e: etree._Element) -> int:
    """A required ``w:val`` read as ``ST_DecimalNumber`` (``int``)."""
    value = e.get(W_VAL)
    if value is None:
        raise Unusual("no w:val")  # python-docx: InvalidXmlError
    try:
        return int(value)
    except ValueError as exc:
        raise Unusual(str(exc)) from exc


def _grid_before(tr: etree._Element) -> int:
    trpr = tr.find(W_TRPR)
    if trpr is None:
        return 0
    before = trpr.find(W_GRIDBEFORE)
    return 0 if before is None else _val(before)


class Grid:
    """One table's rows as python-docx sees them: cells, spans, grid offsets, merge origins.

    A cell is named by its place, (row, index in the row's ``w:tc``)."""

    def __init__(self, tbl: etree._Element) -> None:
        self.trs = tbl.findall(W_TR)  # CT_Tbl.tr_lst
        self.tcs: list[list[etree._Element]] = []
        self.spans: list[list[int]] = []
        self.before: list[int] = []
        self.continues: list[list[bool]] = []
        for tr in self.trs:
            tcs = tr.findall(W_TC)  # CT_Row.tc_lst
            spans, continues = [], []
            for tc in tcs:
                span, cont = 1, False
                tcpr = tc.find(W_TCPR)  # CT_Tc.grid_span, CT_Tc.vMerge
                if tcpr is not None:
                    grid_span = tcpr.find(W_GRIDSPAN)
                    if grid_span is not None:
                        span = _val(grid_span)
                    vmerge = tcpr.find(W_VMERGE)
                    if vmerge is not None:
                        cont = vmerge.get(W_VAL, "continue") == "continue"
                spans.append(span)
                continues.append(cont)
            self.tcs.append(tcs)
            self.spans.append(spans)
            self.continues.append(continues)
            self.before.append(_grid_before(tr))
        self._origins: dict[tuple[int, int], tuple[int, int, int]] = {}

    def starts(self) -> set[int]:
        """The grid columns some cell begins at (``word._cell_starts`` before the slivers)."""
        starts: set[int] = set()
        for before, spans in zip(self.before, self.spans, strict=True):
            col = before
            for span in spans:
                starts.add(col)
                col += span
        return starts

    def origin(self, i: int, k: int) -> tuple[int, int, int]:
        """Row, index and depth of the cell whose content cell ``k`` of row ``i`` shows.

        ``_Row.cells``' ``iter_tc_cells``: a ``vMerge`` "continue" cell shows the cell above
        it (``CT_Tc._tc_above``: in the previous row, the cell starting at the same grid
        offset, ``CT_Row.tc_at_grid_offset``), recursively."""
        if not self.continues[i][k]:
            return i, k, 0
        known = self._origins.get((i, k))
        if known is not None:
            return known
        if i == 0:
            raise Unusual("no tr above topmost tr")  # python-docx: ValueError
        offset = self.before[i] + sum(self.spans[i][:k])
        remaining = offset - self.before[i - 1]
        for m, span in enumerate(self.spans[i - 1]):
            if remaining < 0:
                break
            if remaining == 0:
                row, index, depth = self.origin(i - 1, m)
                if depth >= MAX_CHAIN:
                    raise Unusual("merge chain too deep")
                found = self._origins[i, k] = (row, index, depth + 1)
                return found
            remaining -= span
        raise Unusual(f"no tc at grid offset {offset}")  # python-docx: ValueError

    def cells(self, i: int) -> list[tuple[int, int]]:
        """``_Row.cells`` of row ``i``: each cell's origin, once per grid column the origin spans."""
        out: list[tuple[int, int]] = []
        for k in range(len(self.tcs[i])):
            row, index, _ = self.origin(i, k)
            out.extend([(row, index)] * self.spans[row][index])
        return out

    def text(self, cell: tuple[int, int]) -> str:
        """``_Cell.text``: its paragraphs' texts, one a line."""
        return "\n".join(paragraph_text(p) for p in self.tcs[cell[0]][cell[1]].findall(W_P))

    def tables(self, cell: tuple[int, int]) -> list[etree._Element]:
        """``_Cell.tables``: the tables directly inside the cell."""
        return self.tcs[cell[0]][cell[1]].findall(W_TBL)

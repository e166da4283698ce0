"""Every input becomes one stream of cell tokens in reading order.

HTML tables, DOCX/PDF tables, tab rows, ``|`` cells, one-cell-per-line flattenings and
label-plus-digits lines (``规章000``) all reduce to: text cells, value cells, and row ends
where the layout knows them. The aligner then needs only one algorithm.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from .numbers import Kind, clean, read_number

TEXT, VALUE, BLANK, MALFORMED, END = "text", "value", "blank", "malformed", "end"
#: grid structure: a row of a real grid starts (its tokens' positions are columns), and the
#: places a merged cell covers beyond its first (across: HSPAN, down from the row above: VSPAN)
GRID, HSPAN, VSPAN = "grid", "hspan", "vspan"
#: a text row whose empty cells keep their places (tab or ``|`` separated): positions give an order
LINE = "line"


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str = ""
    value: Decimal | None = None
    #: a bare digit run that may be several cells run together (``2000002``)
    splittable: bool = False
    #: an empty cell (as opposed to a printed dash, slash or 无)
    empty: bool = False


#: the text of a cell a reader saw but could not read (``gxcrawler.formats.ocr``)
UNREAD = "\ufffd"
ROW_END = Token(END)
GRID_ROW = Token(GRID)
#: a grid row that starts one of a reader's tables (PDF, DOCX, OCR): the aligner counts tables
TABLE_START = Token(GRID, "table")
SPAN_ACROSS = Token(HSPAN)
SPAN_DOWN = Token(VSPAN)
LINE_ROW = Token(LINE)
EMPTY = Token(BLANK, "", empty=True)


def cell_token(text: str, *, may_split: bool = False) -> Token:
    """One cell; ``may_split`` when the layout does not show where cells end."""
    return _cell_token(text, may_split)


@lru_cache(maxsize=16384)
def _cell_token(text: str, may_split: bool) -> Token:
    s = text.strip()
    if not s:
        return EMPTY
    if s == UNREAD:  # a number cell OCR could not read with certainty: left out, never blank
        return Token(MALFORMED, s)
    r = read_number(s)
    if r.kind is Kind.VALUE:
        c = clean(s)
        return Token(VALUE, s, r.value, splittable=may_split and len(c) > 1 and c.isdigit())
    if r.kind is Kind.BLANK:
        return Token(BLANK, s)
    if r.kind is Kind.MALFORMED:
        return Token(MALFORMED, s)
    return Token(TEXT, s)


_MD_RULE = re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|?)+\s*$")
_WS_SPLIT = re.compile(r"[ \u00a0\u3000]{2,}|\t")
_TAIL = re.compile(r"(?:[ \u00a0\u3000]+(?:[-+]?[0-9０-９][0-9０-９,，.．]*|[-/—无]))+$")


def line_cells(line: str) -> tuple[list[str], bool]:
    """Split one text line into cells; the flag says the line is a whole table row."""
    if "\t" in line:
        return [c for c in line.split("\t")], True
    if "|" in line:
        if _MD_RULE.match(line):
            return [], False
        parts = line.split("|")
        if line.rstrip().endswith("|"):
            parts = parts[:-1]
        if line.lstrip().startswith("|") and len(parts) > 1:
            parts = parts[1:]
        bare_line = line.strip()
        # "| a |  |" is a whole markdown row, however empty; "||" is two empty cells in a run
        markdown = bare_line.startswith("|") and bare_line.endswith("|") and bare_line.strip("|") != ""
        return parts, markdown or sum(1 for p in parts if p.strip()) >= 2
    stripped = line.strip()
    if not stripped:
        return [line], False
    parts = [p for p in _WS_SPLIT.split(stripped) if p]
    if len(parts) >= 2 and any(read_number(p).kind is not Kind.TEXT for p in parts[1:]):
        return [q for i, p in enumerate(parts) for q in (_spaced_cells(p) if i else [p])], True
    m = _TAIL.search(stripped, max(0, len(stripped) - 600))
    if m and m.start() > 0:
        head = stripped[: m.start()].strip()
        return [head, *m.group(0).split()], True
    return [stripped], False


_SPACED = re.compile(r"(?:[-+]?[0-9]+(?:[.,][0-9]+)?|[-/—无])(?: (?:[-+]?[0-9]+(?:[.,][0-9]+)?|[-/—无]))+")


def _spaced_cells(part: str) -> list[str]:
    """``0 0 1`` between wider gaps is three cells (OCR, pdftotext), unless it can be one
    number grouped by spaces (``33 764``: every later group three digits)."""
    if " " not in part or not _SPACED.fullmatch(part):
        return [part]
    pieces = part.split(" ")
    if all(len(q) == 3 and q.isdigit() for q in pieces[1:]) and pieces[0].lstrip("-+").isdigit():
        return [part]
    return pieces


_TAIL_CHARS = frozenset("0123456789０１２３４５６７８９,，.．-+减增无/／—")
_PIECE = re.compile(r"[-+减增]*[0-9０-９][0-9０-９,，.．]*|无|[/／]|—|[-+]+")


def split_run(cell: str) -> list[str]:
    """'规章000' -> ['规章', '000']; '行政规范性文件无无300' -> [label, '无', '无', '300'].

    A label with its cells run onto its end: the tail is cut at blank marks and signs; runs
    of bare digits stay whole (the aligner cuts them with the identities).
    """
    i = len(cell)
    while i > 0 and cell[i - 1] in _TAIL_CHARS:
        i -= 1
    tail = cell[i:]
    head = cell[:i]
    if not head.strip() or not any(ch.isdigit() for ch in tail) or len(head) > 90:
        return [cell]
    if head.rstrip().endswith(("年", "月", "第", "第二十条")):
        return [cell]
    pieces = _PIECE.findall(tail)
    if "".join(pieces) != tail:
        return [cell]
    return [head, *pieces]


#: page furniture a text layer leaves wherever a page ends (``- 2 -``, ``— 2 —``, ``第 2 页``,
#: ``第2页 共5页``, ``Page 2``, ``P. 2``): never a cell, or a table's rows would shift
_FURNITURE = re.compile(
    r"^\s*(?:[-—–－]{1,2}\s*\d{1,3}\s*[-—–－]{1,2}"
    r"|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?|共\s*\d{1,3}\s*页\s*第\s*\d{1,3}\s*页"
    r"|(?:Page|PAGE|page)\s*\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?|P\.\s*\d{1,3})\s*$"
)


def is_furniture(line: str) -> bool:
    """A page number line (never a lone number: in a dump that is a cell)."""
    return len(line) < 24 and _FURNITURE.match(line) is not None


def text_tokens(lines: Iterable[str]) -> Iterator[Token]:
    """Tokens of a plain-text flattening, line by line; page furniture skipped; a table
    flattened as one ``cell |`` per line read as its grid where its width is proven."""
    from .pipegrid import blocks

    lines = [ln for ln in lines if not is_furniture(ln)]  # a blank line still ends a block
    grids = blocks(lines) if any(ln.endswith("|") for ln in lines) else {}
    skip_to = 0
    for i, line in enumerate(lines):
        if i < skip_to or not line:
            continue
        if i in grids:
            skip_to, rows = grids[i]
            for row in rows:
                yield GRID_ROW
                for text in row:
                    yield SPAN_DOWN if text is None else cell_token(text)
                yield ROW_END
            continue
        cells, is_row = line_cells(line)
        if is_row and ("\t" in line or "|" in line):
            yield LINE_ROW
        for cell in cells:
            if not cell.strip():
                yield EMPTY
                continue
            whole = cell_token(cell, may_split=not is_row)
            pieces = split_run(cell.strip()) if whole.kind == TEXT else [cell]
            if len(pieces) >= 2:
                yield Token(TEXT, pieces[0].strip())
                # a sign between digits, or ——, which may be one blank or two: every cut is doubtful
                doubtful = "——" in cell or any(not p[0].isdigit() and p[-1].isdigit() for p in pieces[1:])
                for piece in pieces[1:]:
                    tok = cell_token(piece, may_split=not doubtful)
                    yield Token(MALFORMED, piece) if tok.kind == TEXT else tok
            else:
                yield whole
        if is_row:
            yield ROW_END

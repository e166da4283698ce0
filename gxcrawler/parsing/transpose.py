"""Section 三 printed transposed — applicant types as rows, outcomes as columns — turned back.

Some agencies print section 三 the other way round: one row per applicant type (自然人,
法人或其他组织 × 5, 总计) and one column per outcome (本年新收…, 上年结转…, 予以公开, … 结转下年度继续
办理), the outcomes under a header of up to three rows with merged cells. The aligner reads
rows by their outcome labels and columns by their applicant headers, so a grid whose
orientation is *proven by its labels* is turned back here, merged cells and all, and the
aligner's proof by labels then applies to it unchanged (a label it cannot read still leaves
its cells out).

Proven means: a run of grid rows each labelled with exactly one applicant type (nothing else
in the label but the 法人或其他组织 group), no two alike, every cell after the labels a value
or blank; above them header rows without values that name section-三 outcomes over the value
columns and no applicant type there. Anything else is left as printed (the aligner then
leaves the table out), with a warning where the table looked transposed but could not be
turned safely (ragged rows, a merged cell crossing the table's edge).

Works on the token stream (``GRID`` rows with ``HSPAN``/``VSPAN`` places), so HTML tables and
the PDF/DOCX/spreadsheet readers' grids are turned alike.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .labels import match_row, strip_enumerator
from .normalize import bare, fold
from .pipegrid import runs
from .tokens import END, GRID, HSPAN, LINE, SPAN_ACROSS, SPAN_DOWN, TEXT, VSPAN, Token

#: an applicant type as a row label prints it (``bare`` form) -> its column key
APPLICANTS = {
    "自然人": "natural", "商业企业": "commercial", "科研机构": "research", "社会公益组织": "nonprofit",
    "公益组织": "nonprofit", "法律服务机构": "legal", "其他": "other", "总计": "total", "合计": "total",
}  # fmt: skip
_GROUP = "法人或其他组织"
_GROUPS = ("申请人情况", "申请人类型", _GROUP)
#: applicant words that name nothing else (其他 and 总计 are outcome labels too)
_TYPES = (_GROUP, "自然人", "商业企业", "科研机构", "公益组织", "法律服务机构")
_OUTCOMES_NEEDED = 3  # distinct section-三 outcome labels a header must name


@dataclass
class _Cell:
    token: Token
    row: int
    col: int


def applicant(label: str) -> str | None:
    """The applicant type a row label names, or None (anything else in it: not proven)."""
    _enum, rest = strip_enumerator(fold(label))
    b = bare(rest)
    for group in _GROUPS:  # the group labels a row label may carry before the type
        if b.startswith(group) and b != group:
            b = b[len(group) :]
    return APPLICANTS.get(b)


def turn(tokens: Sequence[Token]) -> tuple[list[Token], list[str]]:
    """The token stream with every proven transposed section 三 turned back; plus warnings."""
    if not _applicant_row(tokens):  # the common page: 自然人 only as a column header, fast
        return list(tokens), []
    out: list[Token] = []
    notes: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        kind = tokens[i].kind
        if kind not in (GRID, LINE):
            out.append(tokens[i])
            i += 1
            continue
        rows: list[list[Token]] = []
        first = i
        while i < n and tokens[i].kind == kind:  # a block: rows one after another
            j = i + 1
            while j < n and tokens[j].kind != END:
                j += 1
            rows.append(list(tokens[i + 1 : j]))
            i = j + 1
        block = _block(rows, notes) if kind == GRID else _line_block(rows, notes)
        # a block left as it was keeps its own row markers (a reader's table starts)
        out.extend(tokens[first:i] if i <= n and block == _emit(rows, kind) else block)
    return out, notes


def pipe_rows(lines: Sequence[str]) -> list[str]:
    """Text with one ``cell |`` a line and the places merged cells cover as runs of ``|`` (a
    row's end not marked; read by :func:`.pipegrid.runs`): a run of such lines holding a
    transposed section 三 is written back as tab rows — its width read from its applicant
    labels, one a row in the same label column (their places a constant width apart), and only
    when its places fill whole rows of that width. The tab rows then go through the same proof
    as any (:func:`turn`); other lines are returned unchanged."""
    if not any("自然" in ln and "|" in ln for ln in lines):
        return list(lines)
    out: list[str] = []
    done = 0
    for i, j, places in runs(lines, 20):
        rows = _pipe_table(["" if p is None else p for p in places])
        if rows is not None:
            out += [*lines[done:i], *rows]
            done = j
    return [*out, *lines[done:]]


def _pipe_table(places: list[str]) -> list[str] | None:
    where = [
        k
        for k, text in enumerate(places)
        if applicant(text) not in (None, "natural", "total") and not strip_enumerator(fold(text))[0]
    ]  # 3.其他 is an outcome's item, not an applicant type
    width = math.gcd(*(b - a for a, b in zip(where, where[1:], strict=False))) if len(where) >= 4 else 0
    if width < 8 or len(places) % width or len({k % width for k in where}) != 1:
        return None  # the parts, one a row in one column: their places a whole number of rows apart
    return ["\t".join(places[k : k + width]) for k in range(0, len(places), width)]


def _line_block(rows: list[list[Token]], notes: list[str]) -> list[Token]:
    """Tab or ``|`` rows, where a merged cell prints once and leaves empty cells in the places
    it covers. A transposed section 三 among them is given its merges back (an empty cell in
    the header or beside a row label continues the cell to its left when that cell starts in
    the same row, else the one above — which way only decides whose span it is, never a
    value's place: the labels' texts stay where they were printed) and turned like a grid;
    everything else stays as printed."""
    kinds = [_line_applicant(row) for row in rows]
    for r, end in _applicant_runs(kinds):
        start = r
        while start > 0 and not any(t.kind != TEXT and not t.empty for t in rows[start - 1]):
            start -= 1  # header rows: no values
        if start < r and end - r >= 3:
            labels = 1 + max(max(k for k, t in enumerate(row) if t.kind == TEXT) for row in rows[r:end])
            spanned = [
                _spans(row, labels if k >= r - start else len(row), top=k == 0)
                for k, row in enumerate(rows[start:end])
            ]
            before = len(notes)
            turned = _block(spanned, notes)
            if len(notes) > before and notes[-1].endswith("read turned back"):
                return _emit(rows[:start], LINE) + turned + _line_block(rows[end:], notes)
    return _emit(rows, LINE)


def _applicant_runs(kinds: list[str | None]) -> Iterator[tuple[int, int]]:
    """(first, end) of each run of consecutive rows labelled with an applicant type."""
    r = 0
    while r < len(kinds):
        if kinds[r] is None:
            r += 1
            continue
        end = r
        while end < len(kinds) and kinds[end] is not None:
            end += 1
        yield r, end
        r = end


def _spans(row: list[Token], labels: int, *, top: bool) -> list[Token]:
    """Empty cells before ``labels`` as the spans of the merged cells that left them (in the
    top row, an empty cell with nothing to its left is an empty corner)."""
    out: list[Token] = []
    starts_here = False  # the place to the left belongs to a cell that starts in this row
    for c, tok in enumerate(row):
        if c < labels and tok.empty and (starts_here or not top):
            out.append(SPAN_ACROSS if starts_here else SPAN_DOWN)
            continue
        out.append(tok)
        starts_here = tok.kind == TEXT
    return out


def _line_applicant(row: list[Token]) -> str | None:
    """The applicant type a tab/``|`` row is labelled with (its text cells before its values)."""
    texts = [t for t in row if t.kind == TEXT]
    if not texts or not any(t.kind != TEXT for t in row):
        return None
    last = max(k for k, t in enumerate(row) if t.kind == TEXT)
    if any(t.kind != TEXT and not t.empty for t in row[:last]):
        return None  # a value before a label: not a labelled row
    return applicant("".join(t.text for t in texts))


def _applicant_row(tokens: Sequence[Token]) -> bool:
    """Some 自然人 label has a value (or blank) after it in its row: a row, not a header."""
    n = len(tokens)
    for i in [i for i, t in enumerate(tokens) if "自然" in t.text]:
        j = i + 1
        while j < n and tokens[j].kind in (HSPAN, VSPAN, TEXT) and "自然" not in tokens[j].text:
            if tokens[j].kind == TEXT and tokens[j].text:
                break
            j += 1
        if j < n and tokens[j].kind not in (TEXT, END, GRID, HSPAN, VSPAN):
            return True
    return False


def _emit(rows: Sequence[Sequence[Token]], marker: str = GRID) -> list[Token]:
    """Rows back as tokens, each opened by ``marker`` (a grid row, or a text ``LINE``)."""
    out: list[Token] = []
    for row in rows:
        out.append(Token(marker))
        out.extend(row)
        out.append(Token(END))
    return out


def _places(rows: Sequence[Sequence[Token]]) -> list[list[_Cell]] | None:
    """Each place of the block -> the cell whose text covers it (a merged cell's origin)."""
    grid: list[list[_Cell]] = []
    for r, row in enumerate(rows):
        line: list[_Cell] = []
        for c, tok in enumerate(row):
            if tok.kind == HSPAN:
                if not line:
                    return None
                line.append(line[-1])
            elif tok.kind == VSPAN:
                if r == 0 or c >= len(grid[r - 1]):
                    return None
                line.append(grid[r - 1][c])
            else:
                line.append(_Cell(tok, r, c))
        grid.append(line)
    return grid


def _label_width(line: list[_Cell]) -> int:
    k = 0
    while k < len(line) and line[k].token.kind == TEXT:
        k += 1
    return k


def _row_applicant(line: list[_Cell]) -> str | None:
    k = _label_width(line)
    if k == 0 or k == len(line) or any(p.token.kind == TEXT for p in line[k:]):
        return None
    seen: list[_Cell] = []
    for p in line[:k]:
        if p not in seen:
            seen.append(p)
    return applicant("".join(p.token.text for p in seen))


def _valued(p: _Cell) -> bool:
    return p.token.kind != TEXT and not p.token.empty


def _block(rows: list[list[Token]], notes: list[str]) -> list[Token]:
    grid = _places(rows)
    if grid is None or len(rows) < 4:
        return _emit(rows)
    kinds = [_row_applicant(line) for line in grid]
    for r, end in _applicant_runs(kinds):
        found = _region(grid, rows, r, end, kinds)
        if found is not None:
            start, stop, why = found
            if why:
                notes.append(f"s3: applicant types as rows, but {why}; not turned (left out)")
                continue
            turned = _turned(grid, start, stop)
            notes.append("s3: printed with applicant types as rows; read turned back")
            return _emit(rows[:start]) + _emit(turned) + _block(rows[stop:], notes)
    return _emit(rows)


def _region(
    grid: list[list[_Cell]], rows: list[list[Token]], body: int, end: int, kinds: list[str | None]
) -> tuple[int, int, str] | None:
    """(first row, end row, why not) of a transposed section 三 whose body rows are
    ``body:end``; None when the rows are not one (not a table this module turns)."""
    found = kinds[body:end]
    if len(found) < 3 or len(set(found)) != len(found):
        return None
    width = max(len(line) for line in grid[body:end])
    start = body
    while start > 0 and len(grid[start - 1]) == width and not any(_valued(p) for p in grid[start - 1]):
        start -= 1  # header rows: as wide as the body, no values (a table above ends here)
    while start < body and len({id(p) for p in grid[start]}) == 1 and grid[start][0].row == start:
        start += 1  # a caption row across the table stays above it
    if start == body:
        return None
    labels = min(_label_width(line) for line in grid[body:end])
    outcomes: set[str] = set()
    for line in grid[start:body]:
        for p in line[labels:]:
            if p.token.kind != TEXT or p.col < labels:
                continue
            if any(w in bare(p.token.text) for w in _TYPES):
                return None  # applicant types over the values too: not this layout
            m = match_row(p.token.text)
            if m is not None and m.table == "s3":
                outcomes.add(m.row)
    if len(outcomes) < _OUTCOMES_NEEDED:
        return None
    if any(len(line) != width for line in grid[start:end]):
        return start, end, "its rows have different numbers of cells"
    inside = range(start, end)
    for line in grid[start:end]:
        if any(p.row not in inside for p in line):
            return start, end, "a merged cell crosses its top edge"
    for line in grid[end:]:
        if any(p.row in inside for p in line):
            return start, end, "a merged cell crosses its bottom edge"
    return start, end, ""


def _turned(grid: list[list[_Cell]], start: int, stop: int) -> list[list[Token]]:
    """Rows ``start:stop`` transposed: place (r, c) goes to (c, r); a merged cell keeps its
    text at its origin and becomes spans elsewhere (across in its own new row, down below)."""
    width = len(grid[start])
    out: list[list[Token]] = []
    for c in range(width):
        line: list[Token] = []
        for r in range(start, stop):
            p = grid[r][c]
            if p.row == r and p.col == c:
                line.append(p.token)
            elif p.col == c:
                line.append(SPAN_ACROSS)
            else:
                line.append(SPAN_DOWN)
        out.append(line)
    return out

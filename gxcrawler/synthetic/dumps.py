"""Text as flipbooks, PDF-to-text and OCR give it: tables read in odd orders, with page furniture.

* :func:`render_column_dump` — every table read **column by column** (the text layer of
  a flipbook, pdftotext on narrow columns): all of a column's cells top to bottom, then
  the next column. A merged cell appears once, in its first column. Text layers come page
  by page, so a table running over a page end is read as two: its rows on each page column
  by column (the header rows repeated on the next page in half the reports).
* :func:`render_row_dump` — one cell per line, row by row (as the seeds), but with page
  furniture between the lines of a table and labels broken by hard line breaks.
* :func:`render_ocr` — an OCR engine's text: one line per printed line, cells separated
  by spaces, a tall cell's text on the line of its middle, long labels wrapped over
  several lines, look-alike characters in labels (一/-, 人/入, 未/末, 开/幵, 1./l.) and
  stray spaces. Numbers are exact.

Page furniture (``- 2 -``, ``第 2 页``, ``第2页 共5页``, ``Page 2``, ``P. 2``) falls wherever a
page ends, tables included (in a column dump between the rows of two pages, never inside
one column's run: a page's text cannot hold the next page's cells). An empty value cell leaves no trace in these texts; when the
report prints its blanks as empty cells, the cells whose place can then no longer be
proven (the whole column, or the whole row) are moved to ``absent`` in the truth:
a reader must leave them out. Each renderer returns ``(text, truth)``; the truth is a
copy of the report, the input is not changed.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator

from .html import publication_line
from .regrid import coverage
from .report import EPILOGUE, SyntheticReport, expected_failing
from .tables import Cell, Grid, expand, sections

FURNITURE = ("- {n} -", "第 {n} 页", "第{n}页 共{m}页", "Page {n}", "P. {n}", "— {n} —", "-{n}-")
LOOKALIKES = {"一": "-", "人": "入", "未": "末", "开": "幵"}


class _Pages:
    """Cuts a stream of lines into pages and prints the furniture where each page ends."""

    def __init__(self, rng: random.Random, pages: int = 6) -> None:
        self.rng = rng
        self.style = rng.choice(FURNITURE)
        self.page = 1
        self.pages = pages
        self.room = rng.randint(25, 60)

    def feed(self, lines: list[str]) -> Iterator[str]:
        for line in lines:
            yield line
            self.room -= 1
            if self.room <= 0:
                yield from self.turn()

    def turn(self) -> Iterator[str]:
        yield ""
        yield self.style.format(n=self.page, m=self.pages)
        yield ""
        self.page += 1
        self.room = self.rng.randint(25, 60)


def break_label(text: str, width: int) -> list[str]:
    """A label as a narrow cell prints it: hard line breaks every ``width`` characters."""
    if width <= 0 or len(text) <= width:
        return [text]
    return [text[i : i + width] for i in range(0, len(text), width)]


def _invisible(cell: Cell, shown_blanks: bool) -> bool:
    return cell.kind == "value" and not cell.text and not shown_blanks


def _shown(cell: Cell, shown_blanks: bool) -> str:
    if cell.kind == "value" and not cell.text and shown_blanks:
        return "/"
    return cell.text


def _lose(truth: SyntheticReport, keys: set[str]) -> None:
    truth.values = {k: v for k, v in truth.values.items() if k not in keys}
    truth.blank = [k for k in truth.blank if k not in keys]
    truth.absent = sorted(set(truth.absent) | keys)


def _head(report: SyntheticReport, rng: random.Random, truth: SyntheticReport) -> list[str]:
    lines = [report.title, ""]
    if rng.random() < 0.6:  # the page's own publication line came along with the text
        lines += [publication_line(report, rng).replace("&nbsp;", " "), ""]
        truth.published_truth = report.published_date
    lines += [p for para in report.prose for p in (para, "")]
    return lines


def _document(
    report: SyntheticReport, rng: random.Random, table_lines, *, paged: bool = False
) -> tuple[str, SyntheticReport]:
    """Title, prose, every section's tables (as ``table_lines`` prints them), epilogue, paged.

    ``paged``: ``table_lines(grid, pages)`` pages the table itself (where its rows break
    across pages) and returns lines with the furniture already in them.
    """
    truth = copy.deepcopy(report)
    lost: set[str] = set()
    pages = _Pages(rng)
    out = list(pages.feed(_head(report, rng, truth)))
    for section in sections(report, split_headers=rng.random() < 0.2):
        out += list(pages.feed([section.heading, ""]))
        for grid in section.tables:
            if paged:
                lines, gone = table_lines(grid, pages)
                out += [*lines, ""]
            else:
                lines, gone = table_lines(grid)
                out += list(pages.feed([*lines, ""]))
            lost |= gone
    out += list(pages.feed([p for para in EPILOGUE for p in (para, "")]))
    out += list(pages.turn())
    if lost:
        _lose(truth, lost)
        truth.deviations.append(f"invisible_blanks_or_headless_pages({len(lost)} cells absent)")
    truth.failing_rules = expected_failing(truth)
    return "\n".join(out), truth


def _label_width(rng: random.Random) -> int:
    return rng.choice((0, 6, 8, 10, 12))


def render_column_dump(report: SyntheticReport) -> tuple[str, SyntheticReport]:
    """The report with every table read column by column, page by page.

    A text layer is extracted page by page, so a table that runs over a page end is two
    tables in the text: the rows on the first page read column by column, the furniture,
    then the rows on the next page read column by column. A merged label cell is printed
    where it starts. The next page repeats the header rows when the document says so (Word's
    "repeat as header row", half the reports); where it does not, nothing on that page names
    the columns of its rows, and their cells are ``absent``.
    """
    rng = random.Random(report.seed * 41 + 3)
    shown_blanks = rng.random() < 0.5
    width = _label_width(rng)
    repeat = rng.random() < 0.5

    def table_lines(grid: Grid, pages: _Pages) -> tuple[list[str], set[str]]:
        matrix = expand(grid)
        depth = next((r for r, row in enumerate(matrix) if any(c and c.kind == "value" for c in row)), 0)
        cost = [
            max([1, *(len(break_label(c.text, width)) for c in row if c is not None and c.kind != "value")])
            for row in matrix
        ]
        out: list[str] = []
        lost: set[str] = set()
        start = 0
        while start < len(matrix):
            end, used = start, 0
            while end < len(matrix) and (end == start or used + cost[end] <= pages.room):
                used += cost[end]
                end += 1
            rows = list(range(start, end))
            repeated = start > 0 and repeat and start >= depth
            if repeated:
                rows = list(range(depth)) + rows
            runs = [[matrix[r][c] for r in rows if matrix[r][c] is not None] for c in range(len(matrix[0]))]
            lines, gone = _runs_as_lines(runs, shown_blanks, width, gap=False)
            if start > 0 and not repeated:
                gone |= _unnamed(grid, depth, start, end)
            lost |= gone
            out += lines
            pages.room -= used
            if end < len(matrix):
                out += list(pages.turn())
            start = end
        return out, lost

    return _document(report, rng, table_lines, paged=True)


def _unnamed(grid: Grid, depth: int, start: int, end: int) -> set[str]:
    """Keys of the value cells in rows ``start:end`` printed on a page that does not name their
    column: the header cells of their column printed on that page (those starting there) must
    not all sit over another column as well (结果维持 alone, its body on the page before, could
    be any body's)."""
    cover = coverage(grid)
    width = len(cover[0])
    paths: list[list[tuple[int, Cell]]] = []  # per column: (origin row, cell) of its header cells
    for c in range(width):
        path: list[tuple[int, Cell]] = []
        for r in range(depth):
            cell = cover[r][c]
            if cell.text and all(cell is not other for _, other in path):
                path.append((r, cell))
        paths.append(path)
    full = [{cell.text for _, cell in path} for path in paths]
    lost: set[str] = set()
    for c in range(width):
        printed = {cell.text for r, cell in paths[c] if start <= r < end}
        named = bool(printed) and not any(printed <= full[d] for d in range(width) if d != c and full[d] != full[c])
        if not named:
            lost |= {cover[r][c].key for r in range(max(start, depth), end) if cover[r][c].key}
    return lost


def render_row_dump(report: SyntheticReport) -> tuple[str, SyntheticReport]:
    """One cell per line, row by row, labels broken by hard line breaks, furniture between."""
    rng = random.Random(report.seed * 43 + 5)
    shown_blanks = rng.random() < 0.5
    width = _label_width(rng) or 8
    gap = rng.random() < 0.5

    def table_lines(grid: Grid) -> tuple[list[str], set[str]]:
        return _runs_as_lines(grid, shown_blanks, width, gap=gap)

    return _document(report, rng, table_lines)


def _runs_as_lines(
    runs: list[list[Cell]], shown_blanks: bool, width: int, *, gap: bool
) -> tuple[list[str], set[str]]:
    """Cells one per line, run after run (a run is a row or a column); labels broken at ``width``.

    Returns the lines and the keys of every run holding a blank that left no trace.
    """
    lines: list[str] = []
    lost: set[str] = set()
    for run in runs:
        if any(_invisible(cell, shown_blanks) for cell in run):
            lost.update(cell.key for cell in run if cell.key)
        for cell in run:
            text = _shown(cell, shown_blanks)
            if not text:
                continue
            lines += [text] if cell.kind == "value" else break_label(text, width)
            if gap:
                lines.append("")
    return lines, lost


# ---------------------------------------------------------------- OCR
def ocr_label(text: str, rng: random.Random, rate: float) -> str:
    """A label as OCR misreads it: look-alike characters, a stray space; digits untouched."""
    out = []
    for i, ch in enumerate(text):
        if ch in LOOKALIKES and rng.random() < rate:
            ch = LOOKALIKES[ch]
        elif ch == "1" and text[i + 1 : i + 2] in (".", "．") and rng.random() < rate:
            ch = "l"
        out.append(ch)
    # a stray space, never beside a digit or a point (that would make a number of a label)
    spots = [i for i in range(1, len(out)) if not {out[i - 1], out[i]} & set("0123456789.．l")]
    if spots and rng.random() < rate:
        out.insert(rng.choice(spots), " ")
    return "".join(out)


def render_ocr(report: SyntheticReport) -> tuple[str, SyntheticReport]:
    """The report as OCR text: each table line by line, cells apart by spaces."""
    rng = random.Random(report.seed * 47 + 7)
    shown_blanks = rng.random() < 0.6
    width = rng.choice((8, 10, 12, 14))
    rate = rng.choice((0.3, 0.6, 1.0))

    def table_lines(grid: Grid) -> tuple[list[str], set[str]]:
        matrix = expand(grid)
        # per grid row, its band of printed lines: each line a list of (column, text)
        bands: list[list[list[tuple[int, str]]]] = [[] for _ in matrix]
        lost: set[str] = set()
        placements: list[tuple[int, int, list[str]]] = []  # (row, column, lines)
        for r, row in enumerate(matrix):
            if any(cell is not None and _invisible(cell, shown_blanks) for cell in row):
                lost.update(cell.key for cell in row if cell is not None and cell.key)
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                text = _shown(cell, shown_blanks)
                if not text:
                    continue
                if cell.kind == "value":
                    placements.append((r, c, [text]))
                else:
                    lines = break_label(ocr_label(text, rng, rate), width)
                    placements.append((r + (cell.rowspan - 1) // 2, c, lines))
        height = [1] * len(matrix)
        for r, _, lines in placements:
            height[r] = max(height[r], len(lines))
        for r, c, lines in placements:
            band = bands[r]
            while len(band) < height[r]:
                band.append([])
            start = (height[r] - 1) // 2 if len(lines) == 1 else 0
            for i, line in enumerate(lines):
                band[start + i].append((c, line))
        out: list[str] = []
        for band in bands:
            for line in band:
                if line:
                    out.append((" " * rng.randint(1, 4)).join(t for _, t in sorted(line)))
        return out, lost

    return _document(report, rng, table_lines)

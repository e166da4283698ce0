"""Property helpers: move the columns or rows of any table, with or without their headers.

A table is handled as its *coverage*: the full matrix in which every position points at
the cell that covers it. Columns and rows are moved in that matrix and the grid is
rebuilt from it, a merged cell cut into as many pieces as its positions now form
rectangles (each piece keeps the text, as a header repeated over split columns does).

* :func:`permute_table` moves columns and/or rows **together with their headers**: every
  value keeps its labels, so the truth is unchanged.
* :func:`shuffle_headers` moves the **headers alone**: the values stay where they were
  and the labels over (or beside) them change. Three modes:

  - ``shift``: a header is lost and the ones after it move over by one (what a dropped
    empty cell does); the last column is left without a header.
  - ``duplicate``: one column's header is replaced by a copy of another's.
  - ``swap``: two headers trade places.

  ``shift`` and ``duplicate`` leave labels that no longer prove where the moved columns
  belong: their cells are *absent* from the truth (a reader must leave them out, never
  guess). ``swap`` leaves a table whose labels are perfectly consistent — no reader can
  tell it from a table printed in that order — so its truth is what the labels say (the
  values *relabelled*); a reader that trusts template positions gets those cells wrong.

:func:`with_permuted_table` and :func:`with_shuffled_headers` apply them to one table of a
report and return a new report whose truth says exactly that.
"""

from __future__ import annotations

import copy
import random
from dataclasses import replace
from decimal import Decimal

from .report import SyntheticReport, expected_failing
from .tables import Cell, Grid, Section, expand, sections

Coverage = list[list[Cell]]
SHUFFLE_MODES = ("shift", "duplicate", "swap")


# ---------------------------------------------------------------- coverage
def coverage(grid: Grid) -> Coverage:
    """Every position of the table -> the cell covering it (holes become empty cells)."""
    matrix = expand(grid)
    out: list[list[Cell | None]] = [list(row) for row in matrix]
    for r, row in enumerate(matrix):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    out[r + dr][c + dc] = cell
    return [[cell or Cell("", kind="empty") for cell in row] for row in out]


def rebuild(cover: Coverage) -> Grid:
    """The grid of a coverage: each cell's positions cut into maximal rectangles."""
    height, width = len(cover), len(cover[0])
    taken = [[False] * width for _ in range(height)]
    grid: Grid = [[] for _ in range(height)]
    for r in range(height):
        for c in range(width):
            if taken[r][c]:
                continue
            cell = cover[r][c]
            w = 1
            while c + w < width and cover[r][c + w] is cell and not taken[r][c + w]:
                w += 1
            h = 1
            while r + h < height and all(
                cover[r + h][c + dc] is cell and not taken[r + h][c + dc] for dc in range(w)
            ):
                h += 1
            for dr in range(h):
                for dc in range(w):
                    taken[r + dr][c + dc] = True
            grid[r].append(replace(cell, rowspan=h, colspan=w))
    return grid


def transpose(cover: Coverage) -> Coverage:
    return [list(col) for col in zip(*cover, strict=True)]


# ---------------------------------------------------------------- structure
def _value_lines(cover: Coverage) -> list[int]:
    """Columns that hold at least one value cell."""
    return [c for c in range(len(cover[0])) if any(row[c].kind == "value" for row in cover)]


def _header_depth(cover: Coverage) -> int:
    """Rows above the first row that holds a value: the header rows."""
    for r, row in enumerate(cover):
        if any(cell.kind == "value" for cell in row):
            return r
    return len(cover)


def _blocks(cover: Coverage, lines: list[int]) -> list[list[int]]:
    """Value columns grouped so that no value cell straddles two groups (a spanned value moves whole)."""
    blocks: list[list[int]] = []
    for c in lines:
        if (
            blocks
            and blocks[-1][-1] == c - 1
            and any(cover[r][c] is cover[r][c - 1] and cover[r][c].kind == "value" for r in range(len(cover)))
        ):
            blocks[-1].append(c)
        else:
            blocks.append([c])
    return blocks


def _permute_columns(cover: Coverage, rng: random.Random) -> Coverage:
    lines = _value_lines(cover)
    blocks = _blocks(cover, lines)
    if len(blocks) < 2:
        return cover
    order = blocks[:]
    while order == blocks:
        rng.shuffle(order)
    new_lines = [c for block in order for c in block]
    mapping = dict(zip(lines, new_lines, strict=True))  # new position -> old column
    return [[row[mapping.get(c, c)] for c in range(len(row))] for row in cover]


def permute_table(grid: Grid, rng: random.Random, *, columns: bool = True, rows: bool = False) -> Grid:
    """The table with its value columns (and/or value rows) in a new order, labels moved along."""
    cover = coverage(grid)
    if columns:
        cover = _permute_columns(cover, rng)
    if rows:
        cover = transpose(_permute_columns(transpose(cover), rng))
    return rebuild(cover)


# ---------------------------------------------------------------- headers alone
def _column_keys(cover: Coverage, c: int) -> list[str]:
    return [row[c].key for row in cover if row[c].kind == "value" and row[c].key]


def _label_path(cover: Coverage, depth: int, c: int) -> tuple[str, ...]:
    return tuple(cover[r][c].text for r in range(depth))


def _shuffle_columns(
    cover: Coverage, rng: random.Random, mode: str
) -> tuple[Coverage, set[str], dict[str, str]]:
    """Headers moved over the value columns; returns (coverage, absent keys, relabelled keys)."""
    depth = _header_depth(cover)
    lines = [c for c in _value_lines(cover) if len(_column_keys(cover, c)) > 0]
    paths = {c: _label_path(cover, depth, c) for c in lines}
    distinct = [c for c in lines if list(paths.values()).count(paths[c]) == 1]
    if depth == 0 or len(distinct) < 2:
        return cover, set(), {}
    source = {c: c for c in lines}  # value column -> column whose header it now wears
    if mode == "shift":
        start = rng.randrange(len(lines) - 1)
        for i in range(start, len(lines) - 1):
            source[lines[i]] = lines[i + 1]
        source[lines[-1]] = -1  # no header any more
    elif mode == "duplicate":
        a, b = rng.sample(distinct, 2)
        source[b] = a
    elif mode == "swap":
        a, b = rng.sample(distinct, 2)
        source[a], source[b] = b, a
    else:
        raise ValueError(f"unknown mode {mode!r}; one of {SHUFFLE_MODES}")
    blank_header = Cell("", kind="header")
    out = [list(row) for row in cover]
    for c, s in source.items():
        for r in range(depth):
            out[r][c] = blank_header if s < 0 else cover[r][s]
    absent: set[str] = set()
    relabel: dict[str, str] = {}  # key the labels now name -> key whose value is printed there
    changed = [c for c, s in source.items() if s < 0 or paths[s] != paths[c]]
    if mode == "swap":
        for c in changed:
            for old, new in zip(_column_keys(cover, c), _column_keys(cover, source[c]), strict=True):
                relabel[new] = old
    else:
        dup = {paths[source[c]] for c in changed if source[c] >= 0}
        for c in lines:
            if c in changed or paths[c] in dup:
                absent.update(_column_keys(cover, c))
    return out, absent, relabel


def shuffle_headers(
    grid: Grid, rng: random.Random, mode: str = "shift", *, axis: str = "columns"
) -> tuple[Grid, set[str], dict[str, str]]:
    """The table with headers (``axis="columns"``) or row labels (``"rows"``) moved alone.

    Returns the grid, the keys a reader must now leave out, and for ``swap`` the keys
    whose printed value now belongs to another key (``{named key: key of the value}``).
    """
    cover = coverage(grid)
    if axis == "rows":
        cover, absent, relabel = _shuffle_columns(transpose(cover), rng, mode)
        return rebuild(transpose(cover)), absent, relabel
    cover, absent, relabel = _shuffle_columns(cover, rng, mode)
    return rebuild(cover), absent, relabel


# ---------------------------------------------------------------- on a report
def table_of(report: SyntheticReport, code: str) -> Grid:
    """The grid of table ``code`` as the report prints it."""
    for section in sections(report):
        section: Section
        for c, grid in zip(section.codes, section.tables, strict=True):
            if c == code:
                return grid
    raise KeyError(f"no table {code!r} in this report")


def table_codes(report: SyntheticReport) -> list[str]:
    return [c for s in sections(report) for c in s.codes]


def _with_grid(report: SyntheticReport, code: str, grid: Grid) -> SyntheticReport:
    out = copy.deepcopy(report)
    out.shape.grids[code] = grid
    return out


def with_permuted_table(
    report: SyntheticReport, code: str, rng: random.Random, *, columns: bool = True, rows: bool = False
) -> SyntheticReport:
    """A copy of ``report`` whose table ``code`` is permuted with its labels: same truth."""
    return _with_grid(report, code, permute_table(table_of(report, code), rng, columns=columns, rows=rows))


def with_shuffled_headers(
    report: SyntheticReport, code: str, rng: random.Random, mode: str = "shift", *, axis: str = "columns"
) -> SyntheticReport:
    """A copy of ``report`` whose table ``code`` has its headers moved alone, truth updated."""
    grid, absent, relabel = shuffle_headers(table_of(report, code), rng, mode, axis=axis)
    out = _with_grid(report, code, grid)
    if relabel:
        old_values, old_blank = dict(report.values), set(report.blank)
        for named, printed in relabel.items():
            out.values.pop(named, None)
            if named in out.blank:
                out.blank.remove(named)
            if printed in old_values:
                out.values[named] = old_values[printed]
            elif printed in old_blank:
                out.blank.append(named)
            else:  # the printed cell was itself not provable
                out.absent.append(named)
        out.relabelled.update(relabel)
        out.deviations.append(f"swapped_headers:{code}")
    if absent:
        out.values = {k: v for k, v in out.values.items() if k not in absent}
        out.blank = [k for k in out.blank if k not in absent]
        out.absent = sorted(set(out.absent) | absent)
        out.deviations.append(f"{mode}_headers:{code}")
    out.failing_rules = expected_failing(out)
    return out


def relabelled_values(values: dict[str, Decimal], relabel: dict[str, str]) -> dict[str, Decimal]:
    """Values as the labels of a swapped table name them (helper for tests)."""
    out = dict(values)
    for named, printed in relabel.items():
        out.pop(named, None)
        if printed in values:
            out[named] = values[printed]
    return out

"""Tables flattened as one ``cell |`` per line, covered places as bare ``|`` runs (seed 003).

Every place of the table's matrix is on the page — a cell as ``text |``, the places a merged
cell covers as one ``|`` each — only the row breaks are lost. When exactly one row width
makes the block a table (values right of their row labels, starting in one column, each
value column with a header directly above it), the block is read as that grid, so each
value's column is proven by the header at its place (any column order). Otherwise the
lines are read as before, one cell per line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from .numbers import Kind, read_number

_RUN = re.compile(r"\|+")
_CELL = re.compile(r"([^|]*\S)\s\|")
_MIN_LINES = 8
_WIDTHS = range(2, 17)


def _places(line: str) -> list[str | None] | None:
    """The matrix places of one line (None: covered), or None if it is not a pipe line."""
    s = line.strip()
    if _RUN.fullmatch(s):
        return [None] * len(s)
    m = _CELL.fullmatch(s)
    return [m.group(1).strip()] if m else None


def _kind(text: str | None) -> str:
    """``n`` a value or blank mark, ``t`` a label, ``-`` a covered place."""
    if text is None:
        return "-"
    return "n" if read_number(text).kind in (Kind.VALUE, Kind.BLANK) else "t"


def _width(places: list[str | None]) -> int | None:
    """The one row width that makes ``places`` a table, else None."""
    kinds = "".join(map(_kind, places))
    fits = [w for w in _WIDTHS if len(kinds) % w == 0 and len(kinds) // w >= 3 and _fits(kinds, w)]
    return fits[0] if len(fits) == 1 else None


def _fits(kinds: str, w: int) -> bool:
    rows = [kinds[i : i + w] for i in range(0, len(kinds), w)]
    if rows[0][0] == "-":
        return False
    start: int | None = None
    value_cols: set[int] = set()
    first_values = None
    for r, row in enumerate(rows):
        if "n" not in row:
            continue
        if first_values is None:
            first_values = r
        first, last = row.index("n"), row.rindex("n")
        if "t" in row[first:] or "-" in row[first : last + 1]:
            return False  # a label right of a value, or values not side by side
        if "t" not in row and row[0] != "-":
            return False
        if start is None:
            start = first
        elif first != start:
            return False
        value_cols.update(range(first, last + 1))
    if first_values is None or first_values == 0:
        return False
    header = rows[:first_values]
    return all(any(row[c] != "-" for row in header) for c in value_cols)


def runs(lines: Sequence[str], min_lines: int) -> Iterator[tuple[int, int, list[str | None]]]:
    """Each run of at least ``min_lines`` pipe lines: (its first line, its end, its places).
    The one reading of ``cell |`` text, shared by the grid reader here and the transposed
    section 三's (:func:`..transpose.pipe_rows`)."""
    i = 0
    n = len(lines)
    while i < n:
        if _places(lines[i]) is None:
            i += 1
            continue
        j = i
        places: list[str | None] = []
        while j < n and (p := _places(lines[j])) is not None:
            places += p
            j += 1
        if j - i >= min_lines:
            yield i, j, places
        i = j


def blocks(lines: Sequence[str]) -> dict[int, tuple[int, list[list[str | None]]]]:
    """First line of each pipe block read as a grid -> (its end, its rows of places)."""
    out: dict[int, tuple[int, list[list[str | None]]]] = {}
    for i, j, places in runs(lines, _MIN_LINES):
        if (w := _width(places)) is not None:
            out[i] = (j, [places[k : k + w] for k in range(0, len(places), w)])
    return out

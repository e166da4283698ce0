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
from collections.abc import Sequence

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


def _numeric(text: str | None) -> bool:
    return text is not None and read_number(text).kind in (Kind.VALUE, Kind.BLANK)


def _width(places: list[str | None]) -> int | None:
    """The one row width that makes ``places`` a table, else None."""
    fits = [w for w in _WIDTHS if len(places) % w == 0 and len(places) // w >= 3 and _fits(places, w)]
    return fits[0] if len(fits) == 1 else None


def _fits(places: list[str | None], w: int) -> bool:
    rows = [places[i : i + w] for i in range(0, len(places), w)]
    if rows[0][0] is None:
        return False
    start: int | None = None
    value_cols: set[int] = set()
    first_values = None
    for r, row in enumerate(rows):
        nums = [c for c, t in enumerate(row) if _numeric(t)]
        if not nums:
            continue
        if first_values is None:
            first_values = r
        texts = [c for c, t in enumerate(row) if t is not None and not _numeric(t)]
        if texts and max(texts) > nums[0]:
            return False  # a label right of a value
        if not texts and row[0] is not None:
            return False
        if nums != list(range(nums[0], nums[0] + len(nums))):
            return False
        if start is None:
            start = nums[0]
        elif nums[0] != start:
            return False
        value_cols.update(nums)
    if first_values is None or first_values == 0:
        return False
    header = rows[:first_values]
    return all(any(row[c] is not None for row in header) for c in value_cols)


def blocks(lines: Sequence[str]) -> dict[int, tuple[int, list[list[str | None]]]]:
    """First line of each pipe block read as a grid -> (its end, its rows of places)."""
    out: dict[int, tuple[int, list[list[str | None]]]] = {}
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
        if j - i >= _MIN_LINES and (w := _width(places)) is not None:
            out[i] = (j, [places[k : k + w] for k in range(0, len(places), w)])
        i = j
    return out

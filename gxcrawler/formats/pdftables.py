"""pdfplumber's table finding, with its grid's corners matched without its quadratic scans.

Why: after the cheaper content-stream reading (``pdfstream``), finding a page's ruled tables
was ~15 ms of a report PDF's ~110 ms of CPU, two thirds of it in pdfplumber's
``intersections_to_cells``: for every corner of the grid it builds the list of all the corners
after it, scans it twice, and re-makes both corners' edge sets at every test (defining two
annotated functions each time, whose ``typing`` annotations are evaluated anew). Here the
corners below and to the right of each corner come from one grouping, every corner's edge sets
are made once, and ``edges_to_intersections`` sorts the horizontal edges once instead of once
per vertical edge. The tests, the order they are tried in and the first cell found are
pdfplumber's, so the cells, tables and their order are its own (tests/formats/test_pdftables.py;
every PDF of the project, benchmarks/parse_equivalence.py). Used only with the versions
``pdfstream.VERIFIED`` names.
"""

from __future__ import annotations

from bisect import bisect_left
from operator import itemgetter
from typing import Any

from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, intersections_to_cells
from pdfplumber.utils import extract_text
from pdfplumber.utils.text import DEFAULT_X_TOLERANCE, LIGATURES

from . import pdfstream

_BBOX = itemgetter("x0", "top", "x1", "bottom")  # pdfplumber.utils.geometry.obj_to_bbox
_BY_X = itemgetter("x0", "top")
_BY_Y = itemgetter("top", "x0")
_BY_X0 = itemgetter("x0")  # pdfplumber's char_sort_key for "ltr", (x0, x0): the same order (no NaN here)


def find_tables(page: Any, settings: dict) -> list[Table]:
    """``page.find_tables(settings)``, the same tables in the same order."""
    if not pdfstream.ENABLED:
        return page.find_tables(settings)
    finder = TableFinder.__new__(TableFinder)  # TableFinder.__init__, step by step
    finder.page = page
    finder.settings = tset = TableSettings.resolve(settings)
    finder.edges = finder.get_edges()
    finder.intersections = intersections(finder.edges, tset.intersection_x_tolerance, tset.intersection_y_tolerance)
    finder.cells = cells(finder.intersections)
    return [Table(page, group) for group in tables(finder.cells)]


def intersections(edges: list[dict], x_tolerance: float = 1, y_tolerance: float = 1) -> dict:
    """``pdfplumber.table.edges_to_intersections`` with the horizontal edges sorted once (the
    same sort of the same list each time there)."""
    found: dict[tuple, dict[str, list]] = {}
    v_edges = [e for e in edges if e["orientation"] == "v"]
    h_edges = sorted((e for e in edges if e["orientation"] == "h"), key=_BY_Y)
    for v in sorted(v_edges, key=_BY_X):
        for h in h_edges:
            if (
                (v["top"] <= (h["top"] + y_tolerance))
                and (v["bottom"] >= (h["top"] - y_tolerance))
                and (v["x0"] >= (h["x0"] - x_tolerance))
                and (v["x0"] <= (h["x1"] + x_tolerance))
            ):
                vertex = (v["x0"], h["top"])
                if vertex not in found:
                    found[vertex] = {"v": [], "h": []}
                found[vertex]["v"].append(v)
                found[vertex]["h"].append(h)
    return found


def cells(found: dict) -> list[tuple]:
    """``pdfplumber.table.intersections_to_cells``: for each corner in sorted order, the first
    (corner below, corner right) pair, each in sorted order, that closes a cell by shared edges."""
    points = sorted(found)
    if any(x != x or y != y for x, y in points):  # NaN: equal to nothing, not even in a grouping
        return intersections_to_cells(found)
    vs = {p: set(map(_BBOX, d["v"])) for p, d in found.items()}
    hs = {p: set(map(_BBOX, d["h"])) for p, d in found.items()}

    def connects(p1: tuple, p2: tuple) -> bool:
        return (p1[0] == p2[0] and not vs[p1].isdisjoint(vs[p2])) or (
            p1[1] == p2[1] and not hs[p1].isdisjoint(hs[p2])
        )

    # the corners after each one with its x (a run of the sorted list) or with its y (in order)
    rows: dict[Any, list[int]] = {}
    for i, p in enumerate(points):
        rows.setdefault(p[1], []).append(i)
    place = {i: k for row in rows.values() for k, i in enumerate(row)}
    out = []
    n = len(points)
    for i, pt in enumerate(points[:-1]):
        end = i + 1
        while end < n and points[end][0] == pt[0]:
            end += 1
        row = rows[pt[1]]
        right = [points[k] for k in row[place[i] + 1 :]]
        tested: list[bool] = []  # connects(pt, right[k]) for the first right corners, found at need
        cell = None
        for below_pt in points[i + 1 : end]:
            if not connects(pt, below_pt):
                continue
            for k, right_pt in enumerate(right):
                if k == len(tested):
                    tested.append(connects(pt, right_pt))
                if not tested[k]:
                    continue
                bottom_right = (right_pt[0], below_pt[1])
                if bottom_right in found and connects(bottom_right, right_pt) and connects(bottom_right, below_pt):
                    cell = (pt[0], pt[1], bottom_right[0], bottom_right[1])
                    break
            if cell is not None:
                break
        if cell is not None:
            out.append(cell)
    return out


def tables(cells: list[tuple]) -> list[list[tuple]]:
    """``pdfplumber.table.cells_to_tables``: the cells grouped into tables by shared corners, pass
    after pass over the cells left, without its ``list.remove`` of each cell taken (a scan of the
    list): the cells not taken are kept in their order. The same as removing each taken cell's
    first equal where no two cells are equal (each cell's top-left corner is its own; otherwise,
    or with a NaN, pdfplumber's)."""
    if len(set(cells)) != len(cells) or any(v != v for cell in cells for v in cell):
        return cells_to_tables(cells)
    remaining = list(cells)
    corners: set[tuple] = set()
    current: list[tuple] = []
    found = []
    while remaining:
        initial = len(current)
        kept = []
        for cell in remaining:
            x0, top, x1, bottom = cell
            a, b, c, d = (x0, top), (x0, bottom), (x1, top), (x1, bottom)
            if not current or a in corners or b in corners or c in corners or d in corners:  # its count > 0
                corners.update((a, b, c, d))
                current.append(cell)
            else:
                kept.append(cell)
        remaining = kept
        if len(current) == initial:
            found.append(list(current))
            corners.clear()
            current.clear()
    if current:
        found.append(list(current))
    return [t for t in sorted(found, key=lambda t: min((c[1], c[0]) for c in t)) if len(t) > 1]


class PageChars:
    """A page's characters as ``(v, h, char)`` with their midpoints (``_cell_texts``' arithmetic),
    and their order by ``v``: made once a page for all its tables (``rows_chars``)."""

    def __init__(self, chars: list[dict]) -> None:
        self.marks = [((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2, c) for c in chars]
        self._by_v: tuple[list[int], list[float]] | None = None

    def by_v(self) -> tuple[list[int], list[float]] | None:
        """The characters' indexes sorted by ``v`` and their ``v`` in that order; None with a NaN."""
        if self._by_v is None:
            marks = self.marks
            if any(v != v for v, _, _ in marks):
                return None
            order = sorted(range(len(marks)), key=lambda k: marks[k][0])
            self._by_v = (order, [marks[k][0] for k in order])
        return self._by_v


def rows_chars(chars: list[tuple], rows: list[tuple], by_v: tuple[list[int], list[float]] | None = None
               ) -> list[list[tuple]]:
    """For each row box (x0, top, x1, bottom), the ``(v, h, char)`` whose midpoint (v, h) lies in
    it (``x0 <= h < x1``, ``top <= v < bottom``), in the page's order: the rows' characters found
    by bisection of the midpoints, not by testing every character against every row. ``by_v``:
    ``PageChars.by_v`` of these ``chars``, made once a page."""
    if (by_v is None and any(v != v for v, _, _ in chars)) or any(r[1] != r[1] or r[3] != r[3] for r in rows):  # NaN
        return [[m for m in chars if m[1] >= x0 and m[1] < x1 and m[0] >= top and m[0] < bottom]
                for x0, top, x1, bottom in rows]
    if by_v is None:
        order = sorted(range(len(chars)), key=lambda k: chars[k][0])
        vs = [chars[k][0] for k in order]
    else:
        (order, vs) = by_v
    out = []
    for x0, top, x1, bottom in rows:
        picked = sorted(k for k in order[bisect_left(vs, top) : bisect_left(vs, bottom)]
                        if chars[k][1] >= x0 and chars[k][1] < x1)
        out.append([chars[k] for k in picked])
    return out


def cell_text(chars: list[dict]) -> str:
    """``pdfplumber.utils.extract_text(chars)`` (default settings) of a cell's characters.

    The commonest cell — upright characters on one baseline (one ``top``), none with an empty
    text — is one line of words, each a run of characters sorted by ``x0`` that starts anew where
    a character starts left of the previous one's start or more than 3 (``x_tolerance``) right
    of its end, white-space characters ending a word; the words joined by one space. That is what
    ``WordExtractor`` (one upright group, one line cluster, ``char_begins_new_word``, ligatures
    expanded) and ``extract_text`` (one line of words, a left-to-right ``TextMap``) make of it;
    any other cell goes to pdfplumber."""
    first = chars[0]
    top = first["top"]
    if top != top or any(
        c["upright"] is not True or c["top"] != top or not c["text"] or c["x0"] != c["x0"] or c["x1"] != c["x1"]
        for c in chars
    ):
        return extract_text(chars)
    words: list[str] = []
    word: list[str] = []
    prev = None
    for c in sorted(chars, key=_BY_X0):
        text = c["text"]
        if text.isspace():
            if word:
                words.append("".join(word))
            word, prev = [], None
            continue
        if word and (c["x0"] < prev["x0"] or c["x0"] > prev["x1"] + DEFAULT_X_TOLERANCE):
            words.append("".join(word))
            word = []
        word.append(LIGATURES.get(text, text))
        prev = c
    if word:
        words.append("".join(word))
    return " ".join(words)

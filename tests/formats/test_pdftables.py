"""The table finding without pdfplumber's quadratic scans finds pdfplumber's own cells and tables."""

from __future__ import annotations

import io

import pdfplumber
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pdfplumber.table import edges_to_intersections, intersections_to_cells

from gxcrawler.formats import pdfstream, pdftables
from gxcrawler.formats.pdf import LINES, TEXT_COLUMNS

from .test_pdfstream import PDFS

pytestmark = pytest.mark.skipif(
    not pdfstream.ENABLED, reason="pdfminer.six and pdfplumber not among pdfstream.VERIFIED: their own code runs"
)


def _edge(orientation: str, at: float, start: float, end: float) -> dict:
    if orientation == "h":
        return {"orientation": "h", "top": at, "bottom": at, "x0": start, "x1": end}
    return {"orientation": "v", "x0": at, "x1": at, "top": start, "bottom": end}


# coordinates on a coarse grid (corners shared, edges that meet, cross, stop short, overlap),
# some off it by less than the tolerance, and the two zeros
COORD = st.sampled_from([0, 0.0, -0.0, 10, 10.0, 10.5, 11.2, 20, 29.4, 30, 40, 40.9, 50])
EDGES = st.lists(
    st.tuples(st.sampled_from("hv"), COORD, COORD, COORD).map(
        lambda t: _edge(t[0], t[1], min(t[2], t[3]), max(t[2], t[3]))
    ),
    max_size=24,
)


@settings(max_examples=400, deadline=None)
@given(EDGES, st.sampled_from([0, 1, 3]))
def test_any_edges_meet_and_close_cells_as_pdfplumber_finds_them(edges: list[dict], tolerance: float) -> None:
    ours = pdftables.intersections(edges, tolerance, tolerance)
    theirs = edges_to_intersections(edges, tolerance, tolerance)
    assert list(ours.items()) == list(theirs.items())  # the corners, their order, each one's edges
    assert pdftables.cells(ours) == intersections_to_cells(theirs)


def test_a_full_grid_and_a_grid_with_merged_cells() -> None:
    grid = [_edge("h", y, 0, 40) for y in (0, 10, 20, 30)] + [_edge("v", x, 0, 30) for x in (0, 10, 20, 40)]
    found = pdftables.intersections(grid)
    assert pdftables.cells(found) == intersections_to_cells(edges_to_intersections(grid))
    assert len(pdftables.cells(found)) == 9
    merged = [e for e in grid if not (e["orientation"] == "v" and e["x0"] == 10)] + [_edge("v", 10, 10, 30)]
    assert pdftables.cells(pdftables.intersections(merged)) == intersections_to_cells(edges_to_intersections(merged))
    assert (0, 0, 20, 10) in pdftables.cells(pdftables.intersections(merged))  # the merged top-left cell


def test_a_nan_corner_is_left_to_pdfplumber() -> None:
    nan = float("nan")
    edges = [_edge("h", 0, 0, 10), _edge("h", nan, 0, 10), _edge("v", 0, 0, 10), _edge("v", 10, nan, 10)]
    found = pdftables.intersections(edges)
    assert pdftables.cells(found) == intersections_to_cells(found)


@pytest.mark.parametrize("name", list(PDFS))
def test_every_pages_tables_are_pdfplumbers_own(name: str) -> None:
    content = PDFS[name]()
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        found = 0
        for page in pdf.pages:
            for table_settings in (LINES, TEXT_COLUMNS):
                ours = pdftables.find_tables(page, table_settings)
                theirs = page.find_tables(table_settings)
                assert [t.cells for t in ours] == [t.cells for t in theirs]
                assert [t.extract() for t in ours] == [t.extract() for t in theirs]
                found += len(ours)
        assert found


def _char(text: str, x0: float, width: float, top: float, upright: bool = True) -> dict:
    return {"text": text, "x0": x0, "x1": x0 + width, "top": top, "bottom": top + 10, "doctop": top,
            "upright": upright, "size": 10, "height": 10, "width": width}


# characters of a cell: mostly on one baseline, often more lines (apart by about the 3-point
# tolerance: pdfplumber's), a rotated character,
# spaces, ligatures, an empty text; touching, overlapping, apart by about the 3-point tolerance
CHARS = st.lists(
    st.builds(
        _char,
        st.sampled_from(["1", "2", "0", "项", "目", " ", "\u3000", "ﬁ", "", "-", "."]),
        st.sampled_from([0, 5, 5.0, 8, 10, 10.5, 13, 13.0, 16.1, 20, 26.5]),
        st.sampled_from([0, 2, 5, 5.0, 8]),
        st.sampled_from([100.0, 100.0, 100.0, 100, 101.5, 102.9, 103.5, 106, 112.0]),
        st.sampled_from([True, True, True, True, False]),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=1000, deadline=None)
@given(CHARS)
def test_any_cells_characters_read_as_pdfplumbers_extract_text(chars: list[dict]) -> None:
    from pdfplumber.utils import extract_text

    assert pdftables.cell_text(chars) == extract_text(chars)


def test_a_one_line_cells_words_and_their_gaps() -> None:
    chars = [_char("1", 0, 5, 100), _char("2", 5, 5, 100), _char("3", 14, 5, 100), _char("4", 22.5, 5, 100)]
    assert pdftables.cell_text(chars) == "12 3 4"  # 4 apart: a new word; 3.5 apart: a new word
    assert pdftables.cell_text([_char("ﬁ", 0, 5, 100), _char(" ", 5, 2, 100)]) == "fi"


MIDPOINTS = st.lists(
    st.tuples(st.sampled_from([0, 5.0, 10, 10.0, 12.5, 20, 30]), st.sampled_from([0, 5.0, 10, 15, 20.0, 40])),
    max_size=30,
)
BOXES = st.lists(
    st.tuples(st.sampled_from([0, 5, 10.0, 15]), st.sampled_from([0, 5.0, 10, 12.5]),
              st.sampled_from([10, 15.0, 20, 40]), st.sampled_from([10, 12.5, 20.0, 30, 31])),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(MIDPOINTS, BOXES)
def test_any_rows_characters_are_the_ones_each_row_box_holds_in_page_order(points: list, rows: list) -> None:
    chars = [(v, h, {"n": n}) for n, (v, h) in enumerate(points)]
    expected = [[m for m in chars if m[1] >= x0 and m[1] < x1 and m[0] >= top and m[0] < bottom]
                for x0, top, x1, bottom in rows]
    assert pdftables.rows_chars(chars, rows) == expected


CELL_COORD = st.sampled_from([0, 0.0, 5, 10, 10.0, 15, 20, 30])
CELLS = st.lists(st.tuples(CELL_COORD, CELL_COORD, CELL_COORD, CELL_COORD), max_size=20)


@settings(max_examples=500, deadline=None)
@given(CELLS, st.booleans())
def test_any_cells_group_into_pdfplumbers_tables(cells: list[tuple], unique: bool) -> None:
    """Tables of cells that touch, apart and at corners, in any order (duplicates and a NaN: pdfplumber's)."""
    from pdfplumber.table import cells_to_tables

    if unique:
        cells = list(dict.fromkeys(cells))
    assert pdftables.tables(cells) == cells_to_tables(cells)
    assert repr(pdftables.tables(cells)) == repr(cells_to_tables(cells))  # 0 and 0.0 as they were


def test_cells_with_a_nan_or_twice_are_pdfplumbers_tables() -> None:
    from pdfplumber.table import cells_to_tables

    nan = float("nan")
    for cells in ([(0, 0, 10, 10), (10, 0, 20, 10), (0, nan, 10, 20)], [(0, 0, 10, 10), (20, 20, 30, 30), (5, 5, 10, 15),
                                                                    (20, 20, 30, 30), (0, 0, 10, 10)]):
        assert repr(pdftables.tables(cells)) == repr(cells_to_tables(cells))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0, 4.5, 10, 10.25, 20, 30, float("nan")]),
                          st.sampled_from([0, 5.0, 10, 15.5, 20.0, 40])), max_size=30), BOXES, BOXES)
def test_a_pages_characters_sorted_once_serve_every_table(points: list, rows: list, other: list) -> None:
    """``PageChars``' midpoints and order, made once a page, give each table's rows the characters
    ``rows_chars`` finds on its own (two tables on one page; a NaN midpoint: the linear filter)."""
    chars = [{"top": v - 1.5, "bottom": v + 2, "x0": h - 0.5, "x1": h + 1.25, "n": n} for n, (v, h) in enumerate(points)]
    marks = pdftables.PageChars(chars)
    assert repr(marks.marks) == repr([((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2, c) for c in chars])
    for boxes in (rows, other):
        assert pdftables.rows_chars(marks.marks, boxes, marks.by_v()) == pdftables.rows_chars(marks.marks, boxes)

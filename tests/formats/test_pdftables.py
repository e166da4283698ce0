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

"""Table structure of a page picture: ruling lines, cells with their spans, text lines.

A scanned table is drawn with ruling lines. The page is straightened (the angle whose
rows of ink are sharpest), the long horizontal and vertical strokes are kept (morphological
opening with kernels longer than any character stroke), and every enclosed region of
paper inside a ruled block is a cell. The cells' edges, clustered, give the grid's row and
column boundaries; a cell covering several of them is a merged cell. Text outside the
tables is cut into lines by the gaps between rows of ink.

Sizes scale with the characters' height, measured on the page, so 100 and 200 dpi scans
and cropped ``<img>`` tables work alike. Needs numpy and OpenCV.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Box:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def width(self) -> int:
        return self.x1 - self.x0


@dataclass
class GridCell:
    box: Box
    row: int
    col: int
    rowspan: int
    colspan: int
    #: the text lines inside the cell, top to bottom
    lines: list[Box] = field(default_factory=list)


@dataclass
class Table:
    box: Box
    rows: int
    cols: int
    cells: list[GridCell]
    #: x of every column boundary (pixels of the straightened page)
    columns: list[float]


@dataclass
class TextLine:
    box: Box
    #: pieces of the line separated by a wide gap (a tab in the page text)
    pieces: list[Box]


@dataclass
class PageLayout:
    image: np.ndarray  # the straightened greyscale page
    ink: np.ndarray  # bool mask of ink on it
    unit: float  # a character's height in pixels
    angle: float
    tables: list[Table]
    lines: list[TextLine]  # text outside the tables, in reading order


def binarise(gray: np.ndarray, margin: int = 12) -> np.ndarray:
    """Ink mask, robust to grey paper, uneven light and JPEG noise (adaptive threshold).

    A smaller ``margin`` keeps faint one-pixel rules whole (a median filter would erase them).
    """
    import cv2

    blur = cv2.GaussianBlur(gray, (3, 3), 0.7)
    block = max(15, (min(gray.shape) // 40) | 1)
    return cv2.adaptiveThreshold(blur, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, margin).astype(bool)


def skew_angle(ink: np.ndarray, limit: float = 3.0) -> float:
    """Degrees to turn the page by so that its rows of ink (text lines, table rules) are level."""
    import cv2

    small = cv2.resize(ink.astype(np.uint8) * 255, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    h, w = small.shape
    centre = (w / 2, h / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rot = cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_NEAREST)
        rows = rot.sum(axis=1, dtype=np.float64)
        return float((np.diff(rows) ** 2).sum())

    best = max(np.arange(-limit, limit + 1e-9, 0.25), key=sharpness)
    fine = max(np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05), key=sharpness)
    return float(fine)


def straighten(gray: np.ndarray, angle: float) -> np.ndarray:
    import cv2

    if abs(angle) < 0.02:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    paper = int(np.percentile(gray, 90))
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=paper)


def char_height(ink: np.ndarray) -> float:
    """Median height of character-sized blobs: the unit every kernel and gap is measured in."""
    import cv2

    n, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    hs = stats[1:, cv2.CC_STAT_HEIGHT]
    ws = stats[1:, cv2.CC_STAT_WIDTH]
    ok = (hs >= 6) & (hs <= 80) & (ws <= 80) & (ws >= 2)
    if ok.sum() < 10:
        return 14.0
    return float(np.clip(np.median(hs[ok]), 8, 60))


def rule_masks(ink: np.ndarray, unit: float) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical ruling lines: strokes longer than any character's."""
    import cv2

    m = ink.astype(np.uint8)
    hk = cv2.getStructuringElement(cv2.MORPH_RECT, (max(15, int(unit * 2.6)), 1))
    vk = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(12, int(unit * 1.6))))
    # a slanted or broken rule: close small gaps across the stroke direction first
    horiz = cv2.morphologyEx(cv2.dilate(m, np.ones((2, 1), np.uint8)), cv2.MORPH_OPEN, hk)
    vert = cv2.morphologyEx(cv2.dilate(m, np.ones((1, 2), np.uint8)), cv2.MORPH_OPEN, vk)
    horiz = cv2.dilate(horiz, cv2.getStructuringElement(cv2.MORPH_RECT, (max(5, int(unit * 0.6)), 3)))
    vert = cv2.dilate(vert, cv2.getStructuringElement(cv2.MORPH_RECT, (3, max(5, int(unit * 0.6)))))
    return horiz.astype(bool), vert.astype(bool)


def _cluster(values: list[float], tol: float) -> list[float]:
    """Sorted centres of groups of values no further than ``tol`` from their neighbour."""
    if not values:
        return []
    vals = sorted(values)
    groups: list[list[float]] = [[vals[0]]]
    for v in vals[1:]:
        if v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [float(np.median(g)) for g in groups]


def _nearest(bounds: list[float], v: float) -> int:
    return int(np.argmin([abs(b - v) for b in bounds]))


def find_tables(horiz: np.ndarray, vert: np.ndarray, unit: float) -> list[Table]:
    """Ruled blocks and their cells (enclosed regions of paper), with row and column spans."""
    import cv2

    grid = (horiz | vert).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grid, connectivity=8)
    tables: list[Table] = []
    for i in range(1, n):
        x, y, w, h, _area = stats[i]
        if w < unit * 8 or h < unit * 2:
            continue
        block = labels[y : y + h, x : x + w] == i
        if not (horiz[y : y + h, x : x + w] & block).any() or not (vert[y : y + h, x : x + w] & block).any():
            continue
        table = _cells(block, x, y, unit)
        if table is not None:
            tables.append(table)
    tables.sort(key=lambda t: (t.box.y0, t.box.x0))
    return tables


def _cells(block: np.ndarray, ox: int, oy: int, unit: float) -> Table | None:
    import cv2

    paper = (~block).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(paper, connectivity=4)
    h, w = block.shape
    boxes: list[Box] = []
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if x == 0 or y == 0 or x + bw >= w or y + bh >= h:  # outside the outer rules
            continue
        if bw < unit * 0.8 or bh < unit * 0.8 or area < 0.5 * bw * bh:
            continue
        boxes.append(Box(ox + x, oy + y, ox + x + bw, oy + y + bh))
    if len(boxes) < 2:
        return None
    tol = max(4.0, unit * 0.7)
    gap = unit * 0.35  # half a rule's (dilated) width: a boundary sits between two cells' edges
    xs = _cluster([b.x0 - gap for b in boxes] + [b.x1 + gap for b in boxes], tol)
    ys = _cluster([b.y0 - gap for b in boxes] + [b.y1 + gap for b in boxes], tol)
    cells: list[GridCell] = []
    for b in boxes:
        c0, c1 = _nearest(xs, b.x0 - gap), _nearest(xs, b.x1 + gap)
        r0, r1 = _nearest(ys, b.y0 - gap), _nearest(ys, b.y1 + gap)
        if c1 <= c0 or r1 <= r0:
            continue
        cells.append(GridCell(b, r0, c0, r1 - r0, c1 - c0))
    if not cells:
        return None
    outer = Box(ox, oy, ox + w, oy + h)
    return Table(outer, len(ys) - 1, len(xs) - 1, cells, xs)


def column_rules(horiz: np.ndarray, text_ink: np.ndarray, unit: float, tables: list[Table]) -> np.ndarray | None:
    """Vertical rules for tables ruled by horizontal lines only (no inner vertical line), drawn
    where the text's columns show them; None when the page has no such table.

    A block of at least three long horizontal rules outside the ruled tables is a table. Its
    columns are the gaps of paper that most bands between its rules share (number columns),
    and the left ends of its shorter rules (a label column's sub-columns). A column's rule is
    drawn band by band, between the horizontal rules it crosses, only where no text crosses
    it: a header or a label printed across several columns stays one (merged) cell. The outer
    edges are closed. The cells then come out of :func:`find_tables` as for any ruled table,
    and the aligner's proof by labels decides whether they are read.
    """
    import cv2

    n, _, stats, _ = cv2.connectedComponentsWithStats(horiz.astype(np.uint8), connectivity=8)
    taken = [t.box for t in tables]
    rules: list[Box] = []
    for i in range(1, n):
        x, y, w, h, _a = stats[i]
        b = Box(int(x), int(y), int(x + w), int(y + h))
        if w < unit * 12 or h > unit * 1.5:  # shorter: a run of 一 in a label, an underline
            continue
        if any(t.x0 - unit <= b.x0 and b.x1 <= t.x1 + unit and t.y0 - unit <= b.y0 and b.y1 <= t.y1 + unit for t in taken):
            continue
        rules.append(b)
    rules.sort(key=lambda b: b.y0)
    blocks: list[list[Box]] = []
    for b in rules:
        if blocks and b.y0 - max(r.y1 for r in blocks[-1]) < unit * 8 and b.x0 < max(r.x1 for r in blocks[-1]) and b.x1 > min(r.x0 for r in blocks[-1]):
            blocks[-1].append(b)
        else:
            blocks.append([b])
    blocks = [part for block in blocks for part in _split_at_headings(block, text_ink)]
    out = np.zeros_like(horiz)
    drawn = False
    for block in blocks:
        x0, x1 = min(r.x0 for r in block), max(r.x1 for r in block)
        y0, y1 = min(r.y0 for r in block), max(r.y1 for r in block)
        if len(block) < 3 or x1 - x0 < unit * 20:
            continue
        # bands between consecutive rules (any rule's top edge)
        cuts = sorted({r.y0 for r in block} | {r.y1 for r in block})
        bands = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b - a >= unit * 0.8]
        if len(bands) < 2:
            continue
        free = np.zeros(x1 - x0, np.float64)
        for a, b in bands:
            free += ~text_ink[a:b, x0:x1].any(axis=0)
        share = free / len(bands)
        columns: list[int] = []
        for g0, g1 in _runs((share >= 0.7).astype(np.int8), 1):
            if g1 - g0 >= unit * 0.5 and g0 > 0 and g1 < x1 - x0:
                columns.append(x0 + (g0 + g1) // 2)
        ends = {r.x0 + 1 for r in block if r.x0 > x0 + unit}  # where a shorter rule starts: a label sub-column
        lines = sorted({*columns, *ends, x0 + 1, x1 - 2})
        half = max(1, int(unit * 0.1))
        clear = max(2, int(unit * 0.35))  # text this close to a column's line crosses it (a gap between characters is narrower)
        for x in lines:
            crossing = np.flatnonzero(horiz[y0:y1 + 1, x]) + y0
            edges = sorted({y0, y1, *crossing.tolist()})
            outer = x in (x0 + 1, x1 - 2)
            for a, b in zip(edges, edges[1:], strict=False):
                if b - a < 2:
                    continue
                if not outer and text_ink[a:b, max(x - clear, 0) : x + clear + 1].any():
                    continue  # text across it: one cell over both columns
                out[a : b + 1, max(x - half, 0) : x + half + 1] = True
                drawn = True
    return out if drawn else None


def _split_at_headings(block: list[Box], text_ink: np.ndarray) -> list[list[Box]]:
    """Two tables one under the other: between two full-width rules with no rule between them,
    a line of text in the left half only (a section heading: a table's row has cells on the right)."""
    x0, x1 = min(r.x0 for r in block), max(r.x1 for r in block)
    full = [r for r in block if r.x1 - r.x0 >= 0.9 * (x1 - x0)]
    cuts: list[int] = []
    for a, b in zip(full, full[1:], strict=False):
        if any(a.y1 <= r.y0 < b.y0 for r in block if r is not a and r is not b):
            continue
        band = text_ink[a.y1 : b.y0, x0:x1]
        half = band.shape[1] // 2
        if band[:, :half].any() and not band[:, half:].any():
            cuts.append(b.y0)
    parts: list[list[Box]] = []
    for lo, hi in zip([-1, *cuts], [*cuts, 1 << 30], strict=False):
        parts.append([r for r in block if lo <= r.y0 < hi])
    return [p for p in parts if p]


def _runs(profile: np.ndarray, min_gap: int) -> list[tuple[int, int]]:
    """[start, end) runs of non-zero entries, joining runs separated by fewer than ``min_gap`` zeros."""
    on = np.flatnonzero(profile > 0)
    if not len(on):
        return []
    runs: list[list[int]] = [[int(on[0]), int(on[0]) + 1]]
    for v in on[1:]:
        v = int(v)
        if v - runs[-1][1] < min_gap:
            runs[-1][1] = v + 1
        else:
            runs.append([v, v + 1])
    return [(a, b) for a, b in runs]


def text_lines(ink: np.ndarray, box: Box, unit: float, *, split_gap: float | None = None) -> list[TextLine]:
    """Lines of text inside ``box`` (top to bottom), each cut into pieces at wide gaps."""
    sub = ink[box.y0 : box.y1, box.x0 : box.x1]
    if not sub.size:
        return []
    rows = sub.sum(axis=1)
    rows = np.where(rows >= 2, rows, 0)  # a speck is not a line
    out: list[TextLine] = []
    for a, b in _runs(rows, max(2, int(unit * 0.15))):
        if b - a < max(4, unit * 0.3):
            continue  # a dot or a dash-like blemish between lines is measured with its line below
        cols = sub[a:b].sum(axis=0)
        pieces = _runs(cols, int(split_gap if split_gap is not None else unit * 2.5))
        boxes = [Box(box.x0 + p0, box.y0 + a, box.x0 + p1, box.y0 + b) for p0, p1 in pieces if p1 - p0 >= 2]
        if not boxes:
            continue
        # a run of several text lines stacked too closely is split at its thinnest row
        whole = Box(boxes[0].x0, box.y0 + a, boxes[-1].x1, box.y0 + b)
        out.append(TextLine(whole, boxes))
    return out


def layout(gray: np.ndarray) -> PageLayout:
    """The page straightened, its tables and cells, and the text lines outside them."""
    ink = binarise(gray)
    angle = skew_angle(ink)
    if abs(angle) >= 0.02:
        gray = straighten(gray, angle)
        ink = binarise(gray)
    unit = char_height(ink)
    horiz, vert = rule_masks(binarise(gray, 6), unit)
    tables = find_tables(horiz, vert, unit)
    rules = horiz | vert
    text_ink = ink & ~rules
    drawn = column_rules(horiz, text_ink, unit, tables)
    if drawn is not None:  # tables ruled by horizontal lines only: their columns drawn in
        vert = vert | drawn
        tables = find_tables(horiz, vert, unit)
        rules = horiz | vert
        text_ink = ink & ~rules
    for t in tables:
        for c in t.cells:
            inner = Box(c.box.x0 + 1, c.box.y0 + 1, c.box.x1 - 1, c.box.y1 - 1)
            c.lines = [ln.box for ln in text_lines(text_ink, inner, unit, split_gap=1e9)]
    free = text_ink.copy()
    for t in tables:
        free[t.box.y0 : t.box.y1, t.box.x0 : t.box.x1] = False
    h, w = free.shape
    lines = text_lines(free, Box(0, 0, w, h), unit)
    return PageLayout(gray, ink, unit, angle, tables, lines)

"""A zero proven by its ink: the holes of a glyph (docs/notes/ocr.md, "A zero proven by its ink").

The recogniser is often unsure of a lone ``0`` in a table row (``6``, ``8`` or ``9`` its
runner-up at 5–50 %), and sometimes reads nothing at all where a ``0`` is printed. The ink
tells them apart: the paper enclosed by a ``0``'s stroke (its *hole*) is one region that
spans most of the digit's height and is wide at its middle; a ``6``'s hole lies in its lower
half, a ``9``'s in its upper half, an ``8`` has two (or, when its waist is broken, one that
is pinched in the middle). :func:`proves_zero` says yes only when the ink shows exactly one
digit-sized glyph with exactly one such hole; anything else (a faint or blurred glyph whose
hole is filled, a speck beside it, two digits) is "not proven", never "not a zero".
"""

from __future__ import annotations

import numpy as np

#: the glyph is measured at this height (pixels), scaled up from the scan's 8–16
_HEIGHT = 48
#: paper and ink must differ by this much (grey levels) for the ink to say anything
_CONTRAST = 60
#: a glyph's height against the page's character height (``PageLayout.unit``)
_MIN_HEIGHT, _MAX_HEIGHT = 0.45, 1.3
#: a zero's width against its height
_MIN_ASPECT, _MAX_ASPECT = 0.45, 0.75
#: the hole reaches above this share of the glyph's height from its top, and below the other
_HOLE_TOP, _HOLE_BOTTOM = 0.28, 0.72
#: the hole is at least this wide at its widest (a share of the glyph's width)
_HOLE_WIDTH = 0.25
#: on the middle rows of the hole (from this share of its height to one minus it), the hole is
#: at least this share of its widest: a ``0``'s hole is widest there, an ``8`` whose waist is
#: broken (its two holes run together) is pinched there
_PINCH_BAND, _PINCH = 0.3, 0.6
#: the glyph spans at least this share of its line's width (else something faint beside it: a sign)
_COVER = 0.75
#: paper around the line, pixels at the scan's resolution
_PAD = 2
#: ink or paper regions smaller than this share of the glyph's box are noise, not strokes or holes
_SPECK = 0.02


def _components(mask: np.ndarray, connectivity: int):
    import cv2

    return cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=connectivity)


def glyph_mask(gray: np.ndarray, box) -> np.ndarray | None:
    """The ink inside ``box`` (a tight box around one cell's text line), scaled to
    :data:`_HEIGHT` and thresholded halfway between its ink and its paper; None when the
    ink is too faint against the paper to say anything."""
    import cv2

    y0, y1, x0, x1 = box.y0, box.y1, box.x0, box.x1
    if y1 - y0 < 5 or x1 - x0 < 2:
        return None
    part = gray[y0:y1, x0:x1]
    paper = float(np.percentile(part, 90))
    ink = float(np.percentile(part, 3))
    if paper - ink < _CONTRAST:
        return None
    pad = _PAD
    padded = np.full((part.shape[0] + 2 * pad, part.shape[1] + 2 * pad), paper, np.float32)
    padded[pad:-pad, pad:-pad] = part
    scale = _HEIGHT / part.shape[0]
    big = cv2.resize(padded, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return big < (paper + ink) / 2


def zero_shape(mask: np.ndarray) -> str | None:
    """Why the ink of ``mask`` is not a proven ``0``, or None when it is one."""
    n, labels, stats, _ = _components(mask, 8)
    if n < 2:
        return "no ink"
    areas = stats[1:, 4]
    main = 1 + int(areas.argmax())
    x, y, w, h, area = (int(v) for v in stats[main])
    if any(int(a) > _SPECK * w * h for i, a in enumerate(areas, start=1) if i != main):
        return "more than one glyph"
    if w < _COVER * (mask.shape[1] - (mask.shape[0] - _HEIGHT)):  # the line's width: the mask less its paper
        return "more than one glyph: the line is wider than it"
    if not _MIN_ASPECT <= w / h <= _MAX_ASPECT:
        return "not a digit's shape"
    glyph = np.zeros((h + 2, w + 2), bool)
    glyph[1:-1, 1:-1] = labels[y : y + h, x : x + w] == main
    m, holes, hstats, _ = _components(~glyph, 4)
    found = [
        i
        for i in range(1, m)
        if hstats[i][0] > 0 and hstats[i][1] > 0 and hstats[i][0] + hstats[i][2] < w + 2 and hstats[i][1] + hstats[i][3] < h + 2
        and hstats[i][4] > _SPECK * w * h
    ]
    if len(found) != 1:
        return f"{len(found)} holes"
    hx, hy, hw, hh, _ = (int(v) for v in hstats[found[0]])
    top, bottom = (hy - 1) / h, (hy - 1 + hh) / h
    if top > _HOLE_TOP or bottom < _HOLE_BOTTOM:
        return f"hole from {top:.2f} to {bottom:.2f} of the height"
    hole = holes == found[0]
    widths = hole[hy : hy + hh].sum(axis=1)
    middle = widths[int(hh * _PINCH_BAND) : max(int(hh * (1 - _PINCH_BAND)), int(hh * _PINCH_BAND) + 1)]
    if middle.min() < _PINCH * widths.max():
        return "hole pinched in the middle"
    if widths.max() < _HOLE_WIDTH * w:
        return "hole too narrow"
    centre = (hx - 1 + hw / 2) / w
    if not 0.3 <= centre <= 0.7:
        return "hole off centre"
    return None


def proves_zero(gray: np.ndarray, box, unit: float) -> bool:
    """Whether the ink in ``box`` is one ``0`` and nothing else (see the module doc)."""
    if not _MIN_HEIGHT * unit <= box.height <= _MAX_HEIGHT * unit:
        return False
    mask = glyph_mask(gray, box)
    return mask is not None and zero_shape(mask) is None

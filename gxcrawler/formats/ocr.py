"""Reports printed as pictures: scanned PDF pages, pictures inside PDF pages, image files.

Each page picture is straightened and its ruled tables cut into cells (:mod:`.ocrgrid`);
every text line is read by the recogniser (:mod:`.ocrengine`). The tables come out as the
same grids the other readers produce (merged cells repeated over their span), so the
aligner and the label rules apply unchanged; the text outside them becomes the page text.

A number is written into the grid only when every one of its characters is sure
(:data:`SURE`); a doubtful number cell holds :data:`UNREAD` (which the tokens read as a
malformed cell: left out, never blank), and its readings go to ``ExtractedDocument.ocr``,
so that the parser (:mod:`gxcrawler.parsing.ocrproof`) may settle it with the identities
when exactly one reading satisfies them. Pages have a time budget (``Limits.ocr_page_seconds``);
``GXCRAWLER_OCR=0`` turns the reader off (the document then reads as before: no tables).
"""

from __future__ import annotations

import io
import logging
import os
import re
import time
from dataclasses import dataclass, replace

from ..model import ExtractedDocument, OcrCell
from .errors import FormatError
from .limits import Limits

log = logging.getLogger(__name__)

#: every character of a number cell at least this probable: written into the grid
SURE = 0.97
#: the mark of a number cell left out (a doubtful reading); tokens read it as malformed
UNREAD = "\ufffd"  # = gxcrawler.parsing.tokens.UNREAD
#: a page picture is read at this resolution at most (scanners write 300–600 dpi)
MAX_DPI = 200
#: long prose lines of page 1 read when its title's agency is doubtful (the opening names it again)
PROSE_LINES = 8
#: column edges of a table's two parts on two pages agree within this (thousandths of its width)
JOIN_TOLERANCE = 12.0
IMAGE_KINDS = ("jpeg", "png", "gif", "bmp", "tiff", "webp")
_THOUSANDS_LIKE = re.compile(r"\.\d{3}(?!\d)")
_NUMBERISH = re.compile(r"^[0-9０-９.,，．+\-]+$")
_DASHES = re.compile(r"^[-—–一_~－ー]+$")
_SLASH = re.compile(r"^[/／|丨l1I]$")
#: the left half of a character the recogniser cut in two (``沣`` read ``氵丰``): these forms
#: never stand alone in a name, so they and the half after them are unread in the text
_HALF_FORMS = frozenset("氵亻扌讠钅饣纟忄艹阝刂犭礻衤冫丬彳")
_HALF_RUN = re.compile("[" + "".join(sorted(_HALF_FORMS)) + "\u2e80-\u2fdf][\u3400-\u4dbf\u4e00-\u9fff\ufffd]?")


def enabled() -> bool:
    """Off with ``GXCRAWLER_OCR=0`` (Scrapy: ``-s GXCRAWLER_OCR=0``; the crawl exports it to the workers)."""
    return os.environ.get("GXCRAWLER_OCR", "1").strip().lower() not in ("0", "false", "no", "off")


def usable() -> bool:
    from .ocrengine import available

    return enabled() and available()


@dataclass
class PageResult:
    #: each table as rows of cell ids (a merged cell's id repeated over its span)
    tables: list[list[list[str]]]
    #: cell id -> the text for the grid and, for a number cell, its reading
    cells: dict[str, tuple[str, OcrCell | None]]
    #: each table's column boundaries, 0 at its left edge and 1000 at its right
    columns: list[list[float]]
    text: list[str]
    title: str | None
    warnings: list[str]


def _load(content: bytes):
    """A picture's bytes as a greyscale array (Pillow; the first frame of a GIF/TIFF)."""
    import numpy as np
    from PIL import Image, ImageOps

    try:
        img = Image.open(io.BytesIO(content))
        img.load()
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds
        raise FormatError(f"unreadable image: {type(exc).__name__}: {exc}") from exc
    if img.width * img.height > 60_000_000:
        raise FormatError(f"image too large ({img.width}x{img.height})")
    img = ImageOps.exif_transpose(img)
    if img.mode in ("RGBA", "LA", "P"):
        img = img.convert("RGBA")
        bg = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(bg, img)
    return np.asarray(img.convert("L"))


def _scale_to(gray, dpi: float | None):
    """Down to :data:`MAX_DPI` (a 600 dpi scan costs nine times the work and reads no better)."""
    import cv2

    if dpi and dpi > MAX_DPI * 1.1:
        f = MAX_DPI / dpi
        return cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    return gray


def _crop(gray, box, pad: int):
    """The box on a margin of plain paper: nothing of a neighbouring cell or line leaks in."""
    import numpy as np

    part = gray[box.y0 : box.y1, box.x0 : box.x1]
    paper = int(np.percentile(part, 90)) if part.size else 255
    out = np.full((part.shape[0] + 2 * pad, part.shape[1] + 2 * pad), paper, np.uint8)
    out[pad : pad + part.shape[0], pad : pad + part.shape[1]] = part
    return out


def _cell_text(lines: list, pieces: list[str]) -> str:
    from .cells import join_lines

    return join_lines("\n".join(pieces))


def _number_like(text: str) -> bool:
    return bool(_NUMBERISH.match(text)) and any(ch.isdigit() for ch in text)


def _blank_mark(text: str) -> str | None:
    """A cell holding only a dash or a slash, read as one of the look-alikes OCR gives for them."""
    t = text.strip()
    if _DASHES.match(t):
        return "—"
    if len(t) == 1 and t in "/／":
        return "/"
    if t == "无":
        return "无"
    return None


def _is_ideograph(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\u2e80" <= ch <= "\u2fdf"


def _sure_text(line) -> str:
    """A text line's reading with its doubtful ideographs as :data:`UNREAD`: a name (the
    agency in the title, in the narrative) is then taken only where every character is sure
    or another reading confirms it (``parsing.metadata``). Digits and punctuation are kept
    as read (the year). Half forms are kept here: :func:`_unsplit` needs the joined line."""
    return "".join(
        UNREAD if _is_ideograph(g.char) and g.prob < SURE and g.char not in _HALF_FORMS else g.char
        for g in line.glyphs
    )


def _stray(lines: list) -> bool:
    """A gap-separated piece of a text line holding no sure character and no ideograph (a
    speck read ``1``, ``4`` at 0.5, or nothing): a mark on the paper, not part of the line."""
    glyphs = [g for ln in lines for g in ln.glyphs if g.char.strip()]
    return all(g.prob < SURE and not _is_ideograph(g.char) for g in glyphs)


def _without_stray_ends(pieces: dict[int, list]) -> list:
    """A text line's readings in order, without the stray marks at either end (seed 1067's title
    read ``1砚山县财政局…``, seed 1034's ``…年度报告4``: both marks doubtful and apart from the
    line by a gap). A mark inside a line, or read sure, stays (then ``parsing.metadata`` needs
    the name confirmed)."""
    order = [pieces[k] for k in sorted(pieces)]
    while order and _stray(order[0]):
        order.pop(0)
    while order and _stray(order[-1]):
        order.pop()
    return [ln for piece in order for ln in piece]


def _unsplit(text: str) -> str:
    """A character the recogniser cut in two (``沣`` read ``氵丰``; the halves may fall in two
    pieces of one line): the half form and the ideograph after it are both unread."""
    return _HALF_RUN.sub(lambda m: UNREAD * len(m.group()), text)


def _readings(line) -> list[str]:
    """The line's text with any single doubtful digit swapped for a runner-up digit."""
    from .ocrengine import Line

    assert isinstance(line, Line)
    out: list[str] = []
    base = [g.char for g in line.glyphs]
    for i, g in enumerate(line.glyphs):
        if g.prob >= SURE:
            continue
        for alt, _p in g.alternatives:
            if alt.isdigit() and g.char.isdigit():
                out.append("".join(base[:i] + [alt] + base[i + 1 :]))
            elif alt == "" or not alt.strip():
                out.append("".join(base[:i] + base[i + 1 :]))
    return out


def read_page(gray, *, dpi: float | None, budget: float, page: int) -> PageResult:
    """One page picture: its ruled tables as grids with per-cell readings, and its text lines."""
    from .ocrengine import recogniser
    from .ocrgrid import layout

    started = time.process_time()  # CPU time: a shared machine's load does not spend the budget
    gray = _scale_to(gray, dpi)
    lay = layout(gray)
    rec = recogniser()
    img = lay.image
    pad = max(2, int(lay.unit * 0.2))
    # short one-line cells of a table row are read together (numbers in context, one input);
    # other lines one by one; long prose lines outside the tables are not read (cost), short
    # ones (headings, the title block, closing lines) are
    groups: list[list] = []
    owners: list[list[tuple]] = []
    for t_i, table in enumerate(lay.tables):
        rows: dict[int, tuple[list, list]] = {}
        for c_i, cell in enumerate(table.cells):
            if len(cell.lines) == 1 and cell.lines[0].width < lay.unit * 7:
                crops, who = rows.setdefault(cell.row, ([], []))
                crops.append(_crop(img, cell.lines[0], pad))
                who.append(("cell", t_i, c_i))
            else:
                for ln in cell.lines:
                    for piece in _split_long(lay, ln):
                        groups.append([_crop(img, piece, pad)])
                        owners.append([("cell", t_i, c_i)])
        for r in sorted(rows):
            groups.append(rows[r][0])
            owners.append(rows[r][1])
    page_w = img.shape[1]
    body = _body_height(lay)
    prose = [
        l_i
        for l_i, line in enumerate(lay.lines)
        if line.box.width > page_w * 0.45 and line.box.height < body * 1.25 and not (page == 1 and l_i < 2)
    ]
    more, more_owners = _text_groups(lay, pad, [i for i in range(len(lay.lines)) if i not in set(prose)])
    groups += more
    owners += more_owners
    warnings: list[str] = []
    read: list = []
    crops = [c for g in owners for c in g]
    flat_owners = crops
    step = 24
    for start in range(0, len(groups), step):
        if time.process_time() - started > budget:
            warnings.append(f"page {page}: OCR time budget ({budget:g} s) spent; the rest of the page left out")
            break
        for lines, who in zip(rec.read_rows(groups[start : start + step]), owners[start : start + step], strict=True):
            read += list(zip(who, lines, strict=True))
    cell_lines: dict[tuple[int, int], list] = {}
    text_lines: dict[int, dict[int, list]] = {}
    for owner, line in read:
        kind, a, b = owner
        if kind == "cell":
            cell_lines.setdefault((a, b), []).append(line)
        else:
            text_lines.setdefault(a, {}).setdefault(b, []).append(line)
    text_pieces = _texts(text_lines)
    title = _title(lay, text_pieces) if page == 1 else None
    if title and _doubtful_name(title) and time.process_time() - started <= budget:
        # the agency is named again in the opening prose (编制了…, 请与…联系): read it only now,
        # so that a sure reading there may confirm the title's (``parsing.metadata.confirmed_agency``)
        more, more_owners = _text_groups(lay, pad, prose[:PROSE_LINES])
        for lines, who in zip(rec.read_rows(more), more_owners, strict=True):
            for (_, a, b), line in zip(who, lines, strict=True):
                text_lines.setdefault(a, {}).setdefault(b, []).append(line)
        text_pieces = _texts(text_lines)
    complete = len(read) == len(flat_owners)
    tables: list[list[list[str]]] = []
    cells: dict[str, tuple[str, OcrCell | None]] = {}
    columns: list[list[float]] = []
    for t_i, table in enumerate(lay.tables):
        grid = [[""] * table.cols for _ in range(table.rows)]
        for c_i, cell in enumerate(table.cells):
            lines = cell_lines.get((t_i, c_i), [])
            if not complete and len(lines) < len(cell.lines):
                cells[f"{page}/{t_i}/{c_i}"] = (UNREAD, OcrCell("", 0.0, ()))
            else:
                text, info = _settle_cell(lines)
                reading = info.text if info is not None and text == UNREAD else text
                if reading in ("1", "7", "/", "—") and len(cell.lines) == 1:
                    text, info = _stroke(lay, cell.lines[0], reading, info)
                if info is not None and len(cell.lines) == 1:
                    text, info = _fit_ink(lay, cell.lines[0], text, info)
                    text, info = _zero_ink(lay.image, cell.lines[0], lay.unit, text, info)
                cells[f"{page}/{t_i}/{c_i}"] = (text, info)
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    grid[r][c] = f"{page}/{t_i}/{c_i}"
        tables.append(grid)
        x0, x1 = table.columns[0], table.columns[-1]
        columns.append([(x - x0) * 1000 / max(x1 - x0, 1) for x in table.columns[:-1]])
    text = ["\t".join(text_pieces[i]) for i in sorted(text_pieces)]
    return PageResult(tables, cells, columns, text, title, warnings)


def _text_groups(lay, pad: int, indices: list[int]) -> tuple[list[list], list[list[tuple]]]:
    """The recogniser's inputs for these text lines: each gap-separated piece one input (cut
    where too wide), owned by (``"text"``, line, piece)."""
    groups: list[list] = []
    owners: list[list[tuple]] = []
    for l_i in indices:
        for p_i, p in enumerate(lay.lines[l_i].pieces):
            groups.append([_crop(lay.image, q, pad) for q in _split_long(lay, p)])
            owners.append([("text", l_i, p_i)] * len(groups[-1]))
    return groups, owners


def _texts(text_lines: dict[int, dict[int, list]]) -> dict[int, list[str]]:
    """Each text line's reading: doubtful ideographs and split characters unread, stray ends dropped."""
    return {k: [_unsplit("".join(_sure_text(ln) for ln in _without_stray_ends(v)))] for k, v in text_lines.items()}


def _doubtful_name(title: str) -> bool:
    """A title whose agency will need confirming: a character unread, or a mark before the name."""
    return UNREAD in title or bool(re.match(r"[0-9A-Za-z]", title))


def _stroke(lay, box, text: str, info: OcrCell | None) -> tuple[str, OcrCell | None]:
    """A lone upright stroke is a 1, a slanted one a slash (a blank mark): the recogniser
    confuses them, the ink's slant does not. A dash read as 1 is flat: left out."""
    import numpy as np

    ys, xs = np.nonzero(lay.ink[box.y0 : box.y1, box.x0 : box.x1])
    if len(ys) < 4 or np.ptp(ys) < 3:
        return (text, info) if text == "—" else (UNREAD, OcrCell(text, 0.0, ()))
    if _tall_strokes(lay, box) > 1:
        # not one stroke: digits the recogniser read as one (seed 1736: 17 read 7, its ink
        # slanted by the 7, became a slash — a blank where 17 was printed)
        return UNREAD, OcrCell("", 0.0, ())
    slope = abs(np.polyfit(ys, xs, 1)[0])  # horizontal shift per row: 0 upright, ~0.4 a slash
    if text == "7":
        top = xs[ys <= ys.min() + max(1, np.ptp(ys) // 5)]
        if len(np.unique(top)) >= 0.6 * (np.ptp(xs) + 1) and info is not None and info.confidence >= SURE:
            return text, info  # a bar on top, and sure: a 7
        return ("/", None) if slope >= 0.25 else (UNREAD, OcrCell(text, 0.0, ()))
    if box.width > box.height * 1.5:
        return ("—", None) if text == "—" else (UNREAD, OcrCell(text, 0.0, ()))
    if slope >= 0.25:
        return "/", None
    if slope <= 0.12 and text == "1" and info is not None and info.confidence >= SURE:
        return text, info
    return UNREAD, OcrCell(text if text == "1" else "", 0.0, ())


#: a digit's ink is at most this wide (shares of the line's height; measured 0.40–0.77 for one
#: digit, 0.54–0.65 a digit in longer numbers), a comma or point at most this, and a margin
_DIGIT_WIDTH = 0.62
_MARK_WIDTH = 0.3
_SLACK = 0.4


def _fits(lay, box, reading: str) -> bool:
    """Whether the cell's ink holds no more digits than ``reading`` has: a recogniser that
    merges two equal digits (``11`` read ``1``, every character sure: seed 1046) leaves ink
    it did not read — a line wider than its digits, or more digit-tall strokes than digits
    (printed digits stand apart; touching ones only make fewer strokes, never more)."""
    digits = sum(ch.isdigit() or ch in "+-" for ch in reading)  # a sign is as wide, a + as tall
    marks = len(reading) - digits
    h = max(box.height, 1)
    if box.width > h * (_DIGIT_WIDTH * digits + _MARK_WIDTH * marks + _SLACK):
        return False
    if not reading.startswith(("-", "+", "−")) and _sign_before(lay, box):
        return False
    return _tall_strokes(lay, box) <= digits


def _sign_before(lay, box) -> bool:
    """Ink before the first digit-tall stroke that is not digit-tall and sits at mid-height: a
    sign the reading lost (seed 1305 at 100 dpi: ``-5`` read ``5``, every character sure; its
    minus two pixels square). A speck there costs the cell, never a wrong number."""
    h = max(box.height, 1)
    cols = lay.ink[box.y0 : box.y1, box.x0 : box.x1]
    for a, b in _ink_runs(cols.any(axis=0)):
        ys = cols[:, a:b].any(axis=1).nonzero()[0]
        if ys[-1] - ys[0] + 1 >= 0.6 * h:
            return False  # the first digit: nothing before it looked like a sign
        if 0.3 * h <= (ys[0] + ys[-1]) / 2 <= 0.7 * h:
            return True
    return False


def _tall_strokes(lay, box) -> int:
    """Runs of ink columns in the cell's line that stand digit-tall (0.6 of the line's height):
    printed digits stand apart, so each is one (touching ones make fewer, never more)."""
    h = max(box.height, 1)
    cols = lay.ink[box.y0 : box.y1, box.x0 : box.x1]
    tall = 0
    for a, b in _ink_runs(cols.any(axis=0)):
        ys = cols[:, a:b].any(axis=1).nonzero()[0]
        tall += int(ys[-1] - ys[0] + 1 >= 0.6 * h)
    return tall


def _ink_runs(on) -> list[tuple[int, int]]:
    """[start, end) runs of True in a row of booleans."""
    edges = [i for i in range(1, len(on)) if on[i] != on[i - 1]]
    bounds = [0, *edges, len(on)]
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if on[a]]


def _fit_ink(lay, box, text: str, info: OcrCell) -> tuple[str, OcrCell]:
    """A number cell's readings that leave digits of its ink unread are no readings of it:
    the cell is unread when its best reading is one of them (never proven by the identities
    either, whose premise is that the printed number is among the readings)."""
    readings = [r for r in (info.text, *info.alternatives) if r and _fits(lay, box, r)]
    if info.text and info.text in readings:
        return text, replace(info, alternatives=tuple(r for r in info.alternatives if r in readings))
    return UNREAD, OcrCell("", 0.0, ())


def _zero_ink(gray, box, unit: float, text: str, info: OcrCell) -> tuple[str, OcrCell]:
    """A doubtful lone ``0`` (``6``/``8``/``9`` its runner-up), or ink read as nothing, whose ink
    is one ``0`` and nothing else (:func:`.ocrink.proves_zero`: one glyph, one hole spanning its
    height, wide in the middle): read ``0``. Otherwise the cell stays as it was (doubtful)."""
    from .ocrink import proves_zero

    if text != UNREAD:
        return text, info
    readings = {info.text, *info.alternatives}
    if info.text and ("0" not in readings or len(info.text) != 1):
        return text, info
    if not proves_zero(gray, box, unit):
        return text, info
    return "0", OcrCell("0", SURE, ())


def _settle_cell(lines: list) -> tuple[str, OcrCell | None]:
    """The cell's text for the grid, and its number reading (``None`` for a label or a blank)."""
    if not lines:
        return "", None
    text = _cell_text(lines, [ln.text for ln in lines]).strip()
    conf = min(ln.confidence for ln in lines)
    if not text:  # ink the recogniser made nothing of: not an empty cell
        return UNREAD, OcrCell("", 0.0, ())
    mark = _blank_mark(text)
    if mark is not None and len(lines) == 1:
        return mark, None
    if len(lines) == 1 and _number_like(text):
        digits = re.sub(r"[^0-9]", "", text)
        alternatives = tuple(r for r in dict.fromkeys(_readings(lines[0])) if r != text and _number_like(r))
        if _THOUSANDS_LIKE.search(text):
            # "13.004" in a count is "13,004" printed with a comma the recogniser took for a point:
            # never written as it is; the comma reading may be proven by the identities
            conf = 0.0
            alternatives = (text.replace(".", ","), *alternatives)
        info = OcrCell(digits if digits == text else text, conf, alternatives)
        return (text if conf >= SURE else UNREAD), info
    if not re.search(r"[\u4e00-\u9fff]", text):
        # digits with something else (a stray mark, two lines), or a speck read as a point: never
        # a number we can prove, and never a label either (a "." in a row of numbers would stand
        # as a row label no template row matches, and the aligner would drop the whole table)
        return UNREAD, OcrCell(text, 0.0, ())
    return text, None


def _split_long(lay, box) -> list:
    """A line too wide for one cheap input cut at gaps between characters (about 12 a piece)."""
    from .ocrengine import MAX_WIDTH
    from .ocrgrid import Box

    h = max(box.height + 2 * max(2, int(lay.unit * 0.2)), 1)
    limit = int(MAX_WIDTH * h / 48 * 0.9)
    if box.width <= limit:
        return [box]
    cols = lay.ink[box.y0 : box.y1, box.x0 : box.x1].sum(axis=0)
    out = []
    start = 0
    while box.width - start > limit:
        window = cols[start + limit // 2 : start + limit]
        cut = start + limit // 2 + int(window.argmin()) if len(window) else start + limit
        out.append(Box(box.x0 + start, box.y0, box.x0 + cut, box.y1))
        start = cut
    out.append(Box(box.x0 + start, box.y0, box.x1, box.y1))
    return out


def _body_height(lay) -> float:
    heights = sorted(ln.box.height for ln in lay.lines)
    return heights[len(heights) // 2] if heights else lay.unit


def _title(lay, pieces: dict[int, list[str]]) -> str | None:
    """The page's largest lines above the first body line: a report's title block."""
    if not lay.lines:
        return None
    body = _body_height(lay)
    out: list[str] = []
    for i, ln in enumerate(lay.lines[:4]):
        if ln.box.height >= body * 1.25 and i in pieces:
            out.append("".join(pieces[i]))
        elif out:
            break
    return "".join(out) or None


def read_pictures(
    pictures: list[tuple[object, float | None]], limits: Limits, source_type: str = "ocr"
) -> ExtractedDocument:
    """Page pictures (greyscale arrays with their dpi, when known) to one document.

    A table cut by a page break is joined to its continuation as the PDF reader joins
    them (same edges, one part's columns among the other's), with the columns measured
    as shares of the table's width: a scan's pages are not placed to the point.
    """
    warnings: list[str] = []
    pages: list[PageResult] = []
    # CPU time, as the page budget: on a loaded machine a wall-clock budget left the second
    # page of a scan unread in one run and read in the next (the parse pool's wall-clock cap
    # per document still bounds a crawl)
    started = time.process_time()
    for number, (gray, dpi) in enumerate(pictures, start=1):
        if time.process_time() - started > limits.pdf_seconds:
            warnings.append(f"OCR time budget spent; pages from {number} on not read")
            break
        pages.append(read_page(gray, dpi=dpi, budget=limits.ocr_page_seconds, page=number))
    return assemble(pages, len(pictures), warnings, source_type)


def assemble(
    pages: list[PageResult], pictures: int, warnings: list[str], source_type: str = "ocr"
) -> ExtractedDocument:
    """The pages read, as one document: tables cut by a page break joined, readings by grid position."""
    from .pdf import _join_across_pages, _PageTable

    warnings = list(warnings)
    texts: list[str] = []
    found: list[_PageTable] = []
    cells: dict[str, tuple[str, OcrCell | None]] = {}
    title: str | None = None
    budget_notes = [w for w in warnings if w.startswith("OCR time budget spent")]
    warnings = [w for w in warnings if w not in budget_notes]
    for number, page in enumerate(pages, start=1):
        warnings += page.warnings
        last = len(page.tables) - 1
        for i, (grid, cols) in enumerate(zip(page.tables, page.columns, strict=True)):
            found.append(_PageTable(number, grid, cols, 1000.0, i == 0, i == last))
        cells.update(page.cells)
        texts.append("\n".join(page.text))
        title = title or page.title
    tables: list[list[list[str]]] = []
    ocr: dict[tuple[int, int, int], OcrCell] = {}
    for t, grid in enumerate(_join_across_pages(found, tol=JOIN_TOLERANCE)):
        seen: set[str] = set()
        rows: list[list[str]] = []
        for r, row in enumerate(grid):
            out_row: list[str] = []
            for c, cell_id in enumerate(row):
                text, info = cells.get(cell_id, ("", None))
                out_row.append(text)
                if info is not None and cell_id not in seen:
                    ocr[(t, r, c)] = replace(info, page=int(cell_id.split("/", 1)[0]))  # "page/table/cell"
                seen.add(cell_id)
            rows.append(out_row)
        tables.append(rows)
    warnings += budget_notes
    doubtful = sum(1 for row in (r for t in tables for r in t) for x in row if x == UNREAD)
    warnings.insert(0, f"read by OCR ({pictures} page pictures)")
    if doubtful:
        warnings.append(f"OCR: {doubtful} cells not read with certainty, left out")
    return ExtractedDocument(
        source_type=source_type,
        text="\n".join(texts),
        tables=tables,
        title=title,
        warnings=warnings,
        ocr=ocr,
    )


def read_image(content: bytes, limits: Limits | None = None) -> ExtractedDocument:
    """An image file (a scanned page, an ``<img>`` table) read by OCR."""
    limits = limits or Limits()
    gray = _load(content)
    return read_pictures([(gray, None)], limits)


def read_images(images: list[tuple[str, bytes]], limits: Limits | None = None) -> ExtractedDocument:
    """A web page's table pictures, in page order, as one document (a table cut over two
    pictures is joined as over two pages); an unreadable picture is skipped with a warning."""
    limits = limits or Limits()
    pictures: list[tuple[object, float | None]] = []
    skipped: list[str] = []
    kept: list[int] = []  # each picture read: its place in ``images``
    for number, (url, content) in enumerate(images, start=1):
        try:
            if len(content) > limits.max_bytes:
                raise FormatError(f"picture too large ({len(content)} bytes)")
            pictures.append((_load(content), None))
            kept.append(number)
        except FormatError as exc:
            skipped.append(f"picture {url} not read: {exc}")
    doc = read_pictures(pictures, limits)
    if doc.ocr and skipped:  # cells name their picture's place in ``images``, not among those read
        doc.ocr = {pos: replace(c, page=kept[c.page - 1] if c.page else None) for pos, c in doc.ocr.items()}
    doc.warnings += skipped
    return doc


def pdf_pictures(content: bytes, pages: list[int], limits: Limits) -> list[tuple[object, float]]:
    """PDF pages (1-based numbers) rendered by PDFium at the resolution of their pictures, at most 200 dpi."""
    import numpy as np
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(content)
    except Exception as exc:  # noqa: BLE001
        raise FormatError(f"unreadable PDF for OCR: {exc}") from exc
    out: list[tuple[object, float]] = []
    try:
        for number in [n for n in pages if 1 <= n <= len(doc)][: limits.max_pages]:
            page = doc[number - 1]
            width_pt = page.get_width() or 595.0
            dpi = float(MAX_DPI)
            for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]):
                try:
                    px_w, _ = obj.get_px_size()
                    left, _, right, _ = obj.get_bounds()
                except Exception:  # noqa: BLE001
                    continue
                if right - left > width_pt * 0.5 and px_w:
                    dpi = min(dpi, max(72.0, px_w / ((right - left) / 72)))
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            out.append((np.asarray(bitmap.to_pil().convert("L")), dpi))
    finally:
        doc.close()
    return out

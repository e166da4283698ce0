"""PDF text layer and tables, by position (pdfplumber).

Tables come from the ruling lines (``lines`` strategy); a table whose inner lines are
missing (three-line tables) is retried with text-aligned columns. Merged cells are
repeated over every grid position they cover. A table cut by a page break is joined
to its continuation when the columns line up. The text of each page is rebuilt from
its words outside the tables, with a tab where a wide gap separates two words, so
that table-less pages still read as tab-separated rows for the parser.
"""

from __future__ import annotations

import gc
import io
import logging
import re
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pdfplumber
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream, resolve1
from pdfminer.psparser import LIT

from ..model import ExtractedDocument
from . import pdfstream, pdftables
from .cells import join_lines
from .deadline import OutOfTime, deadline
from .errors import FormatError
from .limits import Limits

_WORD_PREFIX = re.compile(r"^(?:Microsoft Word|WPS文字|Word)\s*-\s*", re.I)
_FILE_SUFFIX = re.compile(r"\.(?:docx?|wps|pdf)$", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")

logging.getLogger("pdfminer").setLevel(logging.ERROR)

LINES = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
}
TEXT_COLUMNS = {"vertical_strategy": "text", "horizontal_strategy": "lines", "snap_tolerance": 3}


@dataclass
class _PageTable:
    page: int
    rows: list[list[str]]
    columns: list[float]  # x0 of every column, to join a table across a page break
    right: float
    first_on_page: bool
    last_on_page: bool


def read_pdf(content: bytes, limits: Limits) -> ExtractedDocument:
    with _collector_paused():
        return _read_pdf(content, limits)


#: readers inside the pause, and whether the collector ran before the first of them (threads:
#: with ``GXCRAWLER_PARSE_WORKERS=0`` PDFs are read on the reactor's thread pool)
_pause_lock = threading.Lock()
_pause = {"readers": 0, "was_running": False}


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while PDFs are read (and resumed only if it ran).

    Why: pdfminer and pdfplumber make tens of thousands of objects for a report (characters,
    their dicts, table cells), most alive until the page is closed; the young-generation
    collections every 700 allocations walked them again and again, ~10 % of the read's CPU.
    Nothing read depends on when garbage is collected; what the read leaves in cycles is
    collected by the next collection after it. Overlapping reads in threads share one pause
    (a count under a lock): the collector is resumed when the last of them ends, never left off."""
    with _pause_lock:
        if _pause["readers"] == 0:
            _pause["was_running"] = gc.isenabled()
            gc.disable()
        _pause["readers"] += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pause["readers"] -= 1
            if _pause["readers"] == 0 and _pause["was_running"]:
                gc.enable()


def _read_pdf(content: bytes, limits: Limits) -> ExtractedDocument:
    try:
        pdf = pdfplumber.open(io.BytesIO(content))
    except (PDFSyntaxError, Exception) as exc:  # pdfminer raises many kinds
        raise FormatError(f"unreadable PDF: {exc.__class__.__name__}: {exc}") from exc
    warnings: list[str] = []
    texts: list[str] = []
    found: list[_PageTable] = []
    images: list[str] = []
    chars = left_out = 0
    started = time.monotonic()
    try:
        pages = pdf.pages
        if len(pages) > limits.max_pages:
            warnings.append(f"PDF has {len(pages)} pages; read the first {limits.max_pages}")
        for number, page in enumerate(pages[: limits.max_pages], start=1):
            if time.monotonic() - started > limits.pdf_seconds:
                warnings.append(f"PDF time budget spent; pages from {number} on not read")
                break
            try:
                with deadline(limits.page_seconds):
                    over = _over_budget(page, limits)
                    if over:
                        warnings.append(f"page {number} left out: {over}")
                        left_out += 1
                        continue
                    chars += len(page.chars)
                    images += [f"page{number}/{img.get('name') or i}" for i, img in enumerate(page.images, 1)]
                    tables, ruled = _tables(page)
                    # an unruled table's place is guessed from the text's gaps (its grid can be
                    # junk): its words stay in the text too, read as tab-separated rows
                    texts.append(_page_text(page, [bbox for *_, bbox in tables] if ruled else []))
                found += [
                    _PageTable(number, rows, cols, bbox[2], i == 0, i == len(tables) - 1)
                    for i, (rows, cols, bbox) in enumerate(tables)
                ]
            except OutOfTime:
                warnings.append(f"page {number} left out: not read within {limits.page_seconds:g} s")
                left_out += 1
            except Exception as exc:  # one broken page must not lose the others
                warnings.append(f"page {number} unreadable: {exc.__class__.__name__}")
            finally:
                page.close()
        title = (pdf.metadata or {}).get("Title")
    except FormatError:
        raise
    except Exception as exc:  # pdfminer's lazy parsing can fail anywhere
        raise FormatError(f"unreadable PDF: {exc.__class__.__name__}: {exc}") from exc
    finally:
        _close(pdf)
    if chars == 0 and not left_out:
        warnings.append("PDF has no text layer (scanned or image-only)")
    return ExtractedDocument(
        source_type="pdf",
        text="\n".join(texts),
        tables=_join_across_pages(found),
        images=images,
        title=_decode_title(title),
        warnings=warnings,
    )


def _over_budget(page, limits: Limits) -> str | None:
    """Why a page is too big to read (checked before and after pdfminer interprets it), or None."""
    size = _content_bytes(page.page_obj, limits.page_content_bytes)
    if size > limits.page_content_bytes:
        return f"more than {limits.page_content_bytes} bytes of drawing instructions"
    pdfstream.layout(page)
    count = sum(len(objs) for kind, objs in page.objects.items() if kind in _COUNTED)
    if count > limits.page_objects:
        return f"{count} characters and drawn shapes (limit {limits.page_objects})"
    return None


_COUNTED = ("char", "line", "rect", "curve")
LITERAL_FORM = LIT("Form")


def _content_bytes(page_obj, cap: int) -> int:
    """Decompressed size of a page's content streams and form XObjects, counted up to ``cap + 1``
    (a Flate stream is inflated only that far: a compression bomb is not unpacked to measure it)."""
    streams = [resolve1(s) for s in (page_obj.contents or [])]
    xobjects = resolve1((page_obj.resources or {}).get("XObject")) or {}
    if isinstance(xobjects, dict):
        for x in xobjects.values():
            x = resolve1(x)
            if isinstance(x, PDFStream) and x.get("Subtype") is LITERAL_FORM:
                streams.append(x)
    total = 0
    for stream in streams:
        if isinstance(stream, PDFStream):
            total += _decoded_size(stream, cap + 1 - total)
            if total > cap:
                break
    return total


def _decoded_size(stream: PDFStream, limit: int) -> int:
    if stream.data is not None:
        return len(stream.data)
    filters = stream.get_filters()
    plain_flate = (
        len(filters) == 1 and filters[0][0] in LITERALS_FLATE_DECODE and not filters[0][1] and not stream.decipher
    )
    if plain_flate and stream.rawdata is not None:
        try:
            return len(zlib.decompressobj().decompress(stream.rawdata, max(limit, 1)))
        except zlib.error:
            pass  # pdfminer's own decoding decides what a broken stream holds
    return len(stream.get_data())


def _tables(page) -> tuple[list[tuple[list[list[str]], list[float], tuple]], bool]:
    """The page's tables (rows, column edges, bounding box), and whether they are ruled (found by
    their lines, not guessed from the text's gaps)."""
    out = []
    tables = pdftables.find_tables(page, LINES)
    ruled = bool(tables)
    if not tables and len(page.horizontal_edges) >= 3:
        tables = [t for t in pdftables.find_tables(page, TEXT_COLUMNS) if len(t.rows) >= 2]
    marks = pdftables.PageChars(page.chars) if tables and pdfstream.ENABLED else None  # once for all tables
    for table in tables:
        rows = _matrix(table, marks)
        if rows and max(len(r) for r in rows) >= 2:
            cols = [c.bbox[0] for c in table.columns]
            out.append((rows, cols, table.bbox))
    return out, ruled and bool(out)


def _matrix(table, marks: pdftables.PageChars | None = None) -> list[list[str]]:
    """Cell texts with every merged cell repeated where it extends."""
    grid = table.rows  # sorted anew at every use
    texts = _cell_texts(table, grid, marks)
    by_bbox = {}
    for row, row_texts in zip(grid, texts, strict=False):
        for bbox, text in zip(row.cells, row_texts, strict=False):
            if bbox is not None:
                by_bbox[bbox] = join_lines(text)
    # the narrowest cell at a grid position gives that column's (row's) true extent;
    # merged cells are wider (taller) than the position they start at
    xs: dict[int, tuple[float, float]] = {}
    ys: dict[int, tuple[float, float]] = {}
    for i, row in enumerate(grid):
        for j, b in enumerate(row.cells):
            if b is None:
                continue
            if j not in xs or b[2] - b[0] < xs[j][1] - xs[j][0]:
                xs[j] = (b[0], b[2])
            if i not in ys or b[3] - b[1] < ys[i][1] - ys[i][0]:
                ys[i] = (b[1], b[3])
    matrix: list[list[str]] = []
    for i, row in enumerate(grid):
        line = []
        for j, bbox in enumerate(row.cells):
            if bbox is not None:
                line.append(by_bbox.get(bbox, ""))
                continue
            owner = None
            if j in xs and i in ys:
                cx, cy = sum(xs[j]) / 2, sum(ys[i]) / 2
                owner = next((b for b in by_bbox if b[0] < cx < b[2] and b[1] < cy < b[3]), None)
            line.append(by_bbox[owner] if owner else "")
        matrix.append(line)
    return matrix


def _cell_texts(table, grid: list, marks: pdftables.PageChars | None = None) -> list[list[str | None]]:
    """``table.extract()`` with each character's midpoint computed once, not once per row and cell
    (pdfplumber 0.11.10's test, comparison for comparison; its own where unverified). ``marks``:
    the page's characters with their midpoints and order (``PageChars`` of ``table.page.chars``),
    made once for all the page's tables."""
    if not pdfstream.ENABLED:
        return table.extract()
    if marks is None:
        marks = pdftables.PageChars(table.page.chars)
    chars = marks.marks
    rows = pdftables.rows_chars(chars, [row.bbox for row in grid], marks.by_v())
    out: list[list[str | None]] = []
    for row, in_row in zip(grid, rows, strict=True):
        texts: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                texts.append(None)
                continue
            x0, top, x1, bottom = cell
            in_cell = [c for v, h, c in in_row if h >= x0 and h < x1 and v >= top and v < bottom]
            texts.append(pdftables.cell_text(in_cell) if in_cell else "")
        out.append(texts)
    return out


def _page_text(page, exclude: list[tuple]) -> str:
    """The page's words outside the tables, line by line, wide gaps as tabs."""

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        for b in exclude:  # noqa: SIM110 - any()/all() make a generator per character
            if b[0] <= x <= b[2] and b[1] <= y <= b[3]:
                return False
        return True

    region = page.filter(outside) if exclude else page
    words = region.extract_words(x_tolerance=1.5, y_tolerance=3, keep_blank_chars=False)
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - word["top"]) <= 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    out = []
    for line in lines:
        line.sort(key=lambda w: w["x0"])
        text = line[0]["text"]
        for prev, word in zip(line, line[1:], strict=False):
            size = max(word["bottom"] - word["top"], 1.0)
            gap = word["x0"] - prev["x1"]
            text += ("\t" if gap > 1.2 * size else " " if gap > 0.2 * size else "") + word["text"]
        out.append(text)
    return "\n".join(out)


def _join_across_pages(found: list[_PageTable], tol: float = 2.0) -> list[list[list[str]]]:
    """Join a table to its continuation on the next page.

    The two parts must share their left and right edges, and one part's column
    edges must be among the other's: a part whose merged cells hide some column
    edges (the header of section 三) is spread over the finer grid, each cell
    repeated over the columns it covers.
    """
    tables: list[list[list[str]]] = []
    prev: _PageTable | None = None
    for t in found:
        grid = _common_grid(prev, t, tol) if prev is not None else None
        if (
            prev is not None
            and grid is not None
            and t.page == prev.page + 1
            and prev.last_on_page
            and t.first_on_page
        ):
            tables[-1][:] = _spread(tables[-1], prev.columns, grid, tol)
            tables[-1].extend(_spread(t.rows, t.columns, grid, tol))
            t = _PageTable(t.page, [], grid, t.right, t.first_on_page, t.last_on_page)
        else:
            tables.append(list(t.rows))
        prev = t
    return tables


def _common_grid(a: _PageTable, b: _PageTable, tol: float = 2.0) -> list[float] | None:
    if (
        abs(a.right - b.right) > tol
        or not a.columns
        or not b.columns
        or abs(a.columns[0] - b.columns[0]) > tol
    ):
        return None
    fine, coarse = (a.columns, b.columns) if len(a.columns) >= len(b.columns) else (b.columns, a.columns)
    if all(any(abs(x - y) <= tol for y in fine) for x in coarse):
        return list(fine)
    return None


def _spread(
    rows: list[list[str]], columns: list[float], grid: list[float], tol: float = 2.0
) -> list[list[str]]:
    if len(columns) == len(grid):
        return rows
    source = [max(i for i, x in enumerate(columns) if x <= g + tol) for g in grid]
    return [[row[i] if i < len(row) else "" for i in source] for row in rows]


def _close(pdf) -> None:
    """Close without raising: pdfplumber's close() walks the pages, which may be broken."""
    try:
        pdf.close()
    except Exception:  # noqa: BLE001 - nothing left to read
        stream = getattr(pdf, "stream", None)
        if stream is not None:
            stream.close()


def _decode_title(title) -> str | None:
    """The document-info title when it names something (not "Microsoft Word - 文档1.docx")."""
    if isinstance(title, bytes):
        for enc in ("utf-16", "utf-8", "gb18030"):
            try:
                title = title.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            return None
    if not title:
        return None
    text = _WORD_PREFIX.sub("", str(title).strip("\x00 ")).strip()
    text = _FILE_SUFFIX.sub("", text).strip()
    return text if _CJK.search(text) else None

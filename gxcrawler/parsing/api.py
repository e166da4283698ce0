"""The parser's entry points: bytes, text, a format reader's output, or a path in; a ParseResult out.

None of these raise: bad input becomes ``status="error"`` with a ``message``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from ..checks import evaluate
from ..discovery.families import script_article_html
from ..formats.sniff import OFFICE_KINDS, UNPROVEN, claimed_type, reader_kind, sniff_binary
from ..formats.webarchive import web_archive_html
from ..model import Check, ExtractedDocument, ParseResult
from .aligner import Alignment, align
from .coldump import rebuild
from .htmldoc import decode, parse_html
from .labels import heading
from .metadata import Metadata, extract, looks_like_report_title
from .narrative import narrative_checks
from .tokens import (
    GRID_ROW,
    ROW_END,
    SPAN_ACROSS,
    SPAN_DOWN,
    TABLE_START,
    TEXT,
    Token,
    cell_token,
    text_tokens,
)
from .transpose import pipe_rows, turn

_HTML_EXT = (".html", ".htm", ".shtml", ".xhtml", ".jsp", ".php", ".asp", ".aspx", ".do")
_HTML_SNIFF = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|table|div|p|meta|title)\b", re.I)
#: what ``sniff_type`` returns: the reader a document goes to
SOURCE_KINDS = ("html", "text", "pdf", "docx", "doc", "xlsx", "xls", "mht", "image")


def sniff_type(content: bytes, content_type: str | None = None, filename: str | None = None) -> str:
    """html | text | pdf | docx | doc | xlsx | xls | mht | image, from the bytes first, then the header, then the name.

    A Word or Excel file that is really a web page or web archive (portals serve both as
    ``.doc``/``.xls``) is read as what it is.
    """
    actual = sniff_binary(content)
    claimed = claimed_type(content_type, filename)
    if actual in UNPROVEN:  # a package or compound file whose parts did not say
        kinds = UNPROVEN[actual]
        return reader_kind(claimed) if claimed and reader_kind(claimed) in kinds else kinds[0]
    if actual and actual != "html":
        return reader_kind(actual)
    if actual == "html" and (claimed is None or claimed in OFFICE_KINDS):
        return "html"
    if claimed and claimed != "mht":
        return reader_kind(claimed)
    ct = (content_type or "").lower()
    name = (filename or "").lower().split("?")[0]
    if "html" in ct or name.endswith(_HTML_EXT) or _HTML_SNIFF.search(content[:2048]):
        return "html"
    return "text"


def parse_bytes(
    content: bytes,
    *,
    source: str,
    content_type: str | None = None,
    filename: str | None = None,
    hints: dict[str, str] | None = None,
    images: tuple[tuple[str, bytes], ...] | list[tuple[str, bytes]] = (),
) -> ParseResult:
    """Any document the crawl fetched; ``images``: a web page's table pictures, (url, bytes) in
    page order, read by OCR with the page when the page has no statistics tables of its own."""
    source_type = "text"
    try:
        source_type = sniff_type(content, content_type, filename)
        if not content.strip():
            return _error(source, source_type, "empty document")
        served = claimed_type(content_type, filename)
        mislabel = (
            [f"file served as {served} is really {source_type}"]
            if served and reader_kind(served) != source_type and source_type != "text"
            else []
        )
        if source_type in ("html", "mht"):
            declared = content_type
            if source_type == "mht":
                content, charset = web_archive_html(content)
                declared = f"text/html; charset={charset}" if charset else None
            text, encoding = decode(content, declared)
            bom = content.startswith(b"\xef\xbb\xbf")
            raw = content if encoding == "utf-8" and not bom else None  # the bytes are the text
            if "_CONFIG" in text and (rendered := script_article_html(text)):
                text, raw = rendered, None  # a JavaScript shell: the article is JSON in its script (gkmlpt)
            result = _parse_html(text, source=source, hints=hints, raw_utf8=raw, source_type=source_type)
            result.warnings[:0] = mislabel
            if images and result.status in ("no_tables", "not_a_report"):
                result = _with_pictures(result, text, list(images), source=source, hints=hints)
            return result
        if source_type == "text":
            text, _ = decode(content, content_type)
            return parse_text(text, source=source, hints=hints)
        from ..formats import read

        as_served = served if served and reader_kind(served) == source_type else source_type
        doc = read(content, as_served)
        result = parse_extracted(doc, source=source, hints=hints)
        result.warnings[:0] = mislabel
        return result
    except Exception as exc:  # noqa: BLE001 - the contract is: never raise
        own = type(exc).__module__.startswith(("gxcrawler.formats", "gxcrawler.parsing"))  # for users
        return _error(source, source_type, str(exc) if own else f"{type(exc).__name__}: {exc}")


def _with_pictures(
    page: ParseResult, html: str, images: list[tuple[str, bytes]], *, source: str, hints: dict[str, str] | None
) -> ParseResult:
    """A report page whose tables are pictures: the pictures read by OCR (their tables, their
    doubtful cells proven or left out as for a scan), the page's text and metadata kept.

    The page stays the report (its URL, title, agency, date); ``source_type`` is ``ocr``.
    Without OCR, or when no picture holds a ruled table, the page's own result stands.
    """
    from ..formats.ocr import read_images, usable

    if not usable():
        page.warnings.append(f"{len(images)} table pictures not read: OCR is off or not installed")
        return page
    scanned = read_images(images)
    if not scanned.tables:
        page.warnings.append(f"OCR found no ruled table in the page's {len(images)} pictures")
        return page
    doc = parse_html(html)
    scanned.text = "\n".join([*doc.lines, scanned.text])
    scanned.title = page.title or scanned.title
    known = {"title": page.title, "agency": page.agency, "year": str(page.year) if page.year else None}
    merged = {**(hints or {}), **{k: v for k, v in known.items() if v}}
    result = parse_extracted(scanned, source=source, hints=merged)
    if result.status == "error":
        page.warnings.append(f"table pictures not read: {result.message}")
        return page
    result.title = page.title or result.title
    result.agency = page.agency or result.agency
    result.year = page.year or result.year
    result.published = page.published or result.published
    result.warnings.insert(0, f"tables read by OCR from {len(images)} pictures in the page")
    _trace_pictures(result, scanned, images, lambda d: _parse_document(d, source=source, hints=merged))
    return result


def _trace_pictures(
    result: ParseResult,
    scanned: ExtractedDocument,
    images: list[tuple[str, bytes]],
    parse: Callable[[ExtractedDocument], ParseResult],
) -> None:
    """Which picture each value was read from (the loader stores the pictures and the link):
    the number cell the aligner put under the key (``ocrproof.key_cells``), and its page.

    A value not read from a picture's cell (the text fallback) names none; a warning says so.
    """
    from .ocrproof import key_cells

    result.pictures = [hashlib.sha256(content).hexdigest() for _, content in images]
    try:
        where = key_cells(scanned, parse) if scanned.ocr else {}
    except Exception as exc:  # noqa: BLE001 - the values stand; only their pictures are not named
        where = {}
        result.warnings.append(f"the pictures of the values not traced: {type(exc).__name__}: {exc}")
    for key, pos in where.items():
        page = scanned.ocr[pos].page if scanned.ocr else None
        if key in result.values and page is not None and 1 <= page <= len(images):
            result.picture[key] = page
    untraced = sorted(k for k in result.values if k not in result.picture)
    if untraced:
        result.warnings.append(f"not read from a picture's cell (text): {', '.join(untraced[:10])}")


def parse_text(text: str, *, source: str, hints: dict[str, str] | None = None) -> ParseResult:
    """A plain-text flattening of a report (the seeds' layouts)."""
    try:
        lines = text.splitlines()
        md = extract([ln.strip() for ln in lines if ln.strip()], hints=hints, url=source, split_title=True)
        alignment = _align_text(lines, md.year)
        return _finish(source, "text", md, alignment, [], lines)
    except Exception as exc:  # noqa: BLE001
        return _error(source, "text", f"{type(exc).__name__}: {exc}")


def _parse_html(
    text: str,
    *,
    source: str,
    hints: dict[str, str] | None,
    raw_utf8: bytes | None = None,
    source_type: str = "html",
) -> ParseResult:
    doc = parse_html(text, raw_utf8)
    md = extract(doc.lines, title_candidates=doc.title_candidates, hints=hints, url=source, page_meta=doc.page_meta)
    alignment = _align_grids(doc.tokens, md.year)
    result = _finish(source, source_type, md, alignment, doc.images, doc.lines)
    result.warnings[:0] = doc.warnings
    return result


def parse_html_text(text: str, *, source: str, hints: dict[str, str] | None = None) -> ParseResult:
    """An HTML page already decoded to ``str``."""
    try:
        return _parse_html(text, source=source, hints=hints)
    except Exception as exc:  # noqa: BLE001
        return _error(source, "html", f"{type(exc).__name__}: {exc}")


def parse_extracted(
    doc: ExtractedDocument, *, source: str, hints: dict[str, str] | None = None
) -> ParseResult:
    """The output of a format reader (PDF, DOCX, DOC): its tables first, its text as fallback.

    A document read by OCR has its doubtful numbers settled by the identities or left out
    (:mod:`.ocrproof`).
    """
    if doc.ocr is not None:
        from .ocrproof import settle

        try:
            return settle(doc, lambda d: _parse_document(d, source=source, hints=hints))
        except Exception as exc:  # noqa: BLE001 - the contract is: never raise
            return _error(source, doc.source_type, f"{type(exc).__name__}: {exc}")
    return _parse_document(doc, source=source, hints=hints)


def _parse_document(doc: ExtractedDocument, *, source: str, hints: dict[str, str] | None) -> ParseResult:
    source_type = getattr(doc, "source_type", None) or "pdf"
    try:
        lines = doc.text.splitlines()
        head = [ln.strip() for ln in lines if ln.strip()]
        md = extract(
            head, title_candidates=[doc.title] if doc.title else (), hints=hints, url=source, split_title=True
        )
        best = (
            _align_grids(_grid_tokens(doc.tables), md.year, repeats=True, ocr=doc.ocr is not None)
            if doc.tables
            else None
        )
        if best is None or best.missing or not best.cells:
            from_text = _align_text(lines, md.year)
            if best is None or from_text.cells > best.cells:
                best = from_text
        result = _finish(source, source_type, md, best, list(doc.images), lines)
        result.warnings[:0] = list(doc.warnings)
        return result
    except Exception as exc:  # noqa: BLE001
        return _error(source, source_type, f"{type(exc).__name__}: {exc}")


def parse_path(path: str | Path, hints: dict[str, str] | None = None) -> ParseResult:
    p = Path(path)
    try:
        content = p.read_bytes()
    except OSError as exc:
        return _error(str(path), None, f"cannot read {path}: {exc.strerror or exc}")
    return parse_bytes(content, source=str(path), filename=p.name, hints=hints)


# ------------------------------------------------------------------ helpers
def _align_text(lines: list[str], year: int | None) -> Alignment:
    """Align a text flattening; tables read column by column are rebuilt as rows first, and a
    transposed section 三 in tab or ``|`` rows is turned back."""
    notes: list[str] = []
    turned, transposed = turn(list(text_tokens(pipe_rows(rebuild(lines, notes)))))
    alignment = align(turned, year_hint=year)
    alignment.warnings[:0] = notes + transposed
    return alignment


def _align_grids(tokens: list[Token], year: int | None, *, repeats: bool = False, ocr: bool = False) -> Alignment:
    """Align tokens that hold real grids; a transposed section 三 is turned back first.
    ``repeats``: a reader's grids (merged cells repeated in every place); ``ocr``: read by OCR."""
    turned, notes = turn(tokens)
    alignment = align(turned, year_hint=year, repeats=repeats, ocr=ocr)
    alignment.warnings[:0] = notes
    return alignment


def _grid_tokens(tables: Iterable[list[list[str]]]) -> list[Token]:
    """Tokens of reader grids, where a merged cell's text repeats in every position it covers:
    a repeated label is a span (its position kept, its text not read twice)."""
    out: list[Token] = []
    for table in tables:
        prev: list[str] = []
        for r, row in enumerate(table):
            out.append(GRID_ROW if r else TABLE_START)
            for c, cell in enumerate(row):
                tok = cell_token(cell or "")
                if tok.kind == TEXT:
                    if c > 0 and row[c - 1] == cell:
                        out.append(SPAN_ACROSS)
                        continue
                    if c < len(prev) and prev[c] == cell:
                        out.append(SPAN_DOWN)
                        continue
                out.append(tok)
            out.append(ROW_END)
            prev = list(row)
    return out


def _narrative(lines: list[str], result: ParseResult) -> list[Check]:
    """The text's numbers against the tables; a bug here must not cost the tables."""
    try:
        return narrative_checks(lines, result.year, result.values, result.blank)
    except Exception as exc:  # noqa: BLE001 - the contract is: never raise
        result.warnings.append(f"narrative not compared: {type(exc).__name__}: {exc}")
        return []


def _error(source: str, source_type: str | None, message: str) -> ParseResult:
    return ParseResult(source=source, status="error", message=message, source_type=source_type)


def _finish(
    source: str,
    source_type: str,
    md: Metadata,
    alignment: Alignment,
    images: list[str],
    lines: list[str],
) -> ParseResult:
    result = ParseResult(
        source=source,
        title=md.title,
        agency=md.agency,
        year=md.year,
        published=md.published,
        edition=alignment.edition,
        values=alignment.values,
        blank=alignment.blank,
        warnings=[*md.warnings, *alignment.warnings],
        source_type=source_type,
    )
    if alignment.cells:
        if alignment.edition:
            result.checks = evaluate(alignment.values, alignment.blank, alignment.edition)
        else:  # edition unknown: the identities both editions share
            shared = evaluate(alignment.values, alignment.blank, "2019")
            result.checks = [
                c for c in shared if not c.rule.startswith(("s3.outcomes", "s3.row_total.other"))
            ]
        result.status = "partial" if alignment.missing else "ok"
        failed = [c.rule for c in result.checks if not c.ok]
        if failed:
            result.warnings.append(f"{len(failed)} identities fail: " + ", ".join(failed[:8]))
        result.narrative = _narrative(lines, result)
        return result
    result.edition = None
    mentions_tables = any(heading(ln) in ("s3", "s4") for ln in lines if len(ln) < 80)
    if md.title_found or mentions_tables or (md.title and looks_like_report_title(md.title)):
        result.status = "no_tables"
        result.images = list(images)
        if images:
            result.warnings.append("statistics tables not in the text; images: " + ", ".join(images[:20]))
        elif alignment.labels_only:
            result.warnings.append("statistics tables have labels but no numbers")
        else:
            result.warnings.append("no statistics tables found")
        return result
    result.status = "not_a_report"
    result.warnings.append("no report title and no statistics tables")
    return result

"""Readers for binary report formats: PDF, DOCX, legacy DOC/WPS, spreadsheets.

``read(content, source_type)`` reduces a file to an :class:`~gxcrawler.model.ExtractedDocument`
(text in reading order, tables as rows of cell texts with merged cells repeated,
images named). The parser maps the cells; nothing here knows the template.
``sniff_binary`` tells what a file really is from its bytes (:mod:`.sniff`);
``web_archive_html`` takes the page out of a web archive (MHT), which the parser
then reads as HTML.

Errors are :class:`FormatError` with a message fit for a report's ``status: error``;
:class:`NoConverterError` when a ``.doc`` arrives and neither antiword nor
LibreOffice is installed. Work is bounded (size, pages, time, subprocess timeouts)
so one hostile file cannot stall a crawl.
"""

from __future__ import annotations

from ..model import ExtractedDocument
from .errors import FormatError, NoConverterError
from .limits import Limits
from .sniff import UNPROVEN, claimed_type, reader_kind, sniff_binary
from .webarchive import web_archive_html

__all__ = [
    "FormatError",
    "Limits",
    "NoConverterError",
    "claimed_type",
    "read",
    "reader_kind",
    "sniff_binary",
    "web_archive_html",
]

def read(content: bytes, source_type: str, *, limits: Limits | None = None) -> ExtractedDocument:
    """Extract text, tables and images from a ``pdf``, ``docx``, ``doc``/``wps``, ``xlsx`` or ``xls``/``et`` file.

    The bytes decide the reader; a ``source_type`` they contradict is reported in ``warnings``.
    """
    limits = limits or Limits()
    if len(content) > limits.max_bytes:
        raise FormatError(f"{source_type} file too large ({len(content)} bytes > {limits.max_bytes})")
    if not content:
        raise FormatError(f"empty {source_type} file")
    actual = sniff_binary(content)
    warnings: list[str] = []
    kind = reader_kind(source_type)
    if actual in ("html", "mht"):
        what = "HTML" if actual == "html" else "a web archive (MHT)"
        raise FormatError(f"file served as {source_type} is really {what}; read it as a web page")
    if actual and actual not in UNPROVEN and reader_kind(actual) != kind:
        warnings.append(f"file served as {source_type} is really {actual}")
        kind = reader_kind(actual)
    if kind == "image":
        from .ocr import read_image, usable

        if not usable():
            raise FormatError("a picture; OCR is off (GXCRAWLER_OCR=0) or not installed")
        doc = read_image(content, limits)
    elif kind == "pdf":
        from .pdf import read_pdf

        doc = read_pdf(content, limits)
        doc = _with_ocr(content, doc, limits)
    elif kind == "docx":
        from .word import read_docx

        doc = read_docx(content, limits)
    elif kind == "doc":
        from .legacy import read_doc

        doc = read_doc(content, limits)
    elif kind == "xlsx":
        from .sheets import read_xlsx

        doc = read_xlsx(content, limits)
    elif kind == "xls":
        from .sheets import read_xls

        doc = read_xls(content, limits, served_as=source_type)
    else:
        raise FormatError(f"unsupported document type {source_type!r}")
    doc.warnings[:0] = warnings
    return doc


def _with_ocr(content: bytes, doc: ExtractedDocument, limits: Limits) -> ExtractedDocument:
    """A PDF whose tables are pictures (a scan, or tables pasted as images): its pages read by OCR.

    Only when the text layer gave no table and some page holds a picture; the text layer's
    own text and title are kept, the OCR'd text is added after it.
    """
    if doc.tables or not doc.images:
        return doc
    from .ocr import pdf_pictures, read_pictures, usable

    if not usable():
        return doc
    pages = sorted({int(name.split("/")[0][4:]) for name in doc.images if name.startswith("page")})
    scanned = read_pictures(pdf_pictures(content, pages, limits), limits)
    if not scanned.tables:
        doc.warnings.append("OCR found no ruled table in the pictures")
        return doc
    scanned.text = "\n".join(t for t in (doc.text, scanned.text) if t.strip())
    scanned.title = doc.title or scanned.title
    scanned.warnings[:0] = doc.warnings
    return scanned

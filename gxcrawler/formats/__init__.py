"""Readers for binary report formats: PDF, DOCX and legacy DOC/WPS.

``read(content, source_type)`` reduces a file to an :class:`~gxcrawler.model.ExtractedDocument`
(text in reading order, tables as rows of cell texts with merged cells repeated,
images named). The parser maps the cells; nothing here knows the template.

Errors are :class:`FormatError` with a message fit for a report's ``status: error``;
:class:`NoConverterError` when a ``.doc`` arrives and neither antiword nor
LibreOffice is installed. Work is bounded (size, pages, time, subprocess timeouts)
so one hostile file cannot stall a crawl.
"""

from __future__ import annotations

import re

from ..model import ExtractedDocument
from .errors import FormatError, NoConverterError
from .limits import Limits

__all__ = ["FormatError", "Limits", "NoConverterError", "read", "sniff_binary"]

_MAGIC = (
    (b"%PDF", "pdf"),
    (b"PK\x03\x04", "docx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "doc"),  # OLE2: .doc and .wps
    (b"{\\rtf", "rtf"),
)


_HTML = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|table|meta)\b", re.I)


def sniff_binary(content: bytes) -> str | None:
    """The real type of a file by its magic bytes (portals mislabel .doc/.docx often).

    ``html`` for Word "Web page" files saved as ``.doc`` (common on portals).
    """
    head = content[:1024].lstrip()
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if _HTML.search(content[:4096]):
        return "html"
    return None


def read(content: bytes, source_type: str, *, limits: Limits | None = None) -> ExtractedDocument:
    """Extract text, tables and images from a ``pdf``, ``docx`` or ``doc`` file."""
    limits = limits or Limits()
    if len(content) > limits.max_bytes:
        raise FormatError(f"{source_type} file too large ({len(content)} bytes > {limits.max_bytes})")
    if not content:
        raise FormatError(f"empty {source_type} file")
    actual = sniff_binary(content)
    warnings: list[str] = []
    kind = source_type
    if actual == "html":
        raise FormatError(f"file served as {source_type} is really HTML; read it as a web page")
    if actual and actual != source_type and not (actual == "doc" and source_type == "wps"):
        if actual == "rtf":
            kind = "doc"  # LibreOffice converts RTF like a .doc
        else:
            warnings.append(f"file served as {source_type} is really {actual}")
            kind = actual
    if kind == "pdf":
        from .pdf import read_pdf

        doc = read_pdf(content, limits)
    elif kind == "docx":
        from .word import read_docx

        doc = read_docx(content, limits)
    elif kind in ("doc", "wps"):
        from .legacy import read_doc

        doc = read_doc(content, limits)
    else:
        raise FormatError(f"unsupported document type {source_type!r}")
    doc.warnings[:0] = warnings
    return doc

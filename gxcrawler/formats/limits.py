"""Caps on the work one document may cost (a crawl must not hang on a 900-page PDF)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 64 * 1024 * 1024
    #: PDF pages read; annual reports have 3-15, the tables sit in the first pages
    max_pages: int = 60
    #: wall-clock budget for a PDF; pages after it are skipped with a warning
    pdf_seconds: float = 60.0
    #: uncompressed size of a DOCX package (zip bombs)
    max_unzipped: int = 256 * 1024 * 1024
    #: antiword / LibreOffice subprocess timeout
    converter_seconds: float = 90.0

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
    #: drawing instructions of one PDF page (decompressed content streams and forms, bytes):
    #: pdfminer interprets ~150 KB a second, report pages have 10–100 KB; a page above is left out
    page_content_bytes: int = 2 * 1024 * 1024
    #: characters, lines, rectangles and curves of one page (table finding grows faster than
    #: their number); a page above is left out
    page_objects: int = 50_000
    #: wall-clock budget of one page, enforced mid-page by an alarm on a process's main thread
    #: (the parse pool's workers); the page is left out with a warning
    page_seconds: float = 20.0
    #: OCR of one page picture (tables and text); cells not read by then are left out with a warning
    ocr_page_seconds: float = 30.0
    #: uncompressed size of a DOCX package (zip bombs)
    max_unzipped: int = 256 * 1024 * 1024
    #: antiword / LibreOffice subprocess timeout
    converter_seconds: float = 90.0
    #: hard cap on one whole parse, enforced by the parse pool (gxcrawler.parsing.pool) by
    #: stopping the worker: above every reader's own budget, which should end a parse first
    task_seconds: float = 150.0
    #: address space of one parse worker (MiB), enforced by the pool with RLIMIT_AS
    task_memory_mb: int = 2048


def check_unzipped(content: bytes, limits: Limits, kind: str) -> None:
    """Refuse a ZIP package (DOCX, XLSX) that would unpack beyond ``limits.max_unzipped`` (zip bombs)."""
    import io
    import zipfile

    from .errors import FormatError

    with zipfile.ZipFile(io.BytesIO(content)) as z:
        unzipped = sum(i.file_size for i in z.infolist())
    if unzipped > limits.max_unzipped:
        raise FormatError(f"{kind} unpacks to {unzipped} bytes (limit {limits.max_unzipped})")

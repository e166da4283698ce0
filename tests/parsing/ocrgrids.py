"""OCR grids without pictures: a synthetic report's own tables as an OCR'd document, every number
read sure (confidence 1.0), for tests to put OCR's faults and doubts in by hand
(``test_ocr_grid``, ``test_ocrproof``)."""

from __future__ import annotations

from gxcrawler.model import ExtractedDocument, OcrCell
from gxcrawler.synthetic import make_report
from gxcrawler.synthetic.report import SyntheticReport
from gxcrawler.synthetic.tables import all_tables


def busy_report() -> SyntheticReport:
    """The 2021-edition report both tests read: busy, so its numbers are distinct (a cell read from
    the wrong column shows)."""
    return make_report(11, year=2021, activity="busy")


def ocr_doc(report: SyntheticReport, ocr: bool = True) -> ExtractedDocument:
    """``report``'s tables as OCR read them; ``ocr=False``: the same grids from a reader without OCR."""
    tables = all_tables(report)
    cells = {
        (t, r, c): OcrCell(text, 1.0)
        for t, table in enumerate(tables)
        for r, row in enumerate(table)
        for c, text in enumerate(row)
        if text.replace(",", "").isdigit()
    }
    return ExtractedDocument("ocr", report.title, tables=tables, title=report.title, ocr=cells if ocr else None)

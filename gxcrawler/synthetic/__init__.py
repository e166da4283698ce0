"""Synthetic annual reports with known truth, rendered the ways portals publish them.

Used by the accuracy tests, the portal simulations and the benchmarks. Nothing here
reads the network or the database.
"""

from .html import DECLARATIONS, ENCODINGS, STYLES, render_body_html, render_page_html
from .report import SyntheticReport, edition_for, make_report
from .text import LAYOUTS, render_text


def render_pdf(report: SyntheticReport) -> bytes:
    """The report as a PDF with a text layer (needs reportlab, a test dependency)."""
    from .pdf import render_pdf as _render

    return _render(report)


def render_docx(report: SyntheticReport) -> bytes:
    """The report as a Word .docx file with merged table cells."""
    from .word import render_docx as _render

    return _render(report)


__all__ = [
    "DECLARATIONS",
    "ENCODINGS",
    "LAYOUTS",
    "STYLES",
    "SyntheticReport",
    "edition_for",
    "make_report",
    "render_body_html",
    "render_docx",
    "render_page_html",
    "render_pdf",
    "render_text",
]

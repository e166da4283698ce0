"""Layouts the parser was not built on (issue 11), each case with its exact truth.

``UNSEEN_LAYOUTS`` names them; :func:`make_unseen_case` renders report ``seed`` in one.
The truth of a case is its ``report``: ``values`` (read exactly), ``blank`` (listed as
blank, never 0), ``absent`` (printed but not provable: must not be emitted),
``failing_rules`` (by the rules of :func:`report.expected_failing`), ``agency``,
``year``, ``edition`` and ``published_truth`` (``None`` where the document prints no date).

Reports here are busier than the template layouts' (distinct numbers, so a value read
from the wrong column or row shows) and come from every year 2019–2024.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable

from . import metapages
from .archives import render_doc_html, render_mht, render_xls_html, render_xlsx
from .cases import Case
from .dumps import render_column_dump, render_ocr, render_row_dump
from .html import ENCODINGS, render_page_html
from .regrid import table_codes, with_permuted_table, with_shuffled_headers
from .report import Shape, SyntheticReport, expected_failing, make_report
from .text import render_text
from .variants import mixed_editions, orgs_first, random_order, total_first, total_only, with_shape

HTML_STYLES = ("separate_tables", "word_export")
TEXT_TYPE = "text/plain; charset=utf-8"
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rng(layout: str, seed: int) -> random.Random:
    return random.Random(seed * 1013 + zlib.crc32(layout.encode()))


def _report(rng: random.Random, seed: int, **kw) -> SyntheticReport:
    """A report as the unseen layouts start from: busy more often than not, a fifth broken."""
    activity = rng.choices(("quiet", "small", "busy"), weights=(1, 4, 5))[0]
    kw.setdefault("consistent", rng.random() >= 0.2)
    kw.setdefault("deviations", rng.random() < 0.5)
    report = make_report(seed, activity=activity, **kw)
    report.failing_rules = expected_failing(report)  # the rules of issue 11 throughout
    return report


def _html(layout: str, report: SyntheticReport, rng: random.Random) -> Case:
    style = rng.choice(HTML_STYLES)
    encoding = rng.choice(ENCODINGS)
    body, headers = render_page_html(report, style, encoding=encoding, declare="meta")
    report.published_truth = report.published_date
    return Case(layout, report, body, headers["Content-Type"], "detail.html", f"{style}/{encoding}")


def _text(layout: str, text: str, truth: SyntheticReport) -> Case:
    return Case(layout, truth, text.encode("utf-8"), TEXT_TYPE, "report.txt")


# ---------------------------------------------------------------- builders
def _shaped(shape_of: Callable[[random.Random], Shape]) -> Callable[[str, int], Case]:
    def build(layout: str, seed: int) -> Case:
        rng = _rng(layout, seed)
        report = with_shape(_report(rng, seed), shape_of(rng))
        return _html(layout, report, rng)

    return build


def _total_only(layout: str, seed: int) -> Case:
    rng = _rng(layout, seed)
    return _html(layout, total_only(_report(rng, seed), rng), rng)


def _dump(render) -> Callable[[str, int], Case]:
    def build(layout: str, seed: int) -> Case:
        rng = _rng(layout, seed)
        text, truth = render(_report(rng, seed))
        return _text(layout, text, truth)

    return build


def _in(container: str, shape_of: Callable[[random.Random], Shape]) -> Callable[[str, int], Case]:
    """A shaped report in another container than a portal page."""

    def build(layout: str, seed: int) -> Case:
        rng = _rng(layout, seed)
        report = with_shape(_report(rng, seed), shape_of(rng))
        if container == "pdf":
            from .pdf import render_pdf

            return Case(layout, report, render_pdf(report), PDF_TYPE, "report.pdf")
        if container == "docx":
            from .word import render_docx

            return Case(layout, report, render_docx(report), DOCX_TYPE, "report.docx")
        flat = rng.choice(("pipe", "tab", "markdown"))
        return Case(layout, report, render_text(report, flat).encode(), TEXT_TYPE, "report.txt", flat)

    return build


def _file(render, content_types: tuple[str, ...], filename: str) -> Callable[[str, int], Case]:
    """A report served as a file whose bytes are not what its name says (or a spreadsheet)."""

    def build(layout: str, seed: int) -> Case:
        rng = _rng(layout, seed)
        report = _report(rng, seed)
        return Case(layout, report, render(report), rng.choice(content_types), filename)

    return build


def _mixed(variant: str) -> Callable[[str, int], Case]:
    def build(layout: str, seed: int) -> Case:
        rng = _rng(layout, seed)
        report = mixed_editions(seed, variant, consistent=rng.random() >= 0.2, deviations=rng.random() < 0.5)
        return _html(layout, report, rng)

    return build


def _meta_page(make) -> Callable[[str, int], Case]:
    def build(layout: str, seed: int) -> Case:
        rng = _rng(layout, seed)
        report = _report(rng, seed)
        made = make(report, rng)
        page, url = made if isinstance(made, tuple) else (made, None)
        return Case(layout, report, page, "text/html", "detail.html", url=url)

    return build


def _meta_pdf(make, years: tuple[int, ...] = ()) -> Callable[[str, int], Case]:
    def build(layout: str, seed: int) -> Case:
        rng = _rng(layout, seed)
        kw = {"year": rng.choice(years), "deviations": False} if years else {}
        report = _report(rng, seed, **kw)
        return Case(layout, report, make(report, rng), PDF_TYPE, rng.choice(("report.pdf", "附件1.pdf")))

    return build


def _regrid(kind: str) -> Callable[[str, int], Case]:
    """One table of the report moved by a property helper (:mod:`.regrid`), as a portal page."""

    def build(layout: str, seed: int) -> Case:
        rng = _rng(layout, seed)
        report = _report(rng, seed)
        if kind == "permuted":
            code = rng.choice(table_codes(report))
            report = with_permuted_table(report, code, rng, rows=rng.random() < 0.5)
            report.deviations.append(f"permuted:{code}")
            return _html(layout, report, rng)
        mode = rng.choice(("shift", "duplicate")) if kind == "lost" else "swap"
        tries = [(code, axis) for code in table_codes(report) for axis in ("columns", "rows")]
        rng.shuffle(tries)
        for code, axis in tries:  # the first table whose labels the move really changes
            moved = with_shuffled_headers(report, code, rng, mode, axis=axis)
            if len(moved.deviations) > len(report.deviations):
                return _html(layout, moved, rng)
        raise AssertionError(f"seed {seed}: no table to move headers in")  # pragma: no cover

    return build


BUILDERS: dict[str, Callable[[str, int], Case]] = {
    "s3/orgs-first": _shaped(lambda rng: Shape(s3_columns=orgs_first())),
    "s3/total-first": _shaped(lambda rng: Shape(s3_columns=total_first(rng))),
    "s3/permuted": _shaped(lambda rng: Shape(s3_columns=random_order(rng))),
    "s3/transposed": _shaped(
        lambda rng: Shape(s3_transposed=True, s3_columns=rng.choice((Shape().s3_columns, orgs_first())))
    ),
    "s3/total-only": _total_only,
    "s4/grid": _shaped(lambda rng: Shape(s4="grid")),
    "s4/split": _shaped(lambda rng: Shape(s4="split")),
    "dump/columns": _dump(render_column_dump),
    "dump/rows": _dump(render_row_dump),
    "ocr/text": _dump(render_ocr),
    "pdf/s3-permuted": _in("pdf", lambda rng: Shape(s3_columns=random_order(rng))),
    "docx/s3-transposed": _in("docx", lambda rng: Shape(s3_transposed=True)),
    "text/s3-transposed": _in(
        "text", lambda rng: Shape(s3_transposed=True, s3_columns=rng.choice((Shape().s3_columns, random_order(rng))))
    ),
    "text/s3-permuted": _in(
        "text", lambda rng: Shape(s3_columns=random_order(rng), s4=rng.choice(("grid", "split")))
    ),
    "doc/html": _file(render_doc_html, ("application/msword", "application/octet-stream"), "report.doc"),
    "doc/mht": _file(render_mht, ("application/msword", "application/octet-stream"), "report.doc"),
    "sheet/xlsx": _file(render_xlsx, (XLSX_TYPE, "application/octet-stream"), "report.xlsx"),
    "sheet/xls-html": _file(
        render_xls_html, ("application/vnd.ms-excel", "application/octet-stream"), "report.xls"
    ),
    "mixed/kept-row": _mixed("kept_row"),
    "mixed/s3-2019": _mixed("s3_2019"),
    "mixed/art20_1-2019": _mixed("art20_1_2019"),
    "meta/narrative-agency": _meta_page(metapages.narrative_agency),
    "meta/period-year": _meta_page(metapages.period_year),
    "meta/url-year": _meta_page(metapages.url_year),
    "meta/date-lines": _meta_page(metapages.date_lines),
    "pdf/split-title": _meta_pdf(metapages.split_title_pdf),
    "pdf/junk-title": _meta_pdf(metapages.junk_title_pdf),
    "pdf/recent": _meta_pdf(metapages.recent_pdf, years=(2023, 2024)),
    "prop/permuted": _regrid("permuted"),
    "prop/headers-lost": _regrid("lost"),
    "prop/headers-swapped": _regrid("swapped"),
}
UNSEEN_LAYOUTS: tuple[str, ...] = tuple(BUILDERS)


def make_unseen_case(layout: str, seed: int) -> Case:
    """Report ``seed`` rendered in the unseen ``layout``."""
    try:
        build = BUILDERS[layout]
    except KeyError:
        raise ValueError(f"unknown layout {layout!r}; one of {UNSEEN_LAYOUTS}") from None
    return build(layout, seed)

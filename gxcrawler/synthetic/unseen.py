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

from .cases import Case
from .dumps import render_column_dump, render_ocr, render_row_dump
from .html import ENCODINGS, render_page_html
from .report import Shape, SyntheticReport, make_report
from .variants import orgs_first, random_order, total_first, total_only, with_shape

HTML_STYLES = ("separate_tables", "word_export")
TEXT_TYPE = "text/plain; charset=utf-8"


def _rng(layout: str, seed: int) -> random.Random:
    return random.Random(seed * 1013 + zlib.crc32(layout.encode()))


def _report(rng: random.Random, seed: int, **kw) -> SyntheticReport:
    """A report as the unseen layouts start from: busy more often than not, a fifth broken."""
    activity = rng.choices(("quiet", "small", "busy"), weights=(1, 4, 5))[0]
    kw.setdefault("consistent", rng.random() >= 0.2)
    kw.setdefault("deviations", rng.random() < 0.5)
    return make_report(seed, activity=activity, **kw)


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
}
UNSEEN_LAYOUTS: tuple[str, ...] = tuple(BUILDERS)


def make_unseen_case(layout: str, seed: int) -> Case:
    """Report ``seed`` rendered in the unseen ``layout``."""
    try:
        build = BUILDERS[layout]
    except KeyError:
        raise ValueError(f"unknown layout {layout!r}; one of {UNSEEN_LAYOUTS}") from None
    return build(layout, seed)

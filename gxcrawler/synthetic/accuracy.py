"""Measure the parser against synthetic reports with known truth, per layout.

    python -m gxcrawler.synthetic.accuracy --n 200                 # the template layouts
    python -m gxcrawler.synthetic.accuracy --set unseen --n 40     # layouts of issue 11

prints, for every layout, the truth cells expected, those read right, the **wrong
values** (a number that differs from the truth, a key that should not be there — an
unprovable cell included — or a blank listed where the truth has none), the cells
missed, precision (right / emitted) and recall (right / expected), how many reports
were read perfectly (every cell, blank, failing rule and the metadata) and how often
agency, statistics year, edition and publication date came out right. The tests in
``tests/accuracy`` use the same cases.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..model import ParseResult
from .cases import Case
from .html import DECLARATIONS, ENCODINGS, STYLES, render_page_html
from .report import SyntheticReport, make_report
from .text import LAYOUTS, render_text

ALL_LAYOUTS: tuple[str, ...] = (
    *(f"html/{s}" for s in STYLES),
    *(f"text/{x}" for x in LAYOUTS),
    "pdf",
    "docx",
)


def make_case(layout: str, seed: int) -> Case:
    """Report ``seed`` rendered in ``layout``; a fifth are inconsistent, half deviate."""
    rng = random.Random(seed * 1009 + ALL_LAYOUTS.index(layout))
    report = make_report(seed, consistent=rng.random() >= 0.2, deviations=rng.random() < 0.5)
    kind, _, style = layout.partition("/")
    if kind == "html":
        encoding = rng.choice(ENCODINGS)
        declare = rng.choice(DECLARATIONS)
        body, headers = render_page_html(report, style, encoding=encoding, declare=declare)
        return Case(layout, report, body, headers.get("Content-Type"), "detail.html", f"{encoding}/{declare}")
    if kind == "text":
        return Case(
            layout,
            report,
            render_text(report, style).encode("utf-8"),
            "text/plain; charset=utf-8",
            "report.txt",
        )
    if kind == "pdf":
        from .pdf import render_pdf

        return Case(layout, report, render_pdf(report), "application/pdf", "report.pdf")
    if kind == "docx":
        from .word import render_docx

        ct = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return Case(layout, report, render_docx(report), ct, "report.docx")
    raise ValueError(f"unknown layout {layout!r}")


def cases(layout: str, n: int, first_seed: int = 0) -> Iterator[Case]:
    for seed in range(first_seed, first_seed + n):
        yield make_case(layout, seed)


def parse_case(case: Case) -> ParseResult:
    from ..parsing import parse_bytes

    return parse_bytes(
        case.content, source=case.source, content_type=case.content_type, filename=case.filename
    )


@dataclass
class Score:
    """How one parse compares with the truth."""

    truth_cells: int
    correct: int  # values equal to the truth, plus blanks listed as blank
    wrong: list[str] = field(default_factory=list)  # emitted and wrong (value differs / no such truth)
    missing: list[str] = field(default_factory=list)  # truth cells not read
    problems: list[str] = field(default_factory=list)  # metadata, checks, status
    #: agency / year / edition / published right or not (published only where the truth has a date)
    meta: dict[str, bool] = field(default_factory=dict)

    @property
    def exact(self) -> bool:
        return not self.wrong and not self.missing and not self.problems


def _truth_of(key: str, report: SyntheticReport) -> str:
    if key in report.values:
        return str(report.values[key])
    if key in report.blank:
        return "blank"
    return "unprovable" if key in report.absent else "absent"


def score(report: SyntheticReport, result: ParseResult, *, metadata: bool = True) -> Score:
    truth, blanks = report.values, set(report.blank)
    s = Score(truth_cells=len(truth) + len(blanks), correct=0)
    for key, value in truth.items():
        got = result.values.get(key)
        if got is None:
            s.missing.append(key)
        elif got == value:
            s.correct += 1
    for key, value in result.values.items():
        if truth.get(key) != value:
            s.wrong.append(f"{key}={value} (truth {_truth_of(key, report)})")
    got_blank = set(result.blank)
    for key in blanks:
        if key in got_blank:
            s.correct += 1
        elif key not in result.values:
            s.missing.append(key)
    for key in got_blank - blanks:
        s.wrong.append(f"{key} listed blank (truth {_truth_of(key, report)})")
    failing = {c.rule for c in result.checks if not c.ok}
    if failing != report.failing_rules:
        s.problems.append(f"failing rules {sorted(failing)} != truth {sorted(report.failing_rules)}")
    # a malformed (--253) or unprovable cell is a cell not read: "partial" is as right as "ok"
    if result.status != "ok" and not ((report.malformed or report.absent) and result.status == "partial"):
        s.problems.append(f"status {result.status}: {result.message or ''}")
    s.meta["edition"] = result.edition == report.edition
    s.meta["agency"] = (result.agency or "").replace(" ", "") == report.agency
    s.meta["year"] = result.year == report.year
    if report.published_truth is not None:
        s.meta["published"] = result.published == report.published_truth
    if not s.meta["edition"]:
        s.problems.append(f"edition {result.edition} != {report.edition}")
    if metadata:
        if not s.meta["year"]:
            s.problems.append(f"year {result.year} != {report.year}")
        if (result.title or "").replace(" ", "") != report.title.replace(" ", ""):
            s.problems.append(f"title {result.title!r} != {report.title!r}")
        if not s.meta["agency"]:
            s.problems.append(f"agency {result.agency!r} != {report.agency!r}")
        if not s.meta.get("published", True):
            s.problems.append(f"published {result.published} != {report.published_truth}")
    return s


META_FIELDS = ("agency", "year", "edition", "published")


@dataclass
class Tally:
    reports: int = 0
    exact: int = 0
    cells: int = 0
    correct: int = 0
    wrong: int = 0
    missing: int = 0
    seconds: float = 0.0
    examples: list[str] = field(default_factory=list)
    #: per metadata field: [right, scored]
    meta: dict[str, list[int]] = field(default_factory=lambda: {f: [0, 0] for f in META_FIELDS})

    def add(self, case: Case, s: Score, seconds: float) -> None:
        self.reports += 1
        self.exact += s.exact
        self.cells += s.truth_cells
        self.correct += s.correct
        self.wrong += len(s.wrong)
        self.missing += len(s.missing)
        self.seconds += seconds
        for name, ok in s.meta.items():
            self.meta[name][0] += ok
            self.meta[name][1] += 1
        if not s.exact and len(self.examples) < 3:
            self.examples.append(f"{case.name}: {(s.wrong + s.problems + s.missing)[:3]}")

    @property
    def precision(self) -> float:
        """Of the cells emitted, the share that is right (wrong values and listed blanks count)."""
        emitted = self.correct + self.wrong
        return 100.0 * self.correct / emitted if emitted else 100.0

    @property
    def recall(self) -> float:
        return 100.0 * self.correct / self.cells if self.cells else 100.0


def make_any_case(layout: str, seed: int) -> Case:
    """A case of a template layout (``ALL_LAYOUTS``) or of an unseen one (``UNSEEN_LAYOUTS``)."""
    from .unseen import UNSEEN_LAYOUTS, make_unseen_case

    if layout in UNSEEN_LAYOUTS:
        return make_unseen_case(layout, seed)
    return make_case(layout, seed)


def run(n: int, first_seed: int = 0, layouts: tuple[str, ...] = ALL_LAYOUTS) -> dict[str, Tally]:
    out: dict[str, Tally] = {}
    for layout in layouts:
        tally = out.setdefault(layout, Tally())
        for seed in range(first_seed, first_seed + n):
            case = make_any_case(layout, seed)
            started = time.perf_counter()
            result = parse_case(case)
            tally.add(case, score(case.report, result), time.perf_counter() - started)
    return out


def _share(right: int, scored: int) -> str:
    return f"{right}/{scored}" if scored else "–"


def table(results: dict[str, Tally]) -> str:
    """Per layout: cells expected, read right, wrong values, missed, precision, recall, metadata."""
    lines = [
        "| layout | reports | exact reports | cells expected | read right | wrong values | missed "
        "| precision | recall | agency | year | edition | published |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    total = Tally()
    for layout, t in results.items():
        lines.append(_row(layout, t))
        for name in (*META_FIELDS,):
            total.meta[name][0] += t.meta[name][0]
            total.meta[name][1] += t.meta[name][1]
        total.reports += t.reports
        total.exact += t.exact
        total.cells += t.cells
        total.correct += t.correct
        total.wrong += t.wrong
        total.missing += t.missing
    if len(results) > 1:
        lines.append(_row("**all**", total))
    return "\n".join(lines)


def _row(layout: str, t: Tally) -> str:
    meta = " | ".join(_share(*t.meta[f]) for f in META_FIELDS)
    return (
        f"| {layout} | {t.reports} | {t.exact} | {t.cells} | {t.correct} | {t.wrong} | {t.missing} "
        f"| {t.precision:.2f}% | {t.recall:.2f}% | {meta} |"
    )


def main(argv: list[str] | None = None) -> int:
    from .unseen import UNSEEN_LAYOUTS

    sets = {"template": ALL_LAYOUTS, "unseen": UNSEEN_LAYOUTS, "all": (*ALL_LAYOUTS, *UNSEEN_LAYOUTS)}
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50, help="reports per layout")
    ap.add_argument("--seed", type=int, default=0, help="first seed")
    ap.add_argument(
        "--set", choices=sets, default="template", help="which layouts (default: the template ones)"
    )
    ap.add_argument("--layout", action="append", choices=sets["all"], help="only these layouts")
    ap.add_argument("--examples", action="store_true", help="print a few failing cases per layout")
    args = ap.parse_args(argv)
    results = run(args.n, args.seed, tuple(args.layout or sets[args.set]))
    print(table(results))
    if args.examples:
        for layout, t in results.items():
            for ex in t.examples:
                print(f"{layout}: {ex}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Measure the parser against synthetic reports with known truth, per layout.

    python -m gxcrawler.synthetic.accuracy --n 200

prints, for every layout, how many truth cells came back exactly, how many values
were wrong (a number that differs from the truth, or a key that should not be
there), and how many reports were read perfectly (every cell, blank, failing rule
and the metadata). The tests in ``tests/accuracy`` use the same cases.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..model import ParseResult
from .html import DECLARATIONS, ENCODINGS, STYLES, render_page_html
from .report import SyntheticReport, make_report
from .text import LAYOUTS, render_text

ALL_LAYOUTS: tuple[str, ...] = (
    *(f"html/{s}" for s in STYLES),
    *(f"text/{x}" for x in LAYOUTS),
    "pdf",
    "docx",
)


@dataclass
class Case:
    """One report rendered one way, ready to parse."""

    layout: str
    report: SyntheticReport
    content: bytes
    content_type: str | None
    filename: str
    detail: str = ""  # e.g. "gbk/meta"

    @property
    def name(self) -> str:
        extra = f" {self.detail}" if self.detail else ""
        return f"{self.layout} seed={self.report.seed}{extra} {','.join(self.report.deviations)}"


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

    return parse_bytes(case.content, source=case.name, content_type=case.content_type, filename=case.filename)


@dataclass
class Score:
    """How one parse compares with the truth."""

    truth_cells: int
    correct: int  # values equal to the truth, plus blanks listed as blank
    wrong: list[str] = field(default_factory=list)  # emitted and wrong (value differs / no such truth)
    missing: list[str] = field(default_factory=list)  # truth cells not read
    problems: list[str] = field(default_factory=list)  # metadata, checks, status

    @property
    def exact(self) -> bool:
        return not self.wrong and not self.missing and not self.problems


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
            s.wrong.append(f"{key}={value} (truth {truth.get(key, 'blank' if key in blanks else 'absent')})")
    got_blank = set(result.blank)
    for key in blanks:
        if key in got_blank:
            s.correct += 1
        elif key not in result.values:
            s.missing.append(key)
    for key in got_blank - blanks:
        s.wrong.append(f"{key} listed blank (truth {truth.get(key, 'absent')})")
    failing = {c.rule for c in result.checks if not c.ok}
    if failing != report.failing_rules:
        s.problems.append(f"failing rules {sorted(failing)} != truth {sorted(report.failing_rules)}")
    # a malformed cell (--253) is a cell not read: "partial" is as right as "ok"
    if result.status != "ok" and not (report.malformed and result.status == "partial"):
        s.problems.append(f"status {result.status}: {result.message or ''}")
    if result.edition != report.edition:
        s.problems.append(f"edition {result.edition} != {report.edition}")
    if metadata:
        if result.year != report.year:
            s.problems.append(f"year {result.year} != {report.year}")
        if (result.title or "").replace(" ", "") != report.title.replace(" ", ""):
            s.problems.append(f"title {result.title!r} != {report.title!r}")
        if (result.agency or "").replace(" ", "") != report.agency:
            s.problems.append(f"agency {result.agency!r} != {report.agency!r}")
    return s


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

    def add(self, case: Case, s: Score, seconds: float) -> None:
        self.reports += 1
        self.exact += s.exact
        self.cells += s.truth_cells
        self.correct += s.correct
        self.wrong += len(s.wrong)
        self.missing += len(s.missing)
        self.seconds += seconds
        if not s.exact and len(self.examples) < 3:
            self.examples.append(f"{case.name}: {(s.wrong + s.problems + s.missing)[:3]}")


def run(n: int, first_seed: int = 0, layouts: tuple[str, ...] = ALL_LAYOUTS) -> dict[str, Tally]:
    out: dict[str, Tally] = {}
    for layout in layouts:
        tally = out.setdefault(layout, Tally())
        for case in cases(layout, n, first_seed):
            started = time.perf_counter()
            result = parse_case(case)
            tally.add(case, score(case.report, result), time.perf_counter() - started)
    return out


def table(results: dict[str, Tally]) -> str:
    lines = [
        "| layout | reports | exact reports | truth cells | cell accuracy | wrong values | missing cells |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for layout, t in results.items():
        acc = 100.0 * t.correct / t.cells if t.cells else 0.0
        lines.append(
            f"| {layout} | {t.reports} | {t.exact} | {t.cells} | {acc:.2f}% | {t.wrong} | {t.missing} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50, help="reports per layout")
    ap.add_argument("--seed", type=int, default=0, help="first seed")
    ap.add_argument("--layout", action="append", choices=ALL_LAYOUTS, help="only these layouts")
    ap.add_argument("--examples", action="store_true", help="print a few failing cases per layout")
    args = ap.parse_args(argv)
    results = run(args.n, args.seed, tuple(args.layout or ALL_LAYOUTS))
    print(table(results))
    if args.examples:
        for layout, t in results.items():
            for ex in t.examples:
                print(f"{layout}: {ex}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Parse speed on one core: reports per second for HTML, text and PDF inputs.

    python benchmarks/parse_speed.py [--n 60] [--repeat 3]

For HTML it also times ``lxml.html.fromstring`` on the same page bytes, in the same
run, and prints the ratio (goal: the whole read of a page — decode, parse, locate
tables, map cells, check — within 3x of lxml's bare parse). Inputs are synthetic
reports (``gxcrawler.synthetic``) rendered in every HTML style and encoding.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import lxml.html

from gxcrawler.formats import read
from gxcrawler.parsing import parse_bytes
from gxcrawler.synthetic import ENCODINGS, STYLES, make_report, render_page_html, render_pdf, render_text


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _best(fn: Callable[[], None], repeat: int) -> float:
    """Best of ``repeat`` runs: the least disturbed measurement of the same work."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=60, help="reports per input kind")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    _pin_one_core()
    reports = [
        make_report(seed, deviations=seed % 2 == 0, consistent=seed % 5 != 0) for seed in range(args.n)
    ]
    pages = [
        render_page_html(r, STYLES[i % len(STYLES)], encoding=ENCODINGS[i % len(ENCODINGS)], declare="meta")
        for i, r in enumerate(reports)
    ]
    texts = [
        render_text(r, ("cell_per_line", "pipe", "tab", "markdown")[i % 4]).encode()
        for i, r in enumerate(reports)
    ]
    pdfs = [render_pdf(r) for r in reports[: max(10, args.n // 3)]]

    def html_parse() -> None:
        for body, headers in pages:
            parse_bytes(body, source="b", content_type=headers["Content-Type"])

    def html_lxml() -> None:
        for body, _ in pages:
            lxml.html.fromstring(body)

    def text_parse() -> None:
        for body in texts:
            parse_bytes(body, source="b", content_type="text/plain; charset=utf-8")

    def pdf_parse() -> None:
        for body in pdfs:
            parse_bytes(body, source="b", content_type="application/pdf")

    def pdf_read() -> None:
        for body in pdfs:
            read(body, "pdf")

    html_parse()  # warm caches and imports
    rows = []
    # paired rounds: lxml and the whole read measured back to back, so a busy machine
    # slows both alike; the ratio is reported per round (median) and best-to-best
    pairs = [(_best(html_lxml, 1), _best(html_parse, 1)) for _ in range(args.repeat)]
    t_lxml = min(p[0] for p in pairs)
    t_html = min(p[1] for p in pairs)
    median = statistics.median(h / x for x, h in pairs)
    kb = sum(len(b) for b, _ in pages) / len(pages) / 1024
    rows.append(("HTML page, lxml.html.fromstring only", len(pages), t_lxml, f"{kb:.0f} KiB/page"))
    rows.append(
        (
            "HTML page, whole read (gxcrawler)",
            len(pages),
            t_html,
            f"{t_html / t_lxml:.2f}x lxml best/best, {median:.2f}x median of paired rounds",
        )
    )
    rows.append(("text, whole read", len(texts), _best(text_parse, args.repeat), ""))
    pdf_read()  # warm pdfminer's font/CMap caches
    pdf_repeat = max(1, args.repeat // 2)
    t_pdf_read = _best(pdf_read, pdf_repeat)
    rows.append(("PDF, formats.read only (pdfplumber)", len(pdfs), t_pdf_read, ""))
    t_pdf = _best(pdf_parse, pdf_repeat)
    rows.append(("PDF, whole read", len(pdfs), t_pdf, f"{100 * t_pdf_read / t_pdf:.0f}% in formats.read"))
    print(f"one core, best of {args.repeat} runs (PDF: {pdf_repeat})")
    print("| input | docs | seconds | reports/s | ms/report | note |")
    print("|---|---:|---:|---:|---:|---|")
    for name, n, secs, note in rows:
        print(f"| {name} | {n} | {secs:.3f} | {n / secs:.1f} | {1000 * secs / n:.2f} | {note} |")


if __name__ == "__main__":
    main()

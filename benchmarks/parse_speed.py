"""Parse speed on one core: reports per second for HTML, text and PDF inputs.

    python benchmarks/parse_speed.py [--n 60] [--repeat 3] [--first-read 240]

For HTML it also times ``lxml.html.fromstring`` on the same page bytes, in the same
run, and prints the ratio (goal: the whole read of a page — decode, parse, locate
tables, map cells, check — within 2x of lxml's bare parse, on every page size).
Inputs are synthetic reports (``gxcrawler.synthetic``) rendered in every HTML style
and encoding.

The first table reads the same pages again and again (the parser's caches know every
cell). ``--first-read N`` adds what a crawl sees: N pages never read before (other
pages warmed the caches), bare, in a light site frame or in a whole portal page (the
10–40 KiB pages), each read once right after lxml parsed it; the per-page ratios are summarised by page size (median, 90th
percentile, worst).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import lxml.html
from parse_ab import settle

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
    ap.add_argument("--first-read", type=int, default=240, metavar="N", help="pages read once (0: skip)")
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
    if args.first_read:
        first_read(args.first_read)


#: page-size bins (KiB) of the first-read table: most real report pages are 7-8 KiB
BINS = ((0, 10), (10, 20), (20, 40), (40, 1000))
#: a third of the pages with a light site frame, a third with a whole portal's (the 10–40 KiB pages:
#: a 7 KiB report in its CMS page), a third bare
_CHROME = (True, "portal", False)


def first_read(n: int) -> None:
    """Pages never read before, each timed once against lxml's parse of the same bytes."""
    pages = []
    for seed in range(1000, 1000 + n + n // 3):
        report = make_report(seed, deviations=seed % 2 == 0, consistent=seed % 5 != 0)
        style, encoding = STYLES[seed % len(STYLES)], ENCODINGS[(seed // len(STYLES)) % len(ENCODINGS)]
        body, headers = render_page_html(report, style, encoding=encoding, declare="meta", chrome=_CHROME[seed % 3])
        pages.append((body, headers["Content-Type"]))
    warm, fresh = pages[: n // 3], pages[n // 3 :]
    for body, ct in warm:  # other pages fill the caches, as earlier documents of a crawl do
        parse_bytes(body, source="w", content_type=ct)
    per_page = []
    clock = time.process_time  # CPU time: on a shared machine, waiting for the CPU is not reading
    for body, ct in fresh:
        started = clock()
        lxml.html.fromstring(body)
        settle()  # each call charged with the allocator's deferred work for what it freed
        parsed = clock()
        parse_bytes(body, source="b", content_type=ct)
        settle()
        done = clock()
        per_page.append((len(body) / 1024, (done - parsed) / (parsed - started), parsed - started, done - parsed))
    print(f"\nfirst read: {len(fresh)} pages never read before, each once (caches warmed on {len(warm)} "
          "others); CPU time of this process")
    print("| page size | pages | lxml ms/page | whole read ms/page | ratio median | ratio p90 | ratio worst |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for lo, hi in BINS:
        rows = [p for p in per_page if lo <= p[0] < hi]
        if not rows:
            continue
        ratios = sorted(p[1] for p in rows)
        print(f"| {lo}–{hi} KiB | {len(rows)} | {1000 * statistics.median(p[2] for p in rows):.2f} | "
              f"{1000 * statistics.median(p[3] for p in rows):.2f} | {statistics.median(ratios):.2f}x | "
              f"{ratios[int(0.9 * (len(ratios) - 1))]:.2f}x | {ratios[-1]:.2f}x |")


if __name__ == "__main__":
    main()

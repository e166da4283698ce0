"""Is the parser faster than it was at a git revision? Both read the same fresh pages in one process.

    python benchmarks/parse_ab.py --base main           # the working tree against main
    python benchmarks/parse_ab.py --base 21bd4dc --n 240
    python benchmarks/parse_ab.py --pdf [--rounds 2]   # every PDF the crawl simulations serve
    python benchmarks/parse_ab.py --word [--rounds 2]  # every DOCX the crawl simulations serve

On a shared machine two benchmark runs minutes apart differ by more than most speed
changes do (a load of 20 on 2 cores moves a page's CPU time by ±30 %). Here the base
revision's package is extracted (``git archive``) and imported under another name
(``gxbase``: the parsing path imports itself relatively), so each page is read — a first
read for both, each with its own caches warmed on the same other pages — by lxml, the base
and the working tree back to back, in alternating order. The ratios are per page and per
page-size bucket (median, 90th percentile, worst), in CPU time; each timed call includes the
allocator's deferred work for what it freed (``settle``).

``--pdf`` reads instead every distinct PDF the crawl simulations serve (the all-PDF portal of
``crawl_speed.py --workload pdf`` and the five simulations'), base and working tree back to back
(``formats.read``: the PDF reader alone, what the parse workers spend on a PDF), and counts the
PDFs whose two ``ExtractedDocument`` are equal. ``--word`` does the same with every distinct DOCX
the crawl simulations serve (the five simulations' and the Luoning portal with every report a
DOCX, ``parse_equivalence.simulation_word``).
"""

from __future__ import annotations

import argparse
import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import lxml.html

from gxcrawler.parsing import parse_bytes
from gxcrawler.synthetic import ENCODINGS, STYLES, make_report, render_page_html

ROOT = Path(__file__).resolve().parent.parent
#: page-size buckets (KiB), as in ``parse_speed.py``
BINS = ((0, 10), (10, 40), (40, 1000))
#: a third of the pages with a light site frame, a third with a whole portal's (10–40 KiB), a third bare
_CHROME = (True, "portal", False)


def settle() -> None:
    """The allocator's deferred work for what the timed call just freed, charged to that call.

    glibc keeps a freed tree's small blocks unmerged and merges them at the next large
    allocation: after ``lxml.html.fromstring`` of an 80 KiB page that is ~0.13 ms (~8 % of the
    parse), which would otherwise land in whatever is timed next (the read), and a read's own
    garbage in the next lxml parse. Every timed call ends with one large allocation."""
    bytearray(1 << 16)


def base_parser(rev: str, into: Path):
    """``parse_bytes`` of the package as it was at ``rev``, importable beside the current one."""
    tar = subprocess.run(["git", "archive", rev, "gxcrawler"], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        archive.extractall(into, filter="data")
    (into / "gxcrawler").rename(into / "gxbase")
    sys.path.insert(0, str(into))
    return importlib.import_module("gxbase.parsing").parse_bytes


def _pages(first_seed: int, n: int) -> list[tuple[bytes, str]]:
    out = []
    for seed in range(first_seed, first_seed + n):
        report = make_report(seed, deviations=seed % 2 == 0, consistent=seed % 5 != 0)
        style, encoding = STYLES[seed % len(STYLES)], ENCODINGS[(seed // len(STYLES)) % len(ENCODINGS)]
        body, headers = render_page_html(report, style, encoding=encoding, declare="meta", chrome=_CHROME[seed % 3])
        out.append((body, headers["Content-Type"]))
    return out


def _q(values: list[float]) -> str:
    v = sorted(values)
    return f"{statistics.median(v):.2f}x / {v[int(0.9 * (len(v) - 1))]:.2f}x / {v[-1]:.2f}x"


def file_ab(old_read, kind: str, rounds: int) -> None:
    """CPU per file of the base's reader and the working tree's, paired per file, order alternated."""
    from parse_equivalence import simulation_pdfs, simulation_word

    from gxcrawler.formats import read

    files = [body for _, body, _, _ in (simulation_pdfs() if kind == "pdf" else simulation_word())]
    name = kind.upper()
    old_read(files[0], kind)  # imports, CMaps
    read(files[0], kind)
    clock = time.process_time
    times: dict[str, list[float]] = {"base": [], "now": []}
    equal = 0
    for r in range(rounds):
        for i, body in enumerate(files):
            docs = {}
            for who, reader in (("base", old_read), ("now", read))[:: 1 if (i + r) % 2 else -1]:
                started = clock()
                docs[who] = reader(body, kind)
                settle()
                times[who].append(clock() - started)
            equal += r == 0 and vars(docs["base"]) == vars(docs["now"])
    print(f"{len(files)} {name}s x {rounds} rounds, CPU ms per {name} (median / p90 / worst / mean); "
          f"ExtractedDocument equal for {equal} of {len(files)}")
    print("| reader | median | p90 | worst | mean |")
    print("|---|---:|---:|---:|---:|")
    for who, ts in times.items():
        v = sorted(1000 * t for t in ts)
        print(f"| {who} | {statistics.median(v):.1f} | {v[int(0.9 * (len(v) - 1))]:.1f} | {v[-1]:.1f} | "
              f"{statistics.mean(v):.1f} |")
    print(f"now / base, median of per-{name} ratios: "
          f"{statistics.median(n / b for n, b in zip(times['now'], times['base'], strict=True)):.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="main", help="git revision to compare with (default: main)")
    ap.add_argument("--n", type=int, default=160, help="fresh pages (a third more warm the caches first)")
    ap.add_argument("--pdf", action="store_true", help="the simulations' PDFs instead of HTML pages")
    ap.add_argument("--word", action="store_true", help="the simulations' DOCX files instead of HTML pages")
    ap.add_argument("--rounds", type=int, default=2, help="--pdf, --word: readings of every file by each")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="parse_ab_") as tmp:
        old_parse = base_parser(args.base, Path(tmp))
        if args.pdf or args.word:
            file_ab(importlib.import_module("gxbase.formats").read, "pdf" if args.pdf else "docx", args.rounds)
            return
        warm, fresh = _pages(20_000, args.n // 3), _pages(30_000, args.n)
        for body, ct in warm:
            old_parse(body, source="w", content_type=ct)
            parse_bytes(body, source="w", content_type=ct)
        clock = time.process_time
        rows = []
        for i, (body, ct) in enumerate(fresh):
            started = clock()
            lxml.html.fromstring(body)
            settle()
            bare = clock() - started
            times = {}
            for name, parse in (("base", old_parse), ("now", parse_bytes))[:: 1 if i % 2 else -1]:
                started = clock()
                parse(body, source="b", content_type=ct)
                settle()
                times[name] = clock() - started
            rows.append((len(body) / 1024, bare, times["base"], times["now"]))
    print(f"{len(fresh)} fresh pages, CPU time; ratios median / p90 / worst; base = {args.base}")
    print("| page size | pages | lxml ms | base ms | now ms | base / lxml | now / lxml | now / base (median) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for lo, hi in BINS:
        sel = [r for r in rows if lo <= r[0] < hi]
        if not sel:
            continue
        ms = [1000 * statistics.median(r[k] for r in sel) for k in (1, 2, 3)]
        print(f"| {lo}–{hi} KiB | {len(sel)} | {ms[0]:.2f} | {ms[1]:.2f} | {ms[2]:.2f} | "
              f"{_q([r[2] / r[1] for r in sel])} | {_q([r[3] / r[1] for r in sel])} | "
              f"{statistics.median(r[3] / r[2] for r in sel):.3f} |")


if __name__ == "__main__":
    main()

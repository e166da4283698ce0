"""Cell precision and recall of the OCR reader on generated scans (issue 13; docs/notes/ocr.md).

    python benchmarks/ocr_accuracy.py --n 100 --dpi 150          # image-only PDFs at 150 dpi
    python benchmarks/ocr_accuracy.py --n 20 --dpi 100 --first 500
    python benchmarks/ocr_accuracy.py --n 20 --kind jpeg --rules horizontal   # no vertical rule at all
    python benchmarks/ocr_accuracy.py --n 100 --first-page     # agency and year only (page 1 alone)
    python benchmarks/ocr_accuracy.py --n 8 --kind jpeg --rules none          # no rule at all

Each scan is a synthetic report (gxcrawler.synthetic.scans.make_scan: rendered, rasterised,
grey paper, noise, a turn of up to 1.5 degrees, JPEG, a quarter photographed at an angle)
parsed by ``parse_bytes`` as a crawl would; scored against its truth with the accuracy
harness's ``score`` (a ``jpeg`` is one picture of the section 三/四 page: scored on those
sections' cells). Single process: seconds per page are CPU seconds of this process
(the parse, not the scan's generation) over the pages read. Needs fonts-wqy-zenhei.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gxcrawler.synthetic.accuracy import parse_case, score  # noqa: E402
from gxcrawler.synthetic.scans import RULES, make_scan  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--first", type=int, default=1000, help="first seed (the tests use seeds below 100)")
    ap.add_argument("--dpi", type=int, default=150)
    ap.add_argument("--kind", default="pdf", choices=("pdf", "jpeg"))
    ap.add_argument("--rules", default="grid", choices=RULES, help="how the tables are ruled")
    ap.add_argument("--examples", action="store_true", help="print every wrong cell")
    ap.add_argument("--first-page", action="store_true",
                    help="parse page 1 alone (the title block and the opening): agency and year, half the cost")
    args = ap.parse_args(argv)

    expected = right = wrong = settled = pages = 0
    meta = {"agency": 0, "year": 0}
    cpu = 0.0
    agencies: dict[str, list[int]] = {"ok": [], "none": [], "WRONG": []}
    wrong_cells: list[str] = []
    import pypdfium2 as pdfium

    for seed in range(args.first, args.first + args.n):
        case = make_scan(seed, kind=args.kind, dpi=args.dpi, rules=args.rules)
        if args.first_page:
            case = replace(case, content=_first_page(case.content))
        started = time.process_time()
        result = parse_case(case)
        cpu += time.process_time() - started
        pages += len(pdfium.PdfDocument(case.content)) if args.kind == "pdf" else 1
        s = score(case.report, result, metadata=False)
        if args.kind == "jpeg":  # the picture holds sections 三 and 四 only
            on_page = {k for k in (*case.report.values, *case.report.blank) if k.startswith(("s3.", "s4."))}
            s.truth_cells = len(on_page)
            s.correct = sum(
                1 for k in on_page
                if (k in case.report.values and result.values.get(k) == case.report.values[k])
                or (k in case.report.blank and k in result.blank)
            )
        expected += s.truth_cells
        right += s.correct
        wrong += len(s.wrong)
        settled += sum(1 for v in result.ocr.values() if v == "settled")
        meta["agency"] += s.meta["agency"]
        meta["year"] += s.meta["year"]
        wrong_cells += [f"{case.name}: {w}" for w in s.wrong]
        agency = "ok" if s.meta["agency"] else "none" if result.agency is None else "WRONG"
        agencies[agency].append(seed)
        print(
            f"{case.name}: {s.correct}/{s.truth_cells} right, {len(s.wrong)} wrong, "
            f"agency {'ok' if s.meta['agency'] else result.agency!r}, year {'ok' if s.meta['year'] else result.year}",
            file=sys.stderr,
            flush=True,
        )
    precision = right / (right + wrong) if right + wrong else 1.0
    recall = right / expected if expected else 0.0
    print("| scans | dpi | cells expected | read right | wrong | precision | recall | settled by identities | agency | year | CPU s/page |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.n} {args.kind} ({args.rules}) | {args.dpi} | {expected} | {right} | {wrong} | {precision:.4%} | {recall:.2%} "
        f"| {settled} | {meta['agency']}/{args.n} | {meta['year']}/{args.n} | {cpu / max(pages, 1):.2f} |"
    )
    print(f"agency: {len(agencies['ok'])} right, {len(agencies['WRONG'])} wrong {agencies['WRONG']}, "
          f"{len(agencies['none'])} left out {agencies['none']}")
    if args.examples or wrong_cells:
        for w in wrong_cells[:50]:
            print("wrong:", w)
    return 0


def _first_page(pdf: bytes) -> bytes:
    """The scan's first page alone, as an image-only PDF of its own."""
    import io

    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(pdf)
    out = pdfium.PdfDocument.new()
    out.import_pages(src, [0])
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


if __name__ == "__main__":
    raise SystemExit(main())

"""Agency, statistics year and publication date as the parser reads them, against the truth.

    python benchmarks/metadata_accuracy.py [--n 30] [--no-sims] [--details]

Three sets, each parsed by ``gxcrawler.parsing.parse_bytes`` with no hints (a crawl's
list-page hints would only help):

* the five real seed reports (``tests/data/seeds``, truth written by hand);
* the generated metadata and file-format layouts of issue 11 (``gxcrawler.synthetic.unseen``:
  ``meta/*``, ``pdf/split-title``, ``pdf/junk-title``, ``pdf/recent``, ``doc/*``, ``sheet/*``);
* every report document the portal simulations serve (``tests/simulations``: the five seed
  portals and the CMS families), fetched as a crawler would (with the page as Referer).
  Their truth is the canonical agency name, so the parsed name is canonicalised with the
  report's region first (``gxcrawler.agencies``), as the loader does.

Published is scored only where the document prints a publication date (web pages).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gxcrawler.agencies import canonical_agency  # noqa: E402
from gxcrawler.parsing import parse_bytes, parse_path  # noqa: E402

LAYOUTS = (
    "meta/narrative-agency",
    "meta/period-year",
    "meta/url-year",
    "meta/date-lines",
    "pdf/split-title",
    "pdf/junk-title",
    "pdf/recent",
    "doc/html",
    "doc/mht",
    "sheet/xlsx",
    "sheet/xls-html",
)
FIELDS = ("agency", "year", "published")


def _row(name: str, c: Counter) -> str:
    cells = []
    for f in FIELDS:
        scored = c[f"{f}_n"]
        cells.append(f"{c[f]}/{scored} ({100 * c[f] / scored:.1f}%)" if scored else "–")
    return f"| {name} | {c['n']} | " + " | ".join(cells) + " |"


def seeds(details: bool) -> Counter:
    c: Counter = Counter()
    for path in sorted((ROOT / "tests/data/seeds").glob("*.txt")):
        truth = json.loads((ROOT / "tests/data/truth" / f"{path.stem}.json").read_text())
        r = parse_path(path)
        got = {"agency": r.agency, "year": r.year, "published": r.published.isoformat() if r.published else None}
        c["n"] += 1
        for f in FIELDS:
            c[f"{f}_n"] += 1
            c[f] += got[f] == truth[f]
            if details and got[f] != truth[f]:
                print(f"  seed {path.stem} {f}: {got[f]!r} != {truth[f]!r}")
    return c


def generated(n: int, details: bool) -> dict[str, Counter]:
    from gxcrawler.synthetic.accuracy import parse_case, score
    from gxcrawler.synthetic.unseen import make_unseen_case

    out: dict[str, Counter] = {}
    for layout in LAYOUTS:
        c = out.setdefault(layout, Counter())
        for seed in range(n):
            case = make_unseen_case(layout, seed)
            result = parse_case(case)
            s = score(case.report, result)
            c["n"] += 1
            c["cells_exact"] += not s.wrong and not s.missing
            c["wrong"] += len(s.wrong)
            c["cells"] += s.truth_cells
            c["right"] += s.correct
            for f in FIELDS:
                if f in s.meta:
                    c[f"{f}_n"] += 1
                    c[f] += s.meta[f]
                    if details and not s.meta[f]:
                        print(f"  {layout} seed={seed} {f}: {getattr(result, f)!r}")
    return out


FORMAT_LAYOUTS = ("doc/html", "doc/mht", "sheet/xlsx", "sheet/xls-html")


def binary_xls(n: int) -> Counter:
    """Generated reports as binary .xls (BIFF8, written with xlwt: the test extra), parsed from bytes."""
    import random

    from gxcrawler.synthetic.accuracy import score
    from gxcrawler.synthetic.unseen import _report
    from tests.formats.sheetbuild import report_xls

    c: Counter = Counter()
    for seed in range(n):
        report = _report(random.Random(seed), seed)
        r = parse_bytes(report_xls(report), source="download.jsp", content_type="application/octet-stream")
        s = score(report, r)
        c["n"] += 1
        c["cells_exact"] += not s.wrong and not s.missing
        c["wrong"] += len(s.wrong)
        c["cells"] += s.truth_cells
        c["right"] += s.correct
        for f in ("agency", "year"):
            c[f"{f}_n"] += 1
            c[f] += s.meta[f]
    return c


def _format_row(name: str, c: Counter) -> str:
    recall = 100 * c["right"] / c["cells"] if c["cells"] else 0.0
    return f"| {name} | {c['n']} | {c['cells_exact']} | {c['cells']} | {c['right']} | {c['wrong']} | {recall:.2f}% |"


def _publications(sim):
    """(publication, document URL, page URL, kind) of every report a simulation serves."""
    if hasattr(sim, "reports"):
        for item in sim.reports(None):
            yield item.pub, item.file_url or item.url, item.url, item.fmt if item.file_url else "html"
        return
    for d in sim.docs:
        if d.pub is not None and not d.gone:
            attachment = getattr(d, "attachment", None)
            yield d.pub, attachment or d.url, d.url, getattr(d, "kind", "html") if attachment else "html"


def simulations(details: bool) -> dict[str, Counter]:
    from tests.simulations.registry import ALL, simulation

    out: dict[str, Counter] = {}
    for name in ALL:
        sim = simulation(name)
        if sim is None:
            continue
        c = out.setdefault(name, Counter())
        for pub, url, page, kind in _publications(sim):
            answer = sim.handle("GET", url, {"referer": page})
            hops = 0
            while answer.status in (301, 302, 303, 307) and hops < 5:
                answer = sim.handle("GET", answer.headers["Location"], {"referer": page})
                hops += 1
            r = parse_bytes(
                answer.body,
                source=url,
                content_type=answer.headers.get("Content-Type"),
                filename=url.rsplit("/", 1)[-1],
            )
            agency = canonical_agency(r.agency, pub.region).name if r.agency else None
            truth = {"agency": pub.canonical_agency, "year": pub.year, "published": pub.published.date()}
            got = {"agency": agency, "year": r.year, "published": r.published}
            c["n"] += 1
            for f in FIELDS:
                if f == "published" and kind != "html":
                    continue  # an attachment prints no publication date
                c[f"{f}_n"] += 1
                c[f] += got[f] == truth[f]
                if details and got[f] != truth[f]:
                    print(f"  {name} {kind} {url} {f}: {got[f]!r} != {truth[f]!r} (parsed {r.agency!r})")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=30, help="generated reports per layout")
    ap.add_argument("--no-sims", action="store_true", help="skip the portal simulations (slow: PDFs)")
    ap.add_argument("--details", action="store_true", help="print every miss")
    args = ap.parse_args(argv)
    header = "| set | reports | agency | statistics year | published |\n|---|---:|---:|---:|---:|"
    total: Counter = Counter()
    print(header)
    c = seeds(args.details)
    total.update(c)
    print(_row("seeds (5 real reports)", c))
    gen = generated(args.n, args.details)
    for layout, c in gen.items():
        total.update(c)
        print(_row(f"generated {layout}", c))
    if not args.no_sims:
        for name, c in simulations(args.details).items():
            total.update(c)
            print(_row(f"simulation {name}", c))
    print(_row("**all**", total))
    print("\n| format | reports | read cell-exact | cells expected | read right | wrong values | recall |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for layout in FORMAT_LAYOUTS:
        print(_format_row(layout, gen[layout]))
    print(_format_row("xls (BIFF8; also WPS .et) from download.jsp", binary_xls(args.n)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

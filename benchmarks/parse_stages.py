"""Where a first read of an HTML page goes, stage by stage, against ``lxml.html.fromstring``.

    python benchmarks/parse_stages.py [--n 240]

The pages of ``parse_ab.py`` (fresh, caches warmed on a third as many others), each read
once through the stages of ``api.parse_bytes`` → ``_parse_html`` called one by one, in
CPU time: decode, our lxml tree, the walk (``parse_html`` less its tree, timed again on
its own), metadata, the aligner (``turn`` and ``align``), the identities, narrative and
result (``_finish``). The sum is the whole read less ``parse_bytes``' few type tests.
Medians per page-size bucket, in ms and as a multiple of lxml's parse of the same bytes;
``floor`` is what stays with the walk and the aligner free.
"""

from __future__ import annotations

import argparse
import statistics
import time

import lxml.html
from parse_ab import BINS, _pages, settle

from gxcrawler.parsing.api import _align_grids, _finish
from gxcrawler.parsing.htmldoc import _tree, decode, parse_html
from gxcrawler.parsing.metadata import extract

STAGES = ("decode", "tree", "walk", "metadata", "aligner", "finish")


def read_in_stages(body: bytes, ct: str) -> dict[str, float]:
    clock = time.process_time
    t0 = clock()
    lxml.html.fromstring(body)
    settle()  # the allocator's deferred merge of the freed tree (parse_ab.settle)
    t1 = clock()
    text, encoding = decode(body, ct)
    raw = body if encoding == "utf-8" and not body.startswith(b"\xef\xbb\xbf") else None
    t2 = clock()
    doc = parse_html(text, raw)
    settle()  # the tree parse_html freed, merged here rather than in the metadata's time
    t3 = clock()
    md = extract(doc.lines, title_candidates=doc.title_candidates, hints=None, url="b", page_meta=doc.page_meta)
    t4 = clock()
    alignment = _align_grids(doc.tokens, md.year)
    t5 = clock()
    _finish("b", "html", md, alignment, doc.images, doc.lines)
    t6 = clock()
    _tree(raw if raw is not None else text.encode("utf-8", "replace"))  # the tree alone, again
    settle()
    t7 = clock()
    tree = t7 - t6
    return {"lxml": t1 - t0, "decode": t2 - t1, "tree": tree, "walk": t3 - t2 - tree,
            "metadata": t4 - t3, "aligner": t5 - t4, "finish": t6 - t5, "whole": t6 - t1}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=240, help="fresh pages (a third more warm the caches first)")
    args = ap.parse_args()
    warm, fresh = _pages(20_000, args.n // 3), _pages(30_000, args.n)
    for body, ct in warm:
        read_in_stages(body, ct)
    rows = [(len(body) / 1024, read_in_stages(body, ct)) for body, ct in fresh]
    print(f"{len(fresh)} fresh pages, CPU time, medians per page (ms, and × lxml's parse of the page)")
    cols = ("lxml", *STAGES, "whole", "floor")
    print("| page size | pages | " + " | ".join(cols) + " |")
    print("|---|---:|" + "---:|" * len(cols))
    for lo, hi in BINS:
        sel = [t for kib, t in rows if lo <= kib < hi]
        if not sel:
            continue
        for t in sel:
            t["floor"] = t["whole"] - t["walk"] - t["aligner"]
        ms = {c: 1000 * statistics.median(t[c] for t in sel) for c in cols}
        ratio = {c: statistics.median(t[c] / t["lxml"] for t in sel) for c in cols}
        cells = [f"{ms['lxml']:.2f}"] + [f"{ms[c]:.2f} ({ratio[c]:.2f}×)" for c in cols[1:]]
        print(f"| {lo}–{hi} KiB | {len(sel)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
